/**
 * Loading `.github/ml-lens.yml` from disk for the command line: YAML in, a validated Config out, or
 * a ConfigError whose message names every wrong key on its own line (never a stack trace).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { configJsonSchema, configSchema, defaultConfig, type Config } from './schema.js';
import { readYamlData } from './yaml-data.js';

/** The configuration could not be read or is not valid. `problems` holds one line per wrong key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string | undefined,
    readonly problems: string[],
  ) {
    super(`invalid configuration${file ? ` in ${file}` : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Where a repository keeps its configuration, in the order they are looked for. */
export const REPO_CONFIG_PATHS = ['.github/ml-lens.yml', '.github/ml-lens.yaml'] as const;


/**
 * Reads and validates a configuration file. No file, or an empty file, gives the defaults.
 * `label` names the file in messages (default: `file`).
 * `_extends` (which the GitHub App resolves against the organisation's `.github` repository) is
 * accepted and ignored here.
 */
export function loadConfig(file?: string, label: string | undefined = file): Config {
  if (file === undefined) return defaultConfig();
  if (!existsSync(file)) throw new ConfigError(label, ['the file does not exist']);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(label, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
  return parseConfig(text, label);
}

/** Validates configuration text (YAML or JSON). `file` is only used in messages. */
export function parseConfig(text: string, file?: string): Config {
  // Far more than any configuration needs; bounds the time its parse may hold the event loop.
  if (text.length > MAX_CONFIG_CHARS) throw new ConfigError(file, [`the file is larger than ${MAX_CONFIG_CHARS / 1024} KB`]);
  const r = readYamlData(text);
  if ('problems' in r) throw new ConfigError(file, r.problems.map((p) => (p.line === undefined ? p.message : `line ${p.line}: ${p.message}`)));
  return validateConfig(r.data, file);
}

export const MAX_CONFIG_CHARS = 256 * 1024;

/** Validates an already-parsed value. null/undefined (an empty file) gives the defaults. */
export function validateConfig(raw: unknown, file?: string): Config {
  if (raw === null || raw === undefined) return defaultConfig();
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [`the top level must be a mapping of settings, not ${typeName(raw)}`]);
  }
  const { _extends: _ignored, ...rest } = raw as Record<string, unknown>;
  const result = configSchema.safeParse(rest);
  if (result.success) return result.data;
  throw new ConfigError(file, formatIssues(result.error.issues, rest));
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

type Issue = z.core.$ZodIssue;

/** One line per problem: `gate.fail_on: expected one of critical|high|medium|low|info`. */
export function formatIssues(issues: readonly Issue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(path);
      for (const key of issue.keys) {
        const at = formatPath([...path, key]);
        const hint = allowed ? ` (expected one of ${allowed.join(', ')})` : '';
        lines.push(`${at}: unknown key${hint}`);
      }
      continue;
    }
    const at = formatPath(path) || '(top level)';
    lines.push(`${at}: ${issueText(issue, valueAt(input, path))}`);
  }
  return [...new Set(lines)];
}

function issueText(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join('|')}${value === undefined ? '' : `, got ${show(value)}`}`;
    case 'invalid_type':
      if (value === undefined) return `required (${issue.expected})`;
      return `expected ${issue.expected}, got ${describe(value)}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return issue.message && !issue.message.startsWith('Too small') ? issue.message : 'must not be empty';
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${show(value)}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${String(issue.maximum)} item(s)`;
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${show(value)}`;
    case 'invalid_format':
      return `${issue.message}${value === undefined ? '' : `, got ${show(value)}`}`;
    case 'invalid_key':
      return `invalid key: ${issue.issues.map((i) => issueText(i, undefined)).join('; ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${printable(String(p))}` : printable(String(p));
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** A value's type, never its content: `a string`, `a list`. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'undefined' ? 'nothing' : `a ${typeof v}`;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return quotable(v) ? `a string (${JSON.stringify(v)})` : quoteScalar(v);
  if (typeof v === 'number' || typeof v === 'boolean') return quotable(String(v)) ? `${typeof v} ${String(v)}` : typeName(v);
  return typeName(v);
}

function show(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? quoteScalar(v) : typeName(v);
}

// The file behind a message may not be a configuration or a rule file at all: a repository can
// point us at any file (a token, `/proc/self/environ`), and messages end up in check runs, comments
// and logs. So a message names the offending key and quotes a value only when it is short and
// printable; anything else is named by its type.

/** Longest value, in characters, that a message quotes. */
const MAX_QUOTED = 16;
/** Control, format (bidi overrides, zero-width) and line/paragraph separator characters. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');

/** Whether a message may quote this text read from a file. */
export function quotable(text: string): boolean {
  // A character is one or two UTF-16 units: the first test spares spreading a long text.
  return text.length <= MAX_QUOTED * 2 && [...text].length <= MAX_QUOTED && !UNPRINTABLE.test(text);
}

/** Text read from a file (a key), kept on one line and free of terminal escapes: `a\u000ab`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE_ALL, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** A scalar read from a file, for a message: `"urgent"`, `120`, or `a string of 40 characters`. */
export function quoteScalar(v: string | number | boolean): string {
  if (typeof v !== 'string') return quotable(String(v)) ? String(v) : `a ${typeof v}`;
  if (quotable(v)) return JSON.stringify(v);
  const n = [...v].length;
  return `a string of ${n} character${n === 1 ? '' : 's'}`;
}

/** The keys the JSON Schema allows at a path, for "unknown key" hints. */
function allowedKeys(path: readonly PropertyKey[]): string[] | undefined {
  let node = configJsonSchema() as JsonSchemaNode | undefined;
  for (const p of path) {
    if (!node) return undefined;
    if (typeof p === 'number') node = node.items;
    else node = node.properties?.[String(p)] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  if (!node) return undefined;
  if (node.properties) return Object.keys(node.properties);
  if (node.propertyNames?.enum) return node.propertyNames.enum.map(String);
  return undefined;
}

interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  propertyNames?: { enum?: unknown[] };
}
