/**
 * The worker thread a review runs in: it loads the parsers once, then runs `review()` for each task
 * it is given, recording which file it is on (progress.ts), so that the runner (on the main thread,
 * whose event loop stays free for webhooks) can stop it when one file overruns its time budget.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ready } from '../formats/index.js';
import type { Catalogue } from '../model.js';
import { review } from '../review.js';
import { progressWriter } from './progress.js';
import type { ReviewTask, WorkerMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('review-worker runs only as a worker thread');

const post = (m: WorkerMessage): void => port.postMessage(m);
const watch = progressWriter((workerData as { progress: SharedArrayBuffer }).progress);

await ready();
post({ type: 'ready' });

port.on('message', (task: ReviewTask) => {
  try {
    const catalogue: Catalogue = { rules: task.rules, byId: new Map(task.rules.map((r) => [r.id, r])) };
    const result = review(task.changeSet, catalogue, task.config, {
      ...(task.options.today !== undefined ? { today: task.options.today } : {}),
      ...(task.options.configPath !== undefined ? { configPath: task.options.configPath } : {}),
      ...(task.options.toolVersion !== undefined ? { toolVersion: task.options.toolVersion } : {}),
      overBudget: new Map(task.options.overBudget),
      watch,
    });
    post({ type: 'done', id: task.id, review: result });
  } catch (e) {
    post({ type: 'error', id: task.id, message: e instanceof Error ? e.message : String(e) });
  }
});
