export { InProcessQueue, type InProcessQueueOptions, type QueueLog } from './in-process.js';
export type { EnqueueResult, JobControl, JobQueue, QueuedJob, Worker } from './types.js';
