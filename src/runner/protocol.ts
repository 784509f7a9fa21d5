/**
 * Messages between a review runner and its worker thread. Plain data only: everything crosses the
 * thread boundary by structured clone.
 */
import type { Config } from '../config/schema.js';
import type { ChangeSet, Review, Rule } from '../model.js';
import type { LearntFact } from '../parse-cache.js';

export interface ReviewTask {
  id: number;
  changeSet: ChangeSet;
  /** The catalogue's rules, without their examples (the review never reads them). */
  rules: Rule[];
  config: Config;
  /** The rest of the plan's input (plan.ts `PlanInput`): the worker builds the plan from it. */
  today: string;
  configPath?: string | undefined;
  options: {
    toolVersion?: string | undefined;
    /** Files an earlier attempt gave up on, with the reason. */
    overBudget: [string, string][];
    /** Send back what the review learnt of its context files (`learnt` of the answer). */
    learn: boolean;
  };
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; review: Review; learnt?: LearntFact[] | undefined }
  | { type: 'error'; id: number; message: string };
