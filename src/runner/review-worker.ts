/**
 * The worker thread a review runs in: it loads the parsers once, then runs `review()` for each task
 * it is given, recording which file it is on (progress.ts), so that the runner (on the main thread,
 * whose event loop stays free for webhooks) can stop it when one file overruns its time budget.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../engine.js';
import type { Catalogue } from '../model.js';
import type { LearntFact } from '../parse-cache.js';
import { progressWriter } from './progress.js';
import type { ReviewTask, WorkerMessage } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('review-worker runs only as a worker thread');

const post = (m: WorkerMessage): void => port.postMessage(m);
const watch = progressWriter((workerData as { progress: SharedArrayBuffer }).progress);

const engine = await createEngine();
post({ type: 'ready' });

port.on('message', (task: ReviewTask) => {
  try {
    const catalogue: Catalogue = { rules: task.rules, byId: new Map(task.rules.map((r) => [r.id, r])) };
    const plan = engine.plan({ config: task.config, catalogue, today: task.today, configPath: task.configPath });
    let learnt: LearntFact[] | undefined;
    const learn = task.options.learn ? (facts: LearntFact[]) => (learnt = facts) : undefined;
    const result = engine.review(task.changeSet, plan, { toolVersion: task.options.toolVersion, overBudget: new Map(task.options.overBudget), watch, learn });
    post({ type: 'done', id: task.id, review: result, learnt });
  } catch (e) {
    post({ type: 'error', id: task.id, message: e instanceof Error ? e.message : String(e) });
  }
});
