/**
 * Which predicates are document-level: rooted at `$document` and blind to `$parent`, so that one
 * verdict serves every target of a document (PredicateContext.documentMemo).
 */
import type { Predicate } from '../../model.js';
import { parsePath } from '../paths.js';

/** The path a predicate starts from, for those that have one. */
function pathOf(p: Predicate): string | undefined {
  if ('present' in p) return p.present;
  if ('absent' in p) return p.absent;
  if ('equals' in p) return p.equals.path;
  if ('one_of' in p) return p.one_of.path;
  if ('matches' in p) return p.matches.path;
  if ('greater_than' in p) return p.greater_than.path;
  if ('less_than' in p) return p.less_than.path;
  if ('credential' in p) return p.credential.path;
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
export function documentLevel(p: Predicate): boolean {
  let d = documentLevelCache.get(p);
  if (d === undefined) {
    const path = pathOf(p);
    d = path !== undefined && rootOf(path) === 'document' && !readsParent(p);
    documentLevelCache.set(p, d);
  }
  return d;
}
