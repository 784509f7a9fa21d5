/**
 * What a predicate is evaluated with besides its node: the repository (for `kind: repository`
 * clauses), the roots of paths, and the memos that keep a review from repeating work.
 */
import type { ContextDocuments } from '../../context-index.js';
import type { Document, Predicate } from '../../model.js';
import type { PathRoots } from '../paths.js';
import type { Verdict } from './verdicts.js';

export interface RepositoryContext {
  /** Every path of the tree of the side evaluated. */
  tree: readonly string[];
  /** Documents of the side's changed files. */
  documents: readonly Document[];
  /** The unchanged files' documents, parsed when a predicate needs them (src/context-index.ts). */
  context?: ContextDocuments | undefined;
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
