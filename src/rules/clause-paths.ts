/**
 * Which paths a clause reads of its target. A document of one kind can answer the clauses of
 * another kind only where the clause reads nothing but the part their targets share (a boto3
 * `create_training_job` call answers a SageMaker pipeline `Training` step's clauses on its
 * `Arguments`, which are the same API request, and none of those on the step itself).
 */
import type { MatchClause, Predicate } from './types.js';

/** The paths a predicate reads from its node (those inside `each`/`count` are relative to items). */
function pathsOf(p: Predicate, out: string[]): boolean {
  if ('present' in p) out.push(p.present);
  else if ('absent' in p) out.push(p.absent);
  else if ('equals' in p) out.push(p.equals.path);
  else if ('one_of' in p) out.push(p.one_of.path);
  else if ('matches' in p) out.push(p.matches.path);
  else if ('greater_than' in p) out.push(p.greater_than.path);
  else if ('less_than' in p) out.push(p.less_than.path);
  else if ('credential' in p) out.push(p.credential.path, ...(p.credential.key === undefined ? [] : [p.credential.key]));
  else if ('each' in p) out.push(p.each.path);
  else if ('count' in p) out.push(p.count.path);
  else if ('all' in p) return p.all.every((q) => pathsOf(q, out));
  else if ('any' in p) return p.any.every((q) => pathsOf(q, out));
  else if ('not' in p) return pathsOf(p.not, out);
  // Repository predicates read beyond the document.
  else return false;
  return true;
}

/** Whether every path the clause reads (its `where` and `require`) lies under `prefix`. */
export function readsOnlyUnder(clause: MatchClause, prefix: string): boolean {
  const paths: string[] = [];
  if (!pathsOf(clause.require, paths)) return false;
  if (clause.where && !pathsOf(clause.where, paths)) return false;
  return paths.length > 0 && paths.every((path) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
}
