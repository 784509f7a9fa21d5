/**
 * What a rule reads beyond the document it is evaluated on. Only `resource_exists` in a
 * `kind: repository` clause looks into other files (`tree_has` reads the file list, which every
 * source has anyway), so the resource types it names decide which unchanged files a review must
 * read as context (plan.ts).
 */
import type { Predicate, Rule } from '../model.js';

/** The resource types the repository clauses of `rules` look for anywhere in the repository. */
export function typesReadInRepository(rules: readonly Rule[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const clause of rule.match) {
      if (clause.kind !== 'repository') continue;
      collect(clause.require, out);
      if (clause.where) collect(clause.where, out);
    }
  }
  return out;
}

/** Walks a predicate tree (its combinators nest predicates in objects and lists) for `resource_exists`. */
function collect(p: Predicate | unknown, out: Set<string>): void {
  if (Array.isArray(p)) {
    for (const item of p) collect(item, out);
    return;
  }
  // Only the plain objects of the rule file: compiled patterns and the like hold no predicates.
  if (typeof p !== 'object' || p === null || Object.getPrototypeOf(p) !== Object.prototype) return;
  for (const [key, value] of Object.entries(p)) {
    if (key === 'resource_exists') {
      for (const t of typeof value === 'string' ? [value] : Array.isArray(value) ? value : []) if (typeof t === 'string') out.add(t);
    } else collect(value, out);
  }
}
