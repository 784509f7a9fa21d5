/**
 * Patterns (RE2) and globs of predicates, compiled within size limits so that a repository's own
 * rules cannot make the bot slow or eat memory; `matches` patterns are compiled once per rule.
 */
import { RE2JS } from 're2js';
import { compileGlob as compileLinearGlob, GlobError } from '../../glob.js';

/** Bounds on a pattern, so a repository's own rules cannot make the bot slow or eat memory. */
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_PROGRAM_SIZE = 5000;
export { MAX_GLOB_LENGTH } from '../../glob.js';

export class PatternError extends Error {}

/** Compiles an RE2 pattern within the size limits; throws PatternError with RE2's reason. */
export function compilePattern(pattern: string): RE2JS {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`pattern is ${pattern.length} characters long (limit ${MAX_PATTERN_LENGTH})`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new PatternError(`invalid RE2 pattern: ${e instanceof Error ? e.message : String(e)}`);
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM_SIZE) throw new PatternError(`pattern compiles to ${size} instructions (limit ${MAX_PROGRAM_SIZE})`);
  return re;
}

/** Compiled patterns, keyed by the `matches` argument object of a loaded rule (so compiled once). */
const patterns = new WeakMap<object, RE2JS>();

/** Compiles and remembers the pattern of a `matches` argument; the loader calls it for every rule. */
export function precompile(arg: { pattern: string }): void {
  if (!patterns.has(arg)) patterns.set(arg, compilePattern(arg.pattern));
}

export function patternOf(arg: { pattern: string }): RE2JS {
  let re = patterns.get(arg);
  if (!re) {
    // Hand-built rules (tests, programmatic use) are compiled on first use.
    re = compilePattern(arg.pattern);
    patterns.set(arg, re);
  }
  return re;
}

/** A glob matcher, linear in the path (src/glob.ts, which caches it); PatternError says why a glob is refused. */
export function compileGlob(glob: string): (path: string) => boolean {
  try {
    return compileLinearGlob(glob);
  } catch (e) {
    if (e instanceof GlobError) throw new PatternError(e.message);
    throw e;
  }
}
