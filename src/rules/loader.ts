/**
 * Loads the rule catalogue: `rules/*.yaml` shipped with the tool, plus a repository's own rules
 * (same format, DESIGN §4). Rules are data written by people, so every problem is reported with
 * the file, the rule and the exact place: `rules/security.yaml: rule sagemaker-endpoint-kms:
 * match[0].require: unknown predicate "presnt"`. All problems of a load are collected, so a
 * rule author sees every mistake at once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  KINDS,
  PHASES,
  PILLARS,
  SEVERITIES,
  type Catalogue,
  type MatchClause,
  type Predicate,
  type Rule,
  type RuleFix,
  type Severity,
} from '../model.js';
import { printable, quoteScalar } from '../config/load.js';
import { readYamlData } from '../config/yaml-data.js';
import { parsePath, PathSyntaxError } from './paths.js';
import { compileGlob, compilePattern, PatternError, precompile, PREDICATE_NAMES, REPOSITORY_PREDICATES, type PredicateName } from './predicates.js';
import { resolvePractice } from './practices.js';
import { MESSAGE_VARS, placeholders } from './evaluate.js';

export class RuleLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RuleLoadError';
  }
}

/** A place inside one rule: keys and list indexes from the rule down. */
type At = readonly (string | number)[];

/** A problem at a place inside one rule; turned into a full message by the caller. */
export interface Problem {
  at: At;
  message: string;
  /** Where the problem sits in the file, when not at `at` itself (the first of unknown keys). */
  near?: At;
}

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'expected a string, number, boolean or null' });
const path = z.string({ error: 'expected a path such as Properties.KmsKeyId' });
const strings = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected a string or a non-empty list of strings' });

const ARGS = {
  equals: z.object({ path, value: scalar, default: scalar.optional() }).strict(),
  one_of: z.object({ path, values: z.array(scalar).min(1), default: scalar.optional() }).strict(),
  matches: z.object({ path, pattern: z.string(), default: z.string().optional() }).strict(),
  greater_than: z.object({ path, value: z.number(), default: z.number().optional() }).strict(),
  less_than: z.object({ path, value: z.number(), default: z.number().optional() }).strict(),
  each: z.object({ path, require: z.unknown() }).strict(),
  count: z
    .object({ path, where: z.unknown().optional(), min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .strict(),
} as const;

const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const example = z.object({ path: z.string().min(1), content: z.string() }).strict();

const clauseSchema = z
  .object({
    kind: z.enum([...KINDS, 'repository']),
    resource: strings.optional(),
    where: z.unknown().optional(),
    require: z.unknown(),
    unknown: z.enum(['pass', 'fail']).optional(),
    anchor: strings.optional(),
  })
  .strict();

const ruleSchema = z
  .object({
    id: z.string().regex(RULE_ID, 'must be kebab-case (lower-case letters and digits joined by single hyphens)'),
    title: z.string().min(1),
    practices: z.array(z.string()).min(1),
    pillar: z.enum(PILLARS),
    phase: z.enum(PHASES),
    severity: z.enum(SEVERITIES),
    match: z.array(clauseSchema).min(1),
    message: z.string().min(1),
    remediation: z.string().min(1),
    fix: z
      .partialRecord(
        z.enum(KINDS),
        z.object({ insert_attribute: z.string().min(1).optional(), insert_property: z.string().min(1).optional() }).strict(),
      )
      .optional(),
    notes: z.string().optional(),
    examples: z.object({ pass: z.array(example).min(1), fail: z.array(example).min(1) }).strict(),
  })
  .strict();

/** Formats one zod issue as "<path>: <problem>" in our own plain words. */
function formatIssue(issue: z.core.$ZodIssue, prefix: At): Problem {
  const at = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  const i = issue as z.core.$ZodIssue & { input?: unknown; values?: unknown[]; keys?: string[]; origin?: string; minimum?: unknown };
  // A missing key shows as an invalid value `undefined`, whatever the schema of the key.
  if ((i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_value') && 'input' in i && i.input === undefined) {
    return { at, message: 'is required' };
  }
  switch (i.code) {
    case 'invalid_type':
      return { at, message: `expected ${i.expected}, got ${describe(i.input)}` };
    case 'invalid_value':
      return { at, message: `expected one of ${(i.values ?? []).map(String).join(', ')}, got ${describe(i.input)}` };
    case 'unrecognized_keys': {
      const keys = i.keys ?? [];
      const message = `unknown key${keys.length > 1 ? 's' : ''} ${keys.map(quoteKey).join(', ')}`;
      return keys.length ? { at, message, near: [...at, keys[0]!] } : { at, message };
    }
    case 'too_small':
      if (i.origin === 'array') return { at, message: 'must not be empty' };
      if (i.origin === 'string') return { at, message: 'must not be empty' };
      return { at, message: `must be at least ${String(i.minimum)}` };
    case 'invalid_format':
      return { at, message: `${i.message}, got ${describe(i.input)}` };
    default:
      return { at, message: i.message };
  }
}

/** A value under an offending key: quoted only when short and printable (see quoteScalar). */
function describe(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return quoteScalar(v);
  return typeName(v);
}

/** A value's type, never its content: a rule file may be any file at all, a secret included. */
function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}

const quoteKey = (key: string): string => `"${printable(key)}"`;

function joinAt(at: At): string {
  let s = '';
  for (const p of at) s = typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${printable(p)}` : printable(p);
  return s;
}

/** Adds every issue of `value` against `schema` to `problems`; the parsed value when there is none. */
function check<T>(schema: z.ZodType<T>, value: unknown, at: At, problems: Problem[]): T | undefined {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  for (const issue of r.error.issues) problems.push(formatIssue(issue, at));
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPath(p: string, at: At, problems: Problem[]): void {
  try {
    parsePath(p);
  } catch (e) {
    if (e instanceof PathSyntaxError) problems.push({ at, message: e.message });
    else throw e;
  }
}

/** Checks the `path` of a predicate's arguments, whatever else is wrong with them. */
function checkArgPath(arg: unknown, at: At, problems: Problem[]): void {
  if (isMap(arg) && typeof arg['path'] === 'string') checkPath(arg['path'], [...at, 'path'], problems);
}

function checkPattern(compile: () => void, at: At, problems: Problem[]): void {
  try {
    compile();
  } catch (e) {
    if (e instanceof PatternError) problems.push({ at, message: e.message });
    else throw e;
  }
}

/**
 * Validates one predicate, adding every problem found to `problems`, and returns it in its loaded
 * form (patterns compiled, paths parsed) when it has none. `repository` says whether
 * repository-level predicates are allowed here.
 */
export function checkPredicate(raw: unknown, at: At, repository: boolean, problems: Problem[]): Predicate | undefined {
  if (!isMap(raw)) {
    problems.push({ at, message: 'expected a predicate (a map with one key such as present, equals or all)' });
    return undefined;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    problems.push({ at, message: `expected exactly one predicate, found ${keys.length === 0 ? 'none' : keys.map(quoteKey).join(', ')}` });
    return undefined;
  }
  const op = keys[0]!;
  if (!(PREDICATE_NAMES as readonly string[]).includes(op)) {
    problems.push({ at, message: `unknown predicate ${quoteKey(op)}` });
    return undefined;
  }
  const name = op as PredicateName;
  const arg = raw[op];
  const sub = [...at, op];
  const before = problems.length;
  // The arguments are checked all the same: they are mistakes of their own.
  if (!repository && REPOSITORY_PREDICATES.includes(name)) problems.push({ at: sub, message: 'only available in kind: repository clauses' });
  const loaded = checkArguments(name, arg, sub, repository, problems);
  return problems.length === before ? loaded : undefined;
}

function checkArguments(name: PredicateName, arg: unknown, sub: At, repository: boolean, problems: Problem[]): Predicate | undefined {
  switch (name) {
    case 'present':
    case 'absent': {
      const p = check(path, arg, sub, problems);
      if (p === undefined) return undefined;
      checkPath(p, sub, problems);
      return name === 'present' ? { present: p } : { absent: p };
    }
    case 'equals': {
      const a = check(ARGS.equals, arg, sub, problems);
      checkArgPath(arg, sub, problems);
      return a && { equals: a };
    }
    case 'one_of': {
      const a = check(ARGS.one_of, arg, sub, problems);
      checkArgPath(arg, sub, problems);
      return a && { one_of: a };
    }
    case 'matches': {
      const a = check(ARGS.matches, arg, sub, problems);
      checkArgPath(arg, sub, problems);
      // The loaded predicate's own arguments are compiled: precompile keeps the result for them.
      if (a) checkPattern(() => precompile(a), [...sub, 'pattern'], problems);
      else if (isMap(arg) && typeof arg['pattern'] === 'string') {
        const pattern = arg['pattern'];
        checkPattern(() => compilePattern(pattern), [...sub, 'pattern'], problems);
      }
      return a && { matches: a };
    }
    case 'greater_than':
    case 'less_than': {
      const a = check(ARGS[name], arg, sub, problems);
      checkArgPath(arg, sub, problems);
      if (!a) return undefined;
      return name === 'greater_than' ? { greater_than: a } : { less_than: a };
    }
    case 'all':
    case 'any': {
      if (!Array.isArray(arg) || arg.length === 0) {
        problems.push({ at: sub, message: 'expected a non-empty list of predicates' });
        return undefined;
      }
      const list = arg.map((q, i) => checkPredicate(q, [...sub, i], repository, problems));
      if (!list.every((q) => q !== undefined)) return undefined;
      return name === 'all' ? { all: list } : { any: list };
    }
    case 'not': {
      const p = checkPredicate(arg, sub, repository, problems);
      return p && { not: p };
    }
    case 'each': {
      const a = check(ARGS.each, arg, sub, problems);
      checkArgPath(arg, sub, problems);
      if (!isMap(arg)) return undefined;
      if (arg['require'] === undefined) {
        problems.push({ at: [...sub, 'require'], message: 'is required' });
        return undefined;
      }
      const require = checkPredicate(arg['require'], [...sub, 'require'], repository, problems);
      return a && require && { each: { path: a.path, require } };
    }
    case 'count': {
      const a = check(ARGS.count, arg, sub, problems);
      checkArgPath(arg, sub, problems);
      if (!isMap(arg)) return undefined;
      const { min, max } = arg;
      if (min === undefined && max === undefined) problems.push({ at: sub, message: 'needs min, max or both' });
      if (typeof min === 'number' && typeof max === 'number' && min > max) problems.push({ at: sub, message: `min (${min}) is greater than max (${max})` });
      const where = arg['where'] === undefined ? undefined : checkPredicate(arg['where'], [...sub, 'where'], repository, problems);
      if (!a || (arg['where'] !== undefined && !where)) return undefined;
      const out: { path: string; where?: Predicate; min?: number; max?: number } = { path: a.path };
      if (where) out.where = where;
      if (a.min !== undefined) out.min = a.min;
      if (a.max !== undefined) out.max = a.max;
      return { count: out };
    }
    case 'tree_has':
    case 'resource_exists': {
      const a = check(strings, arg, sub, problems);
      if (a === undefined) return undefined;
      if (name === 'tree_has') {
        for (const g of typeof a === 'string' ? [a] : a) checkPattern(() => compileGlob(g), sub, problems);
        return { tree_has: a };
      }
      return { resource_exists: a };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

function checkMessage(message: string, problems: Problem[]): void {
  for (const name of placeholders(message)) {
    if (!(MESSAGE_VARS as readonly string[]).includes(name)) {
      problems.push({ at: ['message'], message: `unknown placeholder {{${printable(name)}}} (available: ${MESSAGE_VARS.map((v) => `{{${v}}}`).join(' ')})` });
    }
  }
}

const CLAUSE_KINDS: readonly string[] = [...KINDS, 'repository'];

/** The practices of a rule as 2025 IDs, reporting those that are not practices. */
function checkPractices(raw: unknown, problems: Problem[]): string[] {
  const practices: string[] = [];
  if (!Array.isArray(raw)) return practices;
  raw.forEach((p, i) => {
    if (typeof p !== 'string') return; // the schema says so
    const id = resolvePractice(p);
    if (!id) {
      problems.push({ at: ['practices', i], message: `unknown practice ${describe(p)} (expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)` });
    } else if (!practices.includes(id)) practices.push(id);
  });
  return practices;
}

/** The predicates of one clause, checked whatever else is wrong with the clause. */
function checkClause(c: unknown, at: At, problems: Problem[]): { require?: Predicate; where?: Predicate } {
  if (!isMap(c)) return {}; // the schema says so
  // A clause of an unknown kind is reported by the schema; its predicates are not blamed on it.
  const known = typeof c['kind'] === 'string' && CLAUSE_KINDS.includes(c['kind']);
  const repository = !known || c['kind'] === 'repository';
  const out: { require?: Predicate; where?: Predicate } = {};
  if (c['require'] === undefined) problems.push({ at: [...at, 'require'], message: 'is required' });
  else {
    const require = checkPredicate(c['require'], [...at, 'require'], repository, problems);
    if (require) out.require = require;
  }
  if (c['where'] !== undefined) {
    const where = checkPredicate(c['where'], [...at, 'where'], repository, problems);
    if (where) out.where = where;
  }
  if (known && c['anchor'] !== undefined && (!repository || c['resource'] !== undefined)) {
    problems.push({ at: [...at, 'anchor'], message: 'only a repository clause without `resource` is anchored (a resource clause is anchored on its resource)' });
  }
  return out;
}

function checkFix(fix: unknown, match: unknown, problems: Problem[]): void {
  if (!isMap(fix)) return; // absent, or the schema says so
  // Only when every clause has a known kind: a misspelt kind is reported once, on the clause.
  const kinds =
    Array.isArray(match) && match.every((c) => isMap(c) && typeof c['kind'] === 'string' && CLAUSE_KINDS.includes(c['kind']))
      ? match.map((c: Record<string, unknown>) => c['kind'])
      : undefined;
  for (const [kind, f] of Object.entries(fix)) {
    if (!(KINDS as readonly string[]).includes(kind) || !isMap(f)) continue; // the schema says so
    if (kinds && !kinds.includes(kind)) problems.push({ at: ['fix', kind], message: `no match clause of kind ${kind}` });
    if (f['insert_attribute'] === undefined && f['insert_property'] === undefined) {
      problems.push({ at: ['fix', kind], message: 'needs insert_attribute or insert_property' });
    }
  }
}

/**
 * Checks one raw rule, adding every problem found to `problems`: each part is checked whatever is
 * wrong elsewhere, short of what a problem already said (no clause is checked in a `match` that is
 * not a list). Returns the rule when it has no problem.
 */
function checkRule(raw: unknown, source: string, problems: Problem[]): Rule | undefined {
  const before = problems.length;
  const r = check(ruleSchema, raw, [], problems);
  if (!isMap(raw)) return undefined;
  const practices = checkPractices(raw['practices'], problems);
  const clauses = Array.isArray(raw['match']) ? raw['match'].map((c, i) => checkClause(c, ['match', i], problems)) : [];
  if (typeof raw['message'] === 'string') checkMessage(raw['message'], problems);
  checkFix(raw['fix'], raw['match'], problems);
  if (!r || problems.length > before) return undefined;
  const match: MatchClause[] = r.match.map((c, i) => {
    const clause: MatchClause = { kind: c.kind, require: clauses[i]!.require! };
    if (c.resource !== undefined) clause.resource = typeof c.resource === 'string' ? [c.resource] : c.resource;
    if (clauses[i]!.where) clause.where = clauses[i]!.where;
    if (c.unknown !== undefined) clause.unknown = c.unknown;
    if (c.anchor !== undefined) clause.anchor = typeof c.anchor === 'string' ? [c.anchor] : c.anchor;
    return clause;
  });
  const rule: Rule = {
    id: r.id,
    title: r.title,
    practices,
    pillar: r.pillar,
    phase: r.phase,
    severity: r.severity,
    match,
    message: r.message,
    remediation: r.remediation,
    examples: r.examples,
    source,
  };
  if (r.fix) {
    const fix: RuleFix = {};
    for (const [kind, f] of Object.entries(r.fix)) if (f) fix[kind as keyof RuleFix] = f;
    rule.fix = fix;
  }
  if (r.notes !== undefined) rule.notes = r.notes;
  return rule;
}

function ruleLabel(raw: unknown, index: number): string {
  const id = isMap(raw) ? raw['id'] : undefined;
  return typeof id === 'string' && RULE_ID.test(id) ? `rule ${id}` : `rule #${index + 1}`;
}

/** Where `at` is in the rule as written: the place of each key and item along the way. */
function placeIn(raw: unknown, at: At): number[] {
  const place: number[] = [];
  let v = raw;
  for (const p of at) {
    const i = Array.isArray(v) ? (typeof p === 'number' ? p : -1) : isMap(v) ? Object.keys(v).indexOf(String(p)) : -1;
    // A missing key has no place in the file: after what is there.
    place.push(i < 0 ? Infinity : i);
    v = isMap(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[p] : undefined;
  }
  return place;
}

/** The problems of one rule in the order of the file (zod reports in the schema's order). */
function inFileOrder(raw: unknown, problems: Problem[]): Problem[] {
  const places = new Map(problems.map((p) => [p, placeIn(raw, p.near ?? p.at)]));
  return [...problems].sort((a, b) => {
    const x = places.get(a)!;
    const y = places.get(b)!;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length;
  });
}

/**
 * Parses one rule file (a YAML list of rules). `path` names the file in messages and becomes each
 * rule's `source`. Throws RuleLoadError listing every problem of the file.
 */
export function parseRuleFile(path: string, text: string): Rule[] {
  return rulesFromData(path, readRuleYaml(path, text));
}

/** The YAML of a rule file as plain data. Throws RuleLoadError with the line of a syntax error. */
export function readRuleYaml(path: string, text: string): unknown {
  const r = readYamlData(text);
  if ('problems' in r) {
    const first = r.problems[0]!;
    throw new RuleLoadError([`${path}: YAML: ${first.message}${first.line === undefined ? '' : ` (line ${first.line})`}`]);
  }
  return r.data;
}

/** Checks and compiles the rules of one file's data (see parseRuleFile). */
export function rulesFromData(path: string, data: unknown): Rule[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new RuleLoadError([`${path}: expected a list of rules, got ${typeName(data)}`]);
  const rules: Rule[] = [];
  const lines: string[] = [];
  const seen = new Map<string, number>();
  data.forEach((raw, i) => {
    const problems: Problem[] = [];
    const rule = checkRule(raw, path, problems);
    const id = isMap(raw) ? raw['id'] : undefined;
    if (typeof id === 'string' && RULE_ID.test(id)) {
      if (seen.has(id)) problems.push({ at: ['id'], message: `duplicate id (also rule #${seen.get(id)! + 1} of this file)` });
      else seen.set(id, i);
    }
    if (rule && problems.length === 0) rules.push(rule);
    const label = ruleLabel(raw, i);
    for (const p of inFileOrder(raw, problems)) lines.push(`${path}: ${label}: ${p.at.length ? `${joinAt(p.at)}: ` : ''}${p.message}`);
  });
  if (lines.length) throw new RuleLoadError([...new Set(lines)]);
  return rules;
}

// ---------------------------------------------------------------------------------------------
// The built-in parse-error rule
// ---------------------------------------------------------------------------------------------

/**
 * Not evaluated on documents: the pipeline reports a file that does not parse with this rule,
 * `{{actual}}` being the parser's message. Defined in code because no predicate can express it.
 */
export const PARSE_ERROR_RULE: Rule = {
  id: 'parse-error',
  title: 'File parses',
  practices: ['MLOPS04-BP01'],
  pillar: 'operational-excellence',
  phase: 'deployment',
  severity: 'medium',
  match: [],
  message: '{{path}} does not parse: {{actual}}',
  remediation: 'Fix the syntax error at the reported line. Until the file parses, no other rule can check it and the pipeline that uses it will fail.',
  notes: 'Reported by the pipeline for any recognised artifact whose parser fails; the finding is anchored on the line the parser names.',
  examples: {
    pass: [
      {
        path: 'infra/main.tf',
        content: 'resource "aws_s3_bucket" "datasets" {\n  bucket = "acme-ml-datasets"\n}\n',
      },
    ],
    fail: [
      {
        path: 'infra/main.tf',
        content: 'resource "aws_s3_bucket" "datasets" {\n  bucket = "acme-ml-datasets"\n\nresource "aws_s3_bucket" "models" {\n  bucket = \n}\n',
      },
    ],
  },
  source: '<built-in>',
};

/** The rules defined in code, which every catalogue contains. */
export function builtinRules(): Rule[] {
  return [PARSE_ERROR_RULE];
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

export interface LoadOptions {
  /** Folder of the built-in rules; default `rules/` of the package. */
  builtinDir?: string;
  /** Folders of additional rules (a repository's `.github/ml-lens/rules`); missing folders are skipped. */
  extraDirs?: string[];
  /** Rule ids not to run (`parse-error` cannot be disabled: a broken file must always be said). */
  disable?: string[];
  /** Severity overrides by rule id. */
  severity?: Record<string, Severity>;
}

/** Package root is two levels above this module, from `src/rules/` and from `dist/rules/` alike. */
export const BUILTIN_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

/**
 * The built-in rule files as parsed data, written by the build (scripts/compile-rules.js): the
 * `yaml` package needs over a second, cold, for the catalogue's half a megabyte, JSON a few
 * milliseconds. Each entry carries its file's hash, so an entry that no longer matches its YAML
 * is ignored and the file is read as YAML.
 */
const COMPILED_RULES = fileURLToPath(new URL('../../dist/rules.json', import.meta.url));

interface CompiledFile {
  hash: string;
  data: unknown;
}

export function ruleFileHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function compiledRules(): Record<string, CompiledFile> {
  try {
    return JSON.parse(readFileSync(COMPILED_RULES, 'utf8')) as Record<string, CompiledFile>;
  } catch {
    return {};
  }
}

/** The practice map lives beside the rules but is not a rule file. */
const NOT_RULE_FILES = new Set(['practices.yaml']);

function ruleFiles(dir: string, builtin: boolean): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !(builtin && NOT_RULE_FILES.has(f)))
    .sort();
}

/** Loads the built-in rules and any extra folders. Throws RuleLoadError listing every problem. */
export function loadCatalogue(options: LoadOptions = {}): Catalogue {
  const builtinDir = options.builtinDir ?? BUILTIN_DIR;
  const problems: string[] = [];
  const rules: Rule[] = [];
  const sources: { dir: string; label: string; builtin: boolean }[] = [
    { dir: builtinDir, label: options.builtinDir ?? 'rules', builtin: true },
  ];
  for (const d of options.extraDirs ?? []) {
    if (existsSync(d)) sources.push({ dir: d, label: d.replace(/\/+$/, ''), builtin: false });
  }
  const compiled = options.builtinDir === undefined ? compiledRules() : {};
  for (const s of sources) {
    for (const f of ruleFiles(s.dir, s.builtin)) {
      const label = `${s.label}/${f}`;
      try {
        const text = readFileSync(join(s.dir, f), 'utf8');
        const pre = s.builtin ? compiled[f] : undefined;
        rules.push(...(pre && pre.hash === ruleFileHash(text) ? rulesFromData(label, pre.data) : parseRuleFile(label, text)));
      } catch (e) {
        if (e instanceof RuleLoadError) problems.push(...e.problems);
        else throw e;
      }
    }
  }
  let catalogue: Catalogue | undefined;
  try {
    catalogue = buildCatalogue(rules, options);
  } catch (e) {
    if (!(e instanceof RuleLoadError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length || !catalogue) throw new RuleLoadError(problems);
  return catalogue;
}

/**
 * Builds a catalogue from loaded rules (for callers that read rule files themselves, such as the
 * GitHub App reading a repository's rules through the API): adds `parse-error`, rejects duplicate
 * ids, drops disabled rules and applies severity overrides.
 */
export function buildCatalogue(loaded: readonly Rule[], options: Pick<LoadOptions, 'disable' | 'severity'> = {}): Catalogue {
  const problems: string[] = [];
  const first = new Map<string, Rule>([[PARSE_ERROR_RULE.id, PARSE_ERROR_RULE]]);
  for (const r of loaded) {
    const prev = first.get(r.id);
    if (prev) {
      const where = prev === PARSE_ERROR_RULE ? 'a built-in rule' : `also defined in ${prev.source}`;
      problems.push(`${r.source}: rule ${r.id}: id: duplicate id (${where})`);
    } else first.set(r.id, r);
  }
  if (problems.length) throw new RuleLoadError(problems);
  const disabled = new Set(options.disable ?? []);
  disabled.delete(PARSE_ERROR_RULE.id);
  const rules: Rule[] = [];
  for (const r of first.values()) {
    if (disabled.has(r.id)) continue;
    const sev = options.severity?.[r.id];
    rules.push(sev && sev !== r.severity ? { ...r, severity: sev } : r);
  }
  return { rules, byId: new Map(rules.map((r) => [r.id, r])) };
}
