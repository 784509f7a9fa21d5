/** What runs a review: a pool of worker threads (pool.ts), or the calling thread (inline.ts). */
import type { ChangeSet, Review } from '../model.js';
import type { LearntFact } from '../parse-cache.js';
import type { PlanInput } from '../plan.js';

export interface RunOptions {
  toolVersion?: string | undefined;
  /** Aborting stops the review (a worker is terminated) and rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Takes what the review learnt of its context files, for the parse cache (review.ts `learn`). */
  learn?: ((facts: LearntFact[]) => void) | undefined;
}

export interface ReviewRunner {
  /**
   * Reviews a change with the plan made of `input`. The input, not the plan, is what is passed: a
   * plan holds compiled globs, so a worker thread builds the same plan again from the same data.
   */
  review(changeSet: ChangeSet, input: PlanInput, options?: RunOptions): Promise<Review>;
  close(): Promise<void>;
}
