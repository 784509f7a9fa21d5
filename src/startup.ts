/**
 * What the web server (src/server.ts) and the worker (src/worker.ts) share when they start: the
 * environment (`.env` applied as Probot's `run()` does), Probot configured from it, and the queue on
 * Redis when `REDIS_URL` is set.
 *
 * Probot reads `REDIS_URL` too: its Octokit's throttling (Bottleneck) then keeps its counters in that
 * Redis, so every web and worker process respects GitHub's limits together, per installation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { createProbot, type Probot } from 'probot';
import type { JobData } from './jobs/types.js';
import type { RedisQueue, RedisQueueLog } from './queue/redis.js';
import { openStore, type HistoryStore, type StoreLog } from './store/index.js';

export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** `.env` of the working directory, applied over the environment as Probot's `run()` does. */
export function applyDotEnv(): void {
  try {
    Object.assign(process.env, parseEnv(readFileSync(join(process.cwd(), '.env'), 'utf8')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Probot configured from the environment (`createProbot` reads the App id, the private key, plain
 * or base64 or from a file, the secret, GHE_HOST and REDIS_URL), with `run()`'s log defaults: level
 * `info`, JSON in production. Undefined without an App id or a private key.
 */
export function probotFromEnv(): Probot | undefined {
  const env = process.env;
  const logFormat = env.LOG_FORMAT ? (env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json') : env.NODE_ENV === 'production' ? 'json' : 'pretty';
  try {
    return createProbot({ overrides: { logLevel: (env.LOG_LEVEL || 'info') as LogLevel, logFormat } });
  } catch {
    // Probot's constructor throws only for a missing App id or private key.
    return undefined;
  }
}

/**
 * The queue on Redis (`REDIS_URL`). A web process only enqueues, unless `ML_LENS_WORKER_IN_WEB=true`
 * (one process that does both, on a queue others can share); a worker takes jobs. The settings
 * the in-process queue reads apply: `ML_LENS_QUEUE_DELAY_MS` (default 1000) and
 * `ML_LENS_CONCURRENCY` (jobs a process runs at once, default 4); `ML_LENS_QUEUE_PREFIX` (default
 * `ml-lens`) keeps deployments sharing a Redis apart. BullMQ is loaded only here.
 */
export async function redisQueueFromEnv(role: 'web' | 'worker', log: RedisQueueLog, options: { delayMs?: number | undefined } = {}): Promise<RedisQueue<JobData>> {
  const url = process.env['REDIS_URL'];
  if (!url) throw new Error('REDIS_URL is not set: the queue on Redis needs it');
  const { RedisQueue } = await import('./queue/redis.js');
  return new RedisQueue<JobData>({
    url,
    prefix: process.env['ML_LENS_QUEUE_PREFIX'] || 'ml-lens',
    consume: role === 'worker' || process.env['ML_LENS_WORKER_IN_WEB'] === 'true',
    delayMs: options.delayMs ?? envNumber('ML_LENS_QUEUE_DELAY_MS', 1000),
    concurrency: Math.max(1, envNumber('ML_LENS_CONCURRENCY', 4)),
    log,
  });
}

/**
 * The review history as the environment names it (src/store `openStore`). A database that does not
 * answer is not fatal (reviews are published, and recorded once it does); one that cannot be opened
 * at all (an embedded folder another process uses, or that cannot be made) stops the process with
 * one line saying why, not a stack trace.
 */
export async function openHistory(log: StoreLog & { fatal(obj: object, msg?: string): void }): Promise<HistoryStore> {
  try {
    return await openStore(process.env, { log });
  } catch (e) {
    log.fatal({}, `cannot open the review history: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}

/** What a process closes when it stops, in this order. */
export interface Stoppable {
  queue: { close(timeoutMs?: number): Promise<void> };
  runner: { close(): Promise<void> };
  store: { close(): Promise<void> };
}

/**
 * On SIGTERM or SIGINT, once: `first` stops what takes new work (the server's deliveries), then the
 * queue is given ML_LENS_SHUTDOWN_MS (default 8 s) to finish or hand back its running jobs, the
 * review threads and the history close, and the process exits.
 */
export function stopOnSignals(parts: Stoppable, first: (signal: string, shutdownMs: number) => void): void {
  const shutdownMs = envNumber('ML_LENS_SHUTDOWN_MS', 8000);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    first(signal, shutdownMs);
    void parts.queue
      .close(shutdownMs)
      .then(() => parts.runner.close())
      .then(() => parts.store.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
