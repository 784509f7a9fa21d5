/**
 * The closed predicate language of DESIGN §4, evaluated in three-valued (Kleene) logic.
 *
 * - `unknown` is what the file cannot tell: a symbolic value (a variable, a `!Ref`), a path that
 *   runs through a symbolic node, a nested block that exists only conditionally, a repository
 *   question asked without the repository. Rules decide how unknown counts (evaluate.ts).
 * - Paths fan out over lists (paths.ts). `present` is existential (some node at the path); value
 *   predicates (`equals`, `one_of`, `matches`, `greater_than`, `less_than`) are universal (every node
 *   at the path satisfies them; none means absent, where `default` applies). Per-item requirements
 *   are written with `each`, which is clearer than relying on fan-out.
 * - Every verdict carries evidence: the concrete attribute path, the node to anchor on (absent for
 *   a missing attribute: the caller anchors on the target) and the actual value, rendered short.
 *   `not` keeps the evidence of its operand, so `not: {equals: ...}` anchors on the offending value.
 * - Paths may start at `$document` (the document's root), `$parent` (the enclosing target) or
 *   `$name` (the target's name; inside `each`/`count`, the map key of the item), and may hold one
 *   `**` (any depth of objects), see paths.ts. The roots come from the context: `$document` and
 *   `$parent` stay those of the target inside `each`/`count`, `$name` becomes the item's.
 */
import { RE2JS } from 're2js';
import type { Document, Node, Outcome, Predicate, Scalar } from '../model.js';
import { renderInline } from '../formats/tree.js';
import { compileGlob as compileLinearGlob, GlobError } from '../glob.js';
import { joinIndex, parsePath, resolvePath, type Hit, type PathRoots } from './paths.js';

export interface Verdict {
  outcome: Outcome;
  /** Concrete attribute path the verdict is about (`production_variants[0].instance_type`). */
  attribute?: string;
  /** Node to anchor a finding on; undefined when the attribute is missing. */
  node?: Node;
  /** Line to anchor on: the key's line of `node`, or the enclosing item's line for a missing attribute. */
  line?: number;
  /** The actual value, rendered short, for messages ("absent" when missing). */
  actual?: string;
  /**
   * The attribute was looked up from `$document` or `$parent`, outside the target: a missing one
   * cannot be inserted into the target by a fix.
   */
  outside?: boolean;
}

export interface RepositoryContext {
  /** Every path of the head tree. */
  tree: readonly string[];
  /** Documents of the change and of the context files. */
  documents: readonly Document[];
  /** Whether `documents` covers every artifact of the tree; if not, "found nothing" is unknown. */
  contextComplete: boolean;
  /**
   * Verdicts of repository predicates, which do not depend on the target: computed once per
   * review, not once per target (a PR with thousands of resources would otherwise be quadratic).
   */
  memo?: Map<string, Verdict>;
}

export interface PredicateContext {
  /** Null scalars count as absent (Terraform: `x = null` omits the argument). */
  nullIsAbsent?: boolean;
  /** Present only for `kind: repository` clauses. */
  repo?: RepositoryContext;
  /** What `$document`, `$parent` and `$name` resolve to (set by the evaluator per target). */
  roots?: PathRoots;
  /**
   * Verdicts of predicates rooted at `$document` that do not depend on the target (no `$parent`,
   * no target `$name` inside), shared by every target of one document: a rule that counts over the
   * whole document from each of its targets then costs one walk, not one per target.
   */
  documentMemo?: Map<Predicate, Verdict>;
}

export const PREDICATE_NAMES = [
  'present',
  'absent',
  'equals',
  'one_of',
  'matches',
  'greater_than',
  'less_than',
  'all',
  'any',
  'not',
  'each',
  'count',
  'tree_has',
  'resource_exists',
] as const;
export type PredicateName = (typeof PREDICATE_NAMES)[number];

/** Predicates that need the repository and so only make sense in `kind: repository` clauses. */
export const REPOSITORY_PREDICATES: readonly PredicateName[] = ['tree_has', 'resource_exists'];

// ---------------------------------------------------------------------------------------------
// Patterns (RE2) and globs
// ---------------------------------------------------------------------------------------------

/** Bounds on a pattern, so a repository's own rules cannot make the bot slow or eat memory. */
export const MAX_PATTERN_LENGTH = 1000;
export const MAX_PROGRAM_SIZE = 5000;
export { MAX_GLOB_LENGTH } from '../glob.js';

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

function patternOf(arg: { pattern: string }): RE2JS {
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

// ---------------------------------------------------------------------------------------------
// Three-valued logic
// ---------------------------------------------------------------------------------------------

/** Kleene conjunction: fail beats unknown beats pass. Keeps the evidence of the deciding verdict. */
export function and(verdicts: Iterable<Verdict>): Verdict {
  let unknown: Verdict | undefined;
  let first: Verdict | undefined;
  for (const v of verdicts) {
    if (v.outcome === 'fail') return v;
    if (v.outcome === 'unknown') unknown ??= v;
    first ??= v;
  }
  return unknown ?? first ?? { outcome: 'pass' };
}

/** Kleene disjunction: pass beats unknown beats fail. */
export function or(verdicts: Iterable<Verdict>): Verdict {
  let unknown: Verdict | undefined;
  let first: Verdict | undefined;
  for (const v of verdicts) {
    if (v.outcome === 'pass') return v;
    if (v.outcome === 'unknown') unknown ??= v;
    first ??= v;
  }
  return unknown ?? first ?? { outcome: 'fail' };
}

export function negate(v: Verdict): Verdict {
  const outcome: Outcome = v.outcome === 'pass' ? 'fail' : v.outcome === 'fail' ? 'pass' : 'unknown';
  return { ...v, outcome };
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number, or a string that is one ("3600" in CloudFormation). */
export function toNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v.trim());
  return undefined;
}

/**
 * Equality that forgives how a format spells a value: CloudFormation and YAML write `true` and
 * `"true"`, `2` and `"2"` for the same property. Strings compare case-sensitively (SageMaker enums
 * such as `Approved` are case-sensitive).
 */
export function looseEquals(a: Scalar, b: Scalar): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a === typeof b) return false;
  const s = typeof a === 'string' ? a : typeof b === 'string' ? b : undefined;
  const o = s === a ? b : a;
  if (s === undefined) return false;
  if (typeof o === 'number') return toNumber(s) === o;
  if (typeof o === 'boolean') return s.trim().toLowerCase() === String(o);
  return false;
}

function text(v: Scalar): string {
  return v === null ? '' : String(v);
}

const ACTUAL_BUDGET = 80;

export function renderActual(node: Node): string {
  // A symbol shows as written (`var.size`, `!Ref Key`), not as a quoted string.
  if (node.type === 'symbolic') return node.expr.length > ACTUAL_BUDGET ? node.expr.slice(0, ACTUAL_BUDGET - 1) + '…' : node.expr;
  return renderInline(node, ACTUAL_BUDGET);
}

function renderScalar(v: Scalar): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function joinWritten(base: string, path: string): string {
  if (path === '.') return base || '.';
  if (!base) return path;
  return path.startsWith('[') ? base + path : `${base}.${path}`;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/**
 * Evaluates a predicate against a node (a target's node, or an item inside `each`/`count`).
 * `base` is the node's concrete path, prefixed to the attributes in the evidence.
 */
export function evaluatePredicate(p: Predicate, node: Node, ctx: PredicateContext = {}, base = ''): Verdict {
  const memo = ctx.documentMemo;
  if (memo && documentLevel(p)) {
    let v = memo.get(p);
    if (!v) {
      v = evaluateUncached(p, node, ctx, base);
      memo.set(p, v);
    }
    return v;
  }
  return evaluateUncached(p, node, ctx, base);
}

function evaluateUncached(p: Predicate, node: Node, ctx: PredicateContext, base: string): Verdict {
  if ('present' in p) return present(p.present, node, ctx, base);
  if ('absent' in p) return negate(present(p.absent, node, ctx, base));
  if ('equals' in p) {
    const { value } = p.equals;
    return valueTest(p.equals.path, node, ctx, base, p.equals.default, (v) => looseEquals(v, value));
  }
  if ('one_of' in p) {
    const { values } = p.one_of;
    return valueTest(p.one_of.path, node, ctx, base, p.one_of.default, (v) => values.some((x) => looseEquals(v, x)));
  }
  if ('matches' in p) {
    const re = patternOf(p.matches);
    return valueTest(p.matches.path, node, ctx, base, p.matches.default, (v) => re.test(text(v)));
  }
  if ('greater_than' in p) {
    const { value } = p.greater_than;
    return valueTest(p.greater_than.path, node, ctx, base, p.greater_than.default, (v) => {
      const n = toNumber(v);
      return n !== undefined && n > value;
    });
  }
  if ('less_than' in p) {
    const { value } = p.less_than;
    return valueTest(p.less_than.path, node, ctx, base, p.less_than.default, (v) => {
      const n = toNumber(v);
      return n !== undefined && n < value;
    });
  }
  if ('all' in p) return and(lazy(p.all, (q) => evaluatePredicate(q, node, ctx, base)));
  if ('any' in p) return or(lazy(p.any, (q) => evaluatePredicate(q, node, ctx, base)));
  if ('not' in p) return negate(evaluatePredicate(p.not, node, ctx, base));
  if ('each' in p) return each(p.each.path, p.each.require, node, ctx, base);
  if ('count' in p) return count(p.count, node, ctx, base);
  if ('tree_has' in p) return treeHas(p.tree_has, ctx);
  if ('resource_exists' in p) return resourceExists(p.resource_exists, ctx);
  const never: never = p;
  throw new Error(`unknown predicate ${JSON.stringify(never)}`);
}

/** The path a predicate starts from, for those that have one. */
function pathOf(p: Predicate): string | undefined {
  if ('present' in p) return p.present;
  if ('absent' in p) return p.absent;
  if ('equals' in p) return p.equals.path;
  if ('one_of' in p) return p.one_of.path;
  if ('matches' in p) return p.matches.path;
  if ('greater_than' in p) return p.greater_than.path;
  if ('less_than' in p) return p.less_than.path;
  if ('each' in p) return p.each.path;
  if ('count' in p) return p.count.path;
  return undefined;
}

function rootOf(path: string): string | undefined {
  if (path === '.') return undefined;
  const first = parsePath(path)[0];
  return first && 'root' in first ? first.root : undefined;
}

/** Whether a predicate, or one inside it, reads `$parent` (which differs between targets). */
function readsParent(p: Predicate): boolean {
  const path = pathOf(p);
  if (path !== undefined && rootOf(path) === 'parent') return true;
  if ('all' in p) return p.all.some(readsParent);
  if ('any' in p) return p.any.some(readsParent);
  if ('not' in p) return readsParent(p.not);
  if ('each' in p) return readsParent(p.each.require);
  if ('count' in p) return p.count.where !== undefined && readsParent(p.count.where);
  return false;
}

const documentLevelCache = new WeakMap<Predicate, boolean>();

/**
 * A predicate whose verdict is the same for every target of a document: its path starts at
 * `$document`, and nothing inside reads `$parent`. (`$name` inside `each`/`count` is the item's
 * key, which comes from the document too.)
 */
function documentLevel(p: Predicate): boolean {
  let d = documentLevelCache.get(p);
  if (d === undefined) {
    const path = pathOf(p);
    d = path !== undefined && rootOf(path) === 'document' && !readsParent(p);
    documentLevelCache.set(p, d);
  }
  return d;
}

/** Maps lazily, so `all`/`any` stop at the first deciding operand. */
function* lazy<T, U>(xs: readonly T[], fn: (x: T) => U): Generator<U> {
  for (const x of xs) yield fn(x);
}

function evidence(h: Hit): Pick<Verdict, 'attribute' | 'node' | 'line' | 'actual' | 'outside'> {
  const e: Pick<Verdict, 'attribute' | 'node' | 'line' | 'actual' | 'outside'> = { attribute: h.path, node: h.node, line: h.line, actual: renderActual(h.node) };
  if (h.outside) e.outside = true;
  return e;
}

function resolve(path: string, node: Node, ctx: PredicateContext, base: string) {
  const options: Parameters<typeof resolvePath>[2] = { base, nullIsAbsent: ctx.nullIsAbsent ?? false };
  if (ctx.roots) options.roots = ctx.roots;
  return resolvePath(node, path, options);
}

/**
 * The attribute a verdict about a path names when nothing is found there: relative to the node
 * under test (with its concrete `base`), or as written from a root (`$document.` dropped: what is
 * left is the path in the file).
 */
function written(base: string, path: string): Pick<Verdict, 'attribute' | 'outside'> {
  const first = path === '.' ? undefined : parsePath(path)[0];
  if (first && 'root' in first) {
    if (first.root === 'name') return { attribute: '$name' };
    if (first.root === 'parent') return { attribute: path, outside: true };
    const rest = path.slice('$document'.length).replace(/^\./, '');
    return { attribute: rest || '.', outside: true };
  }
  return { attribute: joinWritten(base, path) };
}

function blockedVerdict(b: { node: Node; path: string }): Verdict {
  return { outcome: 'unknown', attribute: b.path, node: b.node, actual: renderActual(b.node) };
}

function present(path: string, node: Node, ctx: PredicateContext, base: string): Verdict {
  const r = resolve(path, node, ctx, base);
  const sure = r.hits.find((h) => !h.conditional);
  if (sure) return { outcome: 'pass', ...evidence(sure) };
  const maybe = r.hits[0];
  if (maybe) return { outcome: 'unknown', ...evidence(maybe) };
  const blocked = r.blocked[0];
  if (blocked) return blockedVerdict(blocked);
  return { outcome: 'fail', ...written(base, path), actual: 'absent' };
}

function valueTest(path: string, node: Node, ctx: PredicateContext, base: string, dflt: Scalar | undefined, test: (v: Scalar) => boolean): Verdict {
  const r = resolve(path, node, ctx, base);
  // What the verdict would be if the attribute were not there: the default decides, else a failure.
  const ifAbsent: Outcome = dflt === undefined ? 'fail' : test(dflt) ? 'pass' : 'fail';
  if (r.hits.length === 0) {
    const blocked = r.blocked[0];
    if (blocked) return blockedVerdict(blocked);
    const actual = dflt === undefined ? 'absent' : `absent (default ${renderScalar(dflt)})`;
    return { outcome: ifAbsent, ...written(base, path), actual };
  }
  const verdicts = r.hits.map((h): Verdict => {
    let outcome: Outcome;
    if (h.node.type === 'symbolic') outcome = 'unknown';
    else if (h.node.type === 'scalar') outcome = test(h.node.value) ? 'pass' : 'fail';
    else outcome = 'fail'; // a map or list where a scalar is expected
    // A conditional node may not exist at plan time; only a verdict that holds either way stands.
    if (h.conditional && outcome !== ifAbsent) outcome = 'unknown';
    return { outcome, ...evidence(h) };
  });
  const blocked = r.blocked[0];
  if (blocked) verdicts.push(blockedVerdict(blocked));
  return and(verdicts);
}

interface Item {
  node: Node;
  path: string;
  line: number;
  conditional: boolean;
  /** The map key the item was found under (its `$name`); none for list items. */
  key?: string;
}

/**
 * The items at a path for `each` and `count`: a list contributes its items, any other node itself.
 * `open` is set when the set of items cannot be known (a symbolic list, a path through a symbol).
 */
function itemsAt(path: string, node: Node, ctx: PredicateContext, base: string): { items: Item[]; open: Verdict | undefined } {
  const r = resolve(path, node, ctx, base);
  const items: Item[] = [];
  let open: Verdict | undefined;
  for (const h of r.hits) {
    if (h.node.type === 'list') {
      h.node.items.forEach((it, j) => items.push({ node: it, path: joinIndex(h.path, j), line: it.startLine, conditional: h.conditional }));
    } else if (h.node.type === 'symbolic') {
      open ??= { outcome: 'unknown', ...evidence(h) };
    } else {
      const it: Item = { node: h.node, path: h.path, line: h.line, conditional: h.conditional };
      if (h.key !== undefined) it.key = h.key;
      items.push(it);
    }
  }
  const blocked = r.blocked[0];
  if (blocked) open ??= blockedVerdict(blocked);
  return { items, open };
}

/** The context for an item of `each`/`count`: the target's roots, with the item's own `$name`. */
function itemContext(ctx: PredicateContext, it: Item): PredicateContext {
  const roots: PathRoots = { ...ctx.roots };
  if (it.key !== undefined) roots.name = { value: it.key, line: it.line, path: it.path };
  else delete roots.name;
  return { ...ctx, roots };
}

function each(path: string, require: Predicate, node: Node, ctx: PredicateContext, base: string): Verdict {
  const { items, open } = itemsAt(path, node, ctx, base);
  function* verdicts(): Generator<Verdict> {
    for (const it of items) {
      const v = evaluatePredicate(require, it.node, itemContext(ctx, it), it.path);
      // A missing attribute of an item is anchored on the item rather than the whole target.
      const anchored: Verdict = v.node || v.line ? v : { ...v, line: it.line };
      // An item that may not exist cannot fail for sure (absent items pass vacuously).
      yield it.conditional && anchored.outcome === 'fail' ? { ...anchored, outcome: 'unknown' } : anchored;
    }
    if (open) yield open;
  }
  return and(verdicts());
}

function count(arg: { path: string; where?: Predicate; min?: number; max?: number }, node: Node, ctx: PredicateContext, base: string): Verdict {
  const { items, open } = itemsAt(arg.path, node, ctx, base);
  let sure = 0;
  let maybe = 0;
  let lastSure: Item | undefined;
  for (const it of items) {
    const w = arg.where ? evaluatePredicate(arg.where, it.node, itemContext(ctx, it), it.path).outcome : 'pass';
    if (w === 'fail') continue;
    if (w === 'unknown' || it.conditional) maybe++;
    else {
      sure++;
      lastSure = it;
    }
  }
  const { attribute, outside } = written(base, arg.path);
  const actual = open ? `${sure} or more` : maybe > 0 ? `${sure} to ${sure + maybe}` : String(sure);
  const verdicts: Verdict[] = [];
  if (arg.min !== undefined) {
    const outcome: Outcome = sure >= arg.min ? 'pass' : open || sure + maybe >= arg.min ? 'unknown' : 'fail';
    verdicts.push(outside ? { outcome, attribute, actual, outside } : { outcome, attribute, actual });
  }
  if (arg.max !== undefined) {
    const outcome: Outcome = sure > arg.max ? 'fail' : !open && sure + maybe <= arg.max ? 'pass' : 'unknown';
    // Too many: anchor on the last item that made it too many.
    const v: Verdict = lastSure ? { outcome, attribute, actual, node: lastSure.node, line: lastSure.line } : { outcome, attribute, actual };
    if (outside) v.outside = true;
    verdicts.push(v);
  }
  return and(verdicts);
}

function list(x: string | string[]): string[] {
  return typeof x === 'string' ? [x] : x;
}

/** A repository predicate's verdict, memoised on the repository context. */
function memoised(key: string, repo: RepositoryContext, compute: () => Verdict): Verdict {
  repo.memo ??= new Map();
  let v = repo.memo.get(key);
  if (!v) {
    v = compute();
    repo.memo.set(key, v);
  }
  return v;
}

function treeHas(arg: string | string[], ctx: PredicateContext): Verdict {
  const repo = ctx.repo;
  if (!repo) return { outcome: 'unknown', attribute: 'tree', actual: 'repository tree not available' };
  return memoised(`tree_has\u0000${list(arg).join('\u0000')}`, repo, () => treeHasUncached(list(arg), repo));
}

function treeHasUncached(globsList: string[], repo: RepositoryContext): Verdict {
  const matchers = globsList.map(compileGlob);
  const found = repo.tree.find((p) => matchers.some((m) => m(p)));
  if (found !== undefined) return { outcome: 'pass', attribute: 'tree', actual: found };
  return { outcome: 'fail', attribute: 'tree', actual: `no file matches ${globsList.join(', ')}` };
}

function resourceExists(arg: string | string[], ctx: PredicateContext): Verdict {
  const repo = ctx.repo;
  if (!repo) return { outcome: 'unknown', attribute: 'resources', actual: 'repository context not available' };
  return memoised(`resource_exists\u0000${list(arg).join('\u0000')}`, repo, () => resourceExistsUncached(list(arg), repo));
}

function resourceExistsUncached(typeList: string[], repo: RepositoryContext): Verdict {
  const types = new Set(typeList);
  for (const doc of repo.documents) {
    const t = doc.targets.find((x) => types.has(x.type));
    if (t) return { outcome: 'pass', attribute: 'resources', actual: `${t.address} in ${doc.path}` };
  }
  const actual = `no ${[...types].join(' or ')} found`;
  // Files the source did not read may hold one: only a complete context can say "none".
  return { outcome: repo.contextComplete ? 'fail' : 'unknown', attribute: 'resources', actual };
}
