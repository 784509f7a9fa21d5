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
import { LineCounter, parseDocument } from 'yaml';
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
import { parsePath, PathSyntaxError } from './paths.js';
import { compileGlob, PatternError, precompile, PREDICATE_NAMES, REPOSITORY_PREDICATES, type PredicateName } from './predicates.js';
import { resolvePractice } from './practices.js';
import { MESSAGE_VARS, placeholders } from './evaluate.js';

export class RuleLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RuleLoadError';
  }
}

/** A problem at a place inside one rule; turned into a full message by the caller. */
class Problem extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
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
function formatIssue(issue: z.core.$ZodIssue, prefix: string): Problem {
  const at = joinAt(prefix, issue.path);
  const i = issue as z.core.$ZodIssue & { input?: unknown; values?: unknown[]; keys?: string[]; origin?: string; minimum?: unknown };
  // A missing key shows as an invalid value `undefined`, whatever the schema of the key.
  if ((i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_value') && 'input' in i && i.input === undefined) {
    return new Problem(at, 'is required');
  }
  switch (i.code) {
    case 'invalid_type':
      return new Problem(at, `expected ${i.expected}, got ${describe(i.input)}`);
    case 'invalid_value':
      return new Problem(at, `expected one of ${(i.values ?? []).map(String).join(', ')}, got ${describe(i.input)}`);
    case 'unrecognized_keys':
      return new Problem(at, `unknown key${(i.keys ?? []).length > 1 ? 's' : ''} ${(i.keys ?? []).map((k) => `"${k}"`).join(', ')}`);
    case 'too_small':
      if (i.origin === 'array') return new Problem(at, 'must not be empty');
      if (i.origin === 'string') return new Problem(at, 'must not be empty');
      return new Problem(at, `must be at least ${String(i.minimum)}`);
    case 'invalid_format':
      return new Problem(at, `${i.message}, got ${describe(i.input)}`);
    default:
      return new Problem(at, i.message);
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 39) + '…' : v);
  return String(v);
}

function joinAt(prefix: string, path: readonly PropertyKey[]): string {
  let s = prefix;
  for (const p of path) s = typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p);
  return s;
}

function check<T>(schema: z.ZodType<T>, value: unknown, at: string): T {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  // The first issue is the one to fix first; the rest often follow from it.
  throw formatIssue(r.error.issues[0]!, at);
}

// ---------------------------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------------------------

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPath(p: string, at: string): void {
  try {
    parsePath(p);
  } catch (e) {
    if (e instanceof PathSyntaxError) throw new Problem(at, e.message);
    throw e;
  }
}

/**
 * Validates one predicate and returns it in its loaded form (patterns compiled, paths parsed).
 * `repository` says whether repository-level predicates are allowed here.
 */
export function checkPredicate(raw: unknown, at: string, repository: boolean): Predicate {
  if (!isMap(raw)) throw new Problem(at, 'expected a predicate (a map with one key such as present, equals or all)');
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    throw new Problem(at, `expected exactly one predicate, found ${keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ')}`);
  }
  const op = keys[0]!;
  if (!(PREDICATE_NAMES as readonly string[]).includes(op)) throw new Problem(at, `unknown predicate "${op}"`);
  const name = op as PredicateName;
  const arg = raw[op];
  const sub = `${at}.${op}`;
  if (!repository && REPOSITORY_PREDICATES.includes(name)) throw new Problem(sub, 'only available in kind: repository clauses');
  switch (name) {
    case 'present':
    case 'absent': {
      const p = check(path, arg, sub);
      checkPath(p, sub);
      return name === 'present' ? { present: p } : { absent: p };
    }
    case 'equals': {
      const a = check(ARGS.equals, arg, sub);
      checkPath(a.path, `${sub}.path`);
      return { equals: a };
    }
    case 'one_of': {
      const a = check(ARGS.one_of, arg, sub);
      checkPath(a.path, `${sub}.path`);
      return { one_of: a };
    }
    case 'matches': {
      const a = check(ARGS.matches, arg, sub);
      checkPath(a.path, `${sub}.path`);
      try {
        precompile(a);
      } catch (e) {
        if (e instanceof PatternError) throw new Problem(`${sub}.pattern`, e.message);
        throw e;
      }
      return { matches: a };
    }
    case 'greater_than':
    case 'less_than': {
      const a = check(ARGS[name], arg, sub);
      checkPath(a.path, `${sub}.path`);
      return name === 'greater_than' ? { greater_than: a } : { less_than: a };
    }
    case 'all':
    case 'any': {
      if (!Array.isArray(arg) || arg.length === 0) throw new Problem(sub, 'expected a non-empty list of predicates');
      const list = arg.map((q, i) => checkPredicate(q, `${sub}[${i}]`, repository));
      return name === 'all' ? { all: list } : { any: list };
    }
    case 'not':
      return { not: checkPredicate(arg, sub, repository) };
    case 'each': {
      const a = check(ARGS.each, arg, sub);
      checkPath(a.path, `${sub}.path`);
      if (a.require === undefined) throw new Problem(`${sub}.require`, 'is required');
      return { each: { path: a.path, require: checkPredicate(a.require, `${sub}.require`, repository) } };
    }
    case 'count': {
      const a = check(ARGS.count, arg, sub);
      checkPath(a.path, `${sub}.path`);
      if (a.min === undefined && a.max === undefined) throw new Problem(sub, 'needs min, max or both');
      if (a.min !== undefined && a.max !== undefined && a.min > a.max) throw new Problem(sub, `min (${a.min}) is greater than max (${a.max})`);
      const out: { path: string; where?: Predicate; min?: number; max?: number } = { path: a.path };
      if (a.where !== undefined) out.where = checkPredicate(a.where, `${sub}.where`, repository);
      if (a.min !== undefined) out.min = a.min;
      if (a.max !== undefined) out.max = a.max;
      return { count: out };
    }
    case 'tree_has':
    case 'resource_exists': {
      const a = check(strings, arg, sub);
      if (name === 'tree_has') {
        for (const g of typeof a === 'string' ? [a] : a) {
          try {
            compileGlob(g);
          } catch (e) {
            if (e instanceof PatternError) throw new Problem(sub, e.message);
            throw e;
          }
        }
        return { tree_has: a };
      }
      return { resource_exists: a };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

function checkMessage(message: string): void {
  for (const name of placeholders(message)) {
    if (!(MESSAGE_VARS as readonly string[]).includes(name)) {
      throw new Problem('message', `unknown placeholder {{${name}}} (available: ${MESSAGE_VARS.map((v) => `{{${v}}}`).join(' ')})`);
    }
  }
}

/** Validates one raw rule; throws Problem. */
function checkRule(raw: unknown, source: string): Rule {
  const r = check(ruleSchema, raw, '');
  const practices: string[] = [];
  r.practices.forEach((p, i) => {
    const id = resolvePractice(p);
    if (!id) throw new Problem(`practices[${i}]`, `unknown practice "${p}" (expected a 2025 ID such as MLSEC02-BP01 or a 2023 ID such as MLSEC-02)`);
    if (!practices.includes(id)) practices.push(id);
  });
  const match: MatchClause[] = r.match.map((c, i) => {
    const at = `match[${i}]`;
    const repository = c.kind === 'repository';
    if (c.require === undefined) throw new Problem(`${at}.require`, 'is required');
    const clause: MatchClause = { kind: c.kind, require: checkPredicate(c.require, `${at}.require`, repository) };
    if (c.resource !== undefined) clause.resource = typeof c.resource === 'string' ? [c.resource] : c.resource;
    if (c.where !== undefined) clause.where = checkPredicate(c.where, `${at}.where`, repository);
    if (c.unknown !== undefined) clause.unknown = c.unknown;
    if (c.anchor !== undefined) {
      if (!repository || c.resource !== undefined) {
        throw new Problem(`${at}.anchor`, 'only a repository clause without `resource` is anchored (a resource clause is anchored on its resource)');
      }
      clause.anchor = typeof c.anchor === 'string' ? [c.anchor] : c.anchor;
    }
    return clause;
  });
  checkMessage(r.message);
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
    for (const [kind, f] of Object.entries(r.fix)) {
      if (!f) continue;
      if (!match.some((c) => c.kind === kind)) throw new Problem(`fix.${kind}`, `no match clause of kind ${kind}`);
      if (!f.insert_attribute && !f.insert_property) throw new Problem(`fix.${kind}`, 'needs insert_attribute or insert_property');
      fix[kind] = f;
    }
    rule.fix = fix;
  }
  if (r.notes !== undefined) rule.notes = r.notes;
  return rule;
}

function ruleLabel(raw: unknown, index: number): string {
  const id = isMap(raw) ? raw['id'] : undefined;
  return typeof id === 'string' && RULE_ID.test(id) ? `rule ${id}` : `rule #${index + 1}`;
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: false, lineCounter });
  const err = doc.errors[0];
  if (err) {
    const line = lineCounter.linePos(err.pos[0]).line;
    throw new RuleLoadError([`${path}: YAML: ${err.message.split('\n')[0]} (line ${line})`]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new RuleLoadError([`${path}: YAML: ${e instanceof Error ? e.message : String(e)}`]);
  }
  return data;
}

/** Checks and compiles the rules of one file's data (see parseRuleFile). */
export function rulesFromData(path: string, data: unknown): Rule[] {
  if (data === null || data === undefined) return [];
  if (!Array.isArray(data)) throw new RuleLoadError([`${path}: expected a list of rules, got ${describe(data)}`]);
  const rules: Rule[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  data.forEach((raw, i) => {
    const label = ruleLabel(raw, i);
    try {
      const rule = checkRule(raw, path);
      if (seen.has(rule.id)) throw new Problem('id', `duplicate id (also rule #${seen.get(rule.id)! + 1} of this file)`);
      seen.set(rule.id, i);
      rules.push(rule);
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      problems.push(`${path}: ${label}: ${e.at ? `${e.at}: ` : ''}${e.message}`);
    }
  });
  if (problems.length) throw new RuleLoadError(problems);
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
