/**
 * Checking one predicate of a rule: the predicate names, their arguments, paths, patterns and globs,
 * every problem reported, and the predicate returned in its loaded form when it has none.
 */
import type { Predicate } from '../../model.js';
import { parsePath, PathSyntaxError } from '../paths.js';
import { compileGlob, compilePattern, PatternError, precompile, PREDICATE_NAMES, REPOSITORY_PREDICATES, type PredicateName } from '../predicates.js';
import { check, isMap, quoteKey, type At, type Problem } from './problems.js';
import { ARGS, path, strings } from './schemas.js';

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
/**
 * `compile: false`: patterns and globs are not compiled here (they are on first use): for the
 * built-in rules the build has already checked (scripts/compile-rules.js), so that a start does not
 * pay for compiling every pattern of the catalogue.
 */
export interface CheckOptions {
  compile: boolean;
}
const COMPILE: CheckOptions = { compile: true };

export function checkPredicate(raw: unknown, at: At, repository: boolean, problems: Problem[], options: CheckOptions = COMPILE): Predicate | undefined {
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
  const loaded = checkArguments(name, arg, sub, repository, problems, options);
  return problems.length === before ? loaded : undefined;
}

function checkArguments(name: PredicateName, arg: unknown, sub: At, repository: boolean, problems: Problem[], options: CheckOptions): Predicate | undefined {
  switch (name) {
    case 'present':
    case 'absent': {
      const p = check(path, arg, sub, problems);
      if (p === undefined) return undefined;
      checkPath(p, sub, problems);
      return name === 'present' ? { present: p } : { absent: p };
    }
    case 'credential': {
      if (typeof arg === 'string') {
        checkPath(arg, sub, problems);
        return { credential: { path: arg } };
      }
      const a = check(ARGS.credential, arg, sub, problems);
      if (!a) return undefined;
      checkArgPath(arg, sub, problems);
      if (a.key !== undefined) checkPath(a.key, [...sub, 'key'], problems);
      return { credential: a };
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
      if (a) {
        if (options.compile) checkPattern(() => precompile(a), [...sub, 'pattern'], problems);
      } else if (isMap(arg) && typeof arg['pattern'] === 'string') {
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
      const list = arg.map((q, i) => checkPredicate(q, [...sub, i], repository, problems, options));
      if (!list.every((q) => q !== undefined)) return undefined;
      return name === 'all' ? { all: list } : { any: list };
    }
    case 'not': {
      const p = checkPredicate(arg, sub, repository, problems, options);
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
      const require = checkPredicate(arg['require'], [...sub, 'require'], repository, problems, options);
      return a && require && { each: { path: a.path, require } };
    }
    case 'count': {
      const a = check(ARGS.count, arg, sub, problems);
      checkArgPath(arg, sub, problems);
      if (!isMap(arg)) return undefined;
      const { min, max } = arg;
      if (min === undefined && max === undefined) problems.push({ at: sub, message: 'needs min, max or both' });
      if (typeof min === 'number' && typeof max === 'number' && min > max) problems.push({ at: sub, message: `min (${min}) is greater than max (${max})` });
      const where = arg['where'] === undefined ? undefined : checkPredicate(arg['where'], [...sub, 'where'], repository, problems, options);
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
        if (options.compile) for (const g of typeof a === 'string' ? [a] : a) checkPattern(() => compileGlob(g), sub, problems);
        return { tree_has: a };
      }
      return { resource_exists: a };
    }
  }
}
