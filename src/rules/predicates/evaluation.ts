/**
 * Evaluation of a predicate against a node: the value predicates over the hits of a path, `all`,
 * `any` and `not` in three-valued logic, `each` and `count` over the items at a path, each verdict
 * with its evidence.
 */
import type { Node, Outcome, Predicate, Scalar } from '../../model.js';
import { joinIndex, parsePath, resolvePath, type Hit, type PathRoots } from '../paths.js';
import type { PredicateContext } from './contexts.js';
import { documentLevel } from './document-level.js';
import { patternOf } from './patterns.js';
import { resourceExists, treeHas } from './repository.js';
import { joinWritten, looseEquals, renderActual, renderScalar, text, toNumber } from './values.js';
import { looksLikeCredentialUnder } from '../../redact.js';
import { and, negate, or, type Verdict } from './verdicts.js';

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
  if ('credential' in p) return credential(p.credential, node, ctx, base);
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

/**
 * `credential`: the value read as assigned to its key, which tells a hex API key from a digest. The
 * key is the scalar at `key` when given (unknown there: the verdict is unknown), else the map key
 * the value sits under, or for `.` the item's `$name`.
 */
function credential(arg: { path: string; key?: string | undefined }, node: Node, ctx: PredicateContext, base: string): Verdict {
  let named: string | undefined;
  if (arg.key !== undefined) {
    const k = resolve(arg.key, node, ctx, base).hits[0]?.node;
    if (k?.type === 'symbolic') return { outcome: 'unknown', ...written(base, arg.key), actual: renderActual(k) };
    if (k?.type === 'scalar' && typeof k.value === 'string') named = k.value;
  } else if (arg.path === '.') named = ctx.roots?.name?.value;
  return valueTest(arg.path, node, ctx, base, undefined, (v, h) => typeof v === 'string' && looksLikeCredentialUnder(named ?? h?.key, v));
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

function valueTest(path: string, node: Node, ctx: PredicateContext, base: string, dflt: Scalar | undefined, test: (v: Scalar, hit?: Hit) => boolean): Verdict {
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
    else if (h.node.type === 'scalar') outcome = test(h.node.value, h) ? 'pass' : 'fail';
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
