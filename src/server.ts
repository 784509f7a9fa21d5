/**
 * Starts the GitHub App: our HTTP server (src/http/webhooks.ts: the 25 MB body cap, the signature
 * checked over the raw bytes before anything is parsed, one log line per rejected delivery, 202 at
 * once) in front of a Probot configured from the environment as Probot's `run()` reads it (`.env`
 * first, then APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, WEBHOOK_PATH,
 * WEBHOOK_PROXY_URL, LOG_LEVEL, LOG_FORMAT, GHE_HOST...: see the README), with the in-process job
 * queue and the reviews in a pool of worker threads (src/runner/pool.ts: no review holds the event
 * loop that answers webhooks, and each file has a time budget). Probot's own server is not used: it
 * parses and logs a delivery before checking who sent it.
 *
 * On the first start without APP_ID and PRIVATE_KEY, Probot's `run()` takes over: outside
 * production its setup mode registers the App from app.yml (the manifest flow) and writes the
 * credentials to `.env` (restart afterwards); in production it fails naming what is missing.
 *
 * On SIGTERM (docker stop, a rolling deploy) or SIGINT the server stops taking webhooks (a delivery
 * still arriving is answered 503, so GitHub shows it failed and it can be redelivered), the queue
 * drops the jobs that have not started (they have not created a check run yet; they are logged) and
 * waits for the running ones at most ML_LENS_SHUTDOWN_MS (default 8 s, inside Docker's default 10 s
 * stop timeout). A review still running 1.5 s before that ends its check run `neutral`
 * ("Interrupted: ... re-run the check") rather than leave it `in_progress`.
 *
 * With REDIS_URL the server only verifies and enqueues: the jobs go to Redis (src/queue/redis.ts)
 * and the worker processes run them (`npm run worker`, src/worker.ts), unless
 * ML_LENS_WORKER_IN_WEB=true (then this process runs jobs too). Jobs queued in Redis outlive a
 * restart; a job this process runs and cannot finish in time is handed back to the queue. `GET
 * /health` reports the queue (src/http/health.ts).
 */
import { run, type Logger, type Probot } from 'probot';
import { createApp, payloadProblem } from './app.js';
import { healthReport } from './http/health.js';
import { createWebhookHandler, createWebhookServer, DEFAULT_WEBHOOK_PATH, type WebhookEvent } from './http/webhooks.js';
import { createEngine } from './engine.js';
import type { JobData } from './jobs/types.js';
import { InProcessQueue } from './queue/in-process.js';
import { WorkerPool } from './runner/index.js';
import { applyDotEnv, envNumber, openHistory, probotFromEnv, redisQueueFromEnv, stopOnSignals } from './startup.js';
import { retentionDays } from './store/index.js';

/** Development: a smee.io channel that forwards deliveries here, as Probot's server sets it up. */
async function webhookProxy(source: string, target: string, log: Logger): Promise<{ close?(): void } | undefined> {
  try {
    const name = 'smee-client'; // optional: not a dependency
    const { SmeeClient } = (await import(name)) as {
      SmeeClient: new (o: { source: string; target: string; logger: Logger }) => { start(): Promise<{ close?(): void }> };
    };
    return await new SmeeClient({ source, target, logger: log }).start();
  } catch {
    log.warn('Run `npm install --save-dev smee-client` to proxy webhooks to localhost.');
    return undefined;
  }
}

async function start(probot: Probot): Promise<void> {
  await probot.ready();
  const log = probot.log;
  const queue = process.env.REDIS_URL
    ? await redisQueueFromEnv('web', log.child({ name: 'queue' }))
    : new InProcessQueue<JobData>({
        delayMs: envNumber('ML_LENS_QUEUE_DELAY_MS', 1000),
        concurrency: Math.max(1, envNumber('ML_LENS_CONCURRENCY', 4)),
        log: log.child({ name: 'queue' }),
      });
  // Reviews run in worker threads, started (and their parsers loaded) before the first delivery,
  // in a process that runs jobs.
  const runner = new WorkerPool();
  if (queue instanceof InProcessQueue || queue.consumes) await runner.warm();
  else log.info('REDIS_URL: this process only enqueues; `npm run worker` runs the jobs');
  // The review history: PostgreSQL with DATABASE_URL, else embedded (PGlite in ML_LENS_DATA_DIR,
  // default ./.data). A database that does not answer is logged; reviews are published regardless.
  const store = await openHistory(log.child({ name: 'history' }));
  store.scheduleRetention(retentionDays(process.env));
  log.info({ ...store.state(), retentionDays: retentionDays(process.env) }, 'review history opened');
  await probot.load(createApp({ queue, runner, store, parseCache: store }));

  if (!process.env.WEBHOOK_SECRET) log.warn('WEBHOOK_SECRET is not set: deliveries are checked against the default secret "development"');
  const path = process.env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const handler = createWebhookHandler({
    secret: process.env.WEBHOOK_SECRET || 'development',
    path,
    check: payloadProblem,
    receive: (event: WebhookEvent) => probot.receive(event as Parameters<Probot['receive']>[0]),
    // The history's state as its last write or migration left it: a database that stopped answering
    // makes the replica unhealthy until a write (or the outbox's retry) gets through again.
    health: () =>
      healthReport({
        queue,
        database: async () => {
          const state = store.state();
          if (!state.ok) throw new Error(`${state.kind} did not answer its last write (${state.pendingRecords} records waiting)`);
          return state;
        },
      }),
    log: log.child({ name: 'http' }),
  });
  const server = createWebhookServer(handler);
  const host = process.env.HOST || 'localhost';
  const port = Number(process.env.PORT) || 3000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') e.message = `Port ${port} is already in use. Set the PORT environment variable to use another port.`;
      reject(e);
    });
    server.listen({ port, host }, resolve);
  });
  log.info(`Listening on http://${host}:${port} (webhooks at ${path})`);
  const proxy = process.env.WEBHOOK_PROXY_URL ? await webhookProxy(process.env.WEBHOOK_PROXY_URL, `http://${host}:${port}${path}`, log) : undefined;

  stopOnSignals({ queue, runner, store }, (signal, shutdownMs) => {
    const counts = queue instanceof InProcessQueue ? queue.stats() : { queue: 'redis' };
    log.info({ signal, ...counts }, `stopping: no more deliveries; running reviews get at most ${shutdownMs} ms`);
    handler.stop();
    proxy?.close?.();
    server.close();
  });
}

// Start the parsers and load the rule catalogue before taking webhooks: a broken installation
// fails here, at start.
await createEngine();

applyDotEnv();
const probot = probotFromEnv();
if (probot) await start(probot);
else await run(createApp());
