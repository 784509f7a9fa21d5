/**
 * Starts the GitHub App: Probot's `run()` (environment variables as documented in the README; on
 * the first start without APP_ID and PRIVATE_KEY, outside production, Probot's manifest flow
 * registers the App from app.yml), with the in-process job queue.
 *
 * On SIGTERM (docker stop, a rolling deploy) the server stops taking webhooks, the queue drops the
 * jobs that have not started (they have not created a check run yet) and waits for the running
 * ones, at most ML_LENS_SHUTDOWN_MS (default 25 s), so no check run is left `in_progress`.
 */
import { run } from 'probot';
import { createApp } from './app.js';
import { ready } from './formats/index.js';
import { builtInRules } from './jobs/setup.js';
import type { JobData } from './jobs/types.js';
import { InProcessQueue } from './queue/in-process.js';

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

// Load the rule catalogue and the parsers before taking webhooks: a broken installation fails
// here, at start, and the first review does not block the event loop loading them.
builtInRules();
await ready();

const queue = new InProcessQueue<JobData>({
  delayMs: envNumber('ML_LENS_QUEUE_DELAY_MS', 1000),
  concurrency: Math.max(1, envNumber('ML_LENS_CONCURRENCY', 4)),
});
const server = await run(createApp({ queue }));

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    try {
      await server.stop();
    } catch {
      // already stopped
    }
    await queue.close(envNumber('ML_LENS_SHUTDOWN_MS', 25_000));
    process.exit(0);
  })();
});
