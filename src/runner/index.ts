export { inlineRunner } from './inline.js';
export { ReviewBudgetError, WorkerPool, type PoolOptions } from './pool.js';
export type { ReviewRunner, RunOptions } from './types.js';
