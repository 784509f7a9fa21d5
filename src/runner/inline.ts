/**
 * Runs reviews on the calling thread: no time budget can be enforced (a synchronous parse cannot
 * be interrupted), so the App and the command line use the worker pool; this is for library use
 * and tests of what a review finds.
 */
import { createEngine } from '../engine.js';
import type { ReviewRunner } from './types.js';

export const inlineRunner: ReviewRunner = {
  async review(changeSet, input, options = {}) {
    options.signal?.throwIfAborted();
    // The process's engine: createEngine() makes it once.
    const e = await createEngine();
    return e.review(changeSet, e.plan(input), { toolVersion: options.toolVersion, learn: options.learn });
  },
  async close() {},
};
