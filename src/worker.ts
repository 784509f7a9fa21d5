/**
 * `npm run worker`: a process that runs the App's jobs from the queue on Redis (`REDIS_URL`), as
 * many as you start, beside web processes that only verify webhooks and enqueue them (src/server.ts
 * with REDIS_URL). It is configured like the server (`.env`, then APP_ID, PRIVATE_KEY or
 * PRIVATE_KEY_PATH, GHE_HOST, LOG_LEVEL...): it acts as the App, with installation tokens made from
 * its id and key. Probot's throttling keeps its counters in the same Redis, so all the processes
 * together respect GitHub's limits. Reviews run in a pool of worker threads, as in the server;
 * `ML_LENS_CONCURRENCY` jobs (of different pull requests) at once, default 4. The review history is
 * opened as the server opens it (set DATABASE_URL so that every process writes the same one).
 *
 * On SIGTERM or SIGINT it stops taking jobs, lets the running ones finish within
 * ML_LENS_SHUTDOWN_MS (default 8 s), tells those still running 1.5 s before that to stop, and hands
 * them back to the queue, where another worker takes them.
 */
import { createAppWorker } from './app.js';
import { createEngine } from './engine.js';
import { WorkerPool } from './runner/index.js';
import { applyDotEnv, envNumber, openHistory, probotFromEnv, redisQueueFromEnv, stopOnSignals } from './startup.js';

// The parsers and the rule catalogue load before the first job: a broken installation fails here.
await createEngine();
applyDotEnv();

if (!process.env.REDIS_URL) {
  console.error('npm run worker takes jobs from Redis: set REDIS_URL (e.g. redis://localhost:6379), as for the web server.');
  process.exit(1);
}
const probot = probotFromEnv();
if (!probot) {
  console.error('npm run worker acts as the App: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH), as for the web server.');
  process.exit(1);
}
await probot.ready();
const log = probot.log;

const runner = new WorkerPool();
await runner.warm();
const store = await openHistory(log.child({ name: 'history' }));
const queue = await redisQueueFromEnv('worker', log.child({ name: 'queue' }));
queue.process(createAppWorker(probot, { runner, store, parseCache: store, retryable: true }));
log.info({ concurrency: Math.max(1, envNumber('ML_LENS_CONCURRENCY', 4)) }, 'worker started: taking jobs from Redis');

stopOnSignals({ queue, runner, store }, (signal, shutdownMs) => {
  log.info({ signal }, `stopping: no more jobs taken; running ones get at most ${shutdownMs} ms, then are handed back`);
});
