/**
 * Problems of rule files and how they are worded: a place inside a rule, zod issues in our own plain
 * words (never quoting more of a value than is safe), and the order of the file.
 */
import { z } from 'zod';
import { printable, quoteScalar } from '../../config/load.js';

export class RuleLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RuleLoadError';
  }
}

/** A place inside one rule: keys and list indexes from the rule down. */
export type At = readonly (string | number)[];

/** A problem at a place inside one rule; turned into a full message by the caller. */
export interface Problem {
  at: At;
  message: string;
  /** Where the problem sits in the file, when not at `at` itself (the first of unknown keys). */
  near?: At;
}

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
export function describe(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return quoteScalar(v);
  return typeName(v);
}

/** A value's type, never its content: a rule file may be any file at all, a secret included. */
export function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `a ${typeof v}`;
}

export const quoteKey = (key: string): string => `"${printable(key)}"`;

export function joinAt(at: At): string {
  let s = '';
  for (const p of at) s = typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${printable(p)}` : printable(p);
  return s;
}

/** Adds every issue of `value` against `schema` to `problems`; the parsed value when there is none. */
export function check<T>(schema: z.ZodType<T>, value: unknown, at: At, problems: Problem[]): T | undefined {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  for (const issue of r.error.issues) problems.push(formatIssue(issue, at));
  return undefined;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
export function inFileOrder(raw: unknown, problems: Problem[]): Problem[] {
  const places = new Map(problems.map((p) => [p, placeIn(raw, p.near ?? p.at)]));
  return [...problems].sort((a, b) => {
    const x = places.get(a)!;
    const y = places.get(b)!;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return x.length - y.length;
  });
}
