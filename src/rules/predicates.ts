/**
 * The closed predicate language of DESIGN §4, evaluated in three-valued (Kleene) logic.
 *
 * - `unknown` is what the file cannot tell: a symbolic value (a variable, a `!Ref`), a path that
 *   runs through a symbolic node, a nested block that exists only conditionally, a repository
 *   question asked without the repository. Rules decide how unknown counts (evaluate.ts).
 * - Paths fan out over lists (paths.ts). `present` is existential (some node at the path); value
 *   predicates (`equals`, `one_of`, `matches`, `greater_than`, `less_than`, `credential`) are universal (every node
 *   at the path satisfies them; none means absent, where `default` applies). Per-item requirements
 *   are written with `each`, which is clearer than relying on fan-out.
 * - Every verdict carries evidence: the concrete attribute path, the node to anchor on (absent for
 *   a missing attribute: the caller anchors on the target) and the actual value, rendered short.
 *   `not` keeps the evidence of its operand, so `not: {equals: ...}` anchors on the offending value.
 * - Paths may start at `$document` (the document's root), `$parent` (the enclosing target) or
 *   `$name` (the target's name; inside `each`/`count`, the map key of the item), and may hold one
 *   `**` (any depth of objects), see paths.ts. The roots come from the context: `$document` and
 *   `$parent` stay those of the target inside `each`/`count`, `$name` becomes the item's.
 *
 * The parts live in `predicates/`: verdicts and their logic, the contexts, patterns and globs,
 * values, the evaluation, its memo of document-level predicates, and the repository predicates.
 */
export type { PredicateContext, RepositoryContext } from './predicates/contexts.js';
export { evaluatePredicate } from './predicates/evaluation.js';
export { compileGlob, compilePattern, MAX_GLOB_LENGTH, MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, PatternError, precompile } from './predicates/patterns.js';
export { looseEquals, renderActual, toNumber } from './predicates/values.js';
export { and, negate, or, type Verdict } from './predicates/verdicts.js';

export const PREDICATE_NAMES = [
  'present',
  'absent',
  'equals',
  'one_of',
  'matches',
  'greater_than',
  'less_than',
  'credential',
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
