/**
 * Runs reviews on the calling thread: no time budget can be enforced (a synchronous parse cannot
 * be interrupted), so the App and the command line use the worker pool; this is for library use
 * and tests of what a review finds.
 */
import { ready } from '../formats/index.js';
import { review } from '../review.js';
import type { ReviewRunner } from './types.js';

export const inlineRunner: ReviewRunner = {
  async review(changeSet, catalogue, config, options = {}) {
    options.signal?.throwIfAborted();
    await ready();
    const { signal: _signal, ...rest } = options;
    return review(changeSet, catalogue, config, rest);
  },
  async close() {},
};
