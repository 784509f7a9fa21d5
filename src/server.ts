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
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { createProbot, run, type Logger, type Probot } from 'probot';
import { createApp, payloadProblem } from './app.js';
import { createWebhookHandler, createWebhookServer, DEFAULT_WEBHOOK_PATH, type WebhookEvent } from './http/webhooks.js';
import { createEngine } from './engine.js';
import type { JobData } from './jobs/types.js';
import { InProcessQueue } from './queue/in-process.js';
import { WorkerPool } from './runner/index.js';

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** `.env` of the working directory, applied over the environment as Probot's `run()` does. */
function applyDotEnv(): void {
  try {
    Object.assign(process.env, parseEnv(readFileSync(join(process.cwd(), '.env'), 'utf8')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Probot configured from the environment (`createProbot` reads the App id, the private key, plain
 * or base64 or from a file, the secret and GHE_HOST), with `run()`'s log defaults: level `info`,
 * JSON in production. Undefined without an App id or a private key.
 */
function probotFromEnv(): Probot | undefined {
  const env = process.env;
  const logFormat = env.LOG_FORMAT ? (env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json') : env.NODE_ENV === 'production' ? 'json' : 'pretty';
  try {
    return createProbot({ overrides: { logLevel: (env.LOG_LEVEL || 'info') as LogLevel, logFormat } });
  } catch {
    // Probot's constructor throws only for a missing App id or private key.
    return undefined;
  }
}

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
  const queue = new InProcessQueue<JobData>({
    delayMs: envNumber('ML_LENS_QUEUE_DELAY_MS', 1000),
    concurrency: Math.max(1, envNumber('ML_LENS_CONCURRENCY', 4)),
    log: log.child({ name: 'queue' }),
  });
  // Reviews run in worker threads, started (and their parsers loaded) before the first delivery.
  const runner = new WorkerPool();
  await runner.warm();
  await probot.load(createApp({ queue, runner }));

  if (!process.env.WEBHOOK_SECRET) log.warn('WEBHOOK_SECRET is not set: deliveries are checked against the default secret "development"');
  const path = process.env.WEBHOOK_PATH || DEFAULT_WEBHOOK_PATH;
  const handler = createWebhookHandler({
    secret: process.env.WEBHOOK_SECRET || 'development',
    path,
    check: payloadProblem,
    receive: (event: WebhookEvent) => probot.receive(event as Parameters<Probot['receive']>[0]),
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

  const shutdownMs = envNumber('ML_LENS_SHUTDOWN_MS', 8000);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, ...queue.stats() }, `stopping: no more deliveries; running reviews get at most ${shutdownMs} ms`);
    handler.stop();
    proxy?.close?.();
    server.close();
    void queue
      .close(shutdownMs)
      .then(() => runner.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

// Start the parsers and load the rule catalogue before taking webhooks: a broken installation
// fails here, at start.
await createEngine();

applyDotEnv();
const probot = probotFromEnv();
if (probot) await start(probot);
else await run(createApp());
