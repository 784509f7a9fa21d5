/** What runs a review: a pool of worker threads (pool.ts), or the calling thread (inline.ts). */
import type { Config } from '../config/schema.js';
import type { Catalogue, ChangeSet, Review } from '../model.js';

export interface RunOptions {
  today?: string;
  configPath?: string;
  toolVersion?: string;
  /** Aborting stops the review (a worker is terminated) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ReviewRunner {
  review(changeSet: ChangeSet, catalogue: Catalogue, config: Config, options?: RunOptions): Promise<Review>;
  close(): Promise<void>;
}
