/**
 * A worker that dies mid-job (SIGKILL: no shutdown, no goodbye to Redis): the job's locks lapse,
 * BullMQ's stalled-job check in a surviving worker moves it back to wait, and the survivor runs it,
 * once. The dying worker is a real child process (test/queue/fixtures/dying-worker.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueuedJob } from '../../src/queue/types.js';
import { captureLog, Queues, REDIS_URL, requireRedis, until } from './redis-helpers.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/dying-worker.mjs', import.meta.url));

beforeAll(requireRedis);
let qs: Queues;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await qs?.cleanup();
});

/** Starts the child and resolves with its stdout lines so far (kept up to date). */
async function dyingWorker(prefix: string): Promise<{ proc: ChildProcess; lines: string[] }> {
  const proc = spawn(process.execPath, [SCRIPT, REDIS_URL, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => lines.push(...s.split('\n').filter(Boolean)));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  await until(() => lines.includes('ready') || proc.exitCode !== null, 15_000, 'the child worker to start').catch((e: Error) => {
    throw new Error(`${e.message}\n${stderr}`);
  });
  if (!lines.includes('ready')) throw new Error(`the child worker exited: ${stderr}`);
  return { proc, lines };
}

describe('a worker killed mid-job', () => {
  it('its job is retried by another worker, runs to the end once, and the stall is visible with its key', async () => {
    qs = new Queues();
    const { lines: log, log: queueLog } = captureLog();
    const web = qs.make<string>({ consume: false });
    const job: QueuedJob<string> = { key: 'acme/churn#7', id: 'delivery-1:review', data: 'review head h1' };

    const dying = await dyingWorker(qs.prefix);
    child = dying.proc;
    await web.enqueue(job);
    await until(() => dying.lines.includes('started delivery-1:review'), 5000, 'the child to take the job');
    const killedAt = Date.now();
    dying.proc.kill('SIGKILL');
    await new Promise((resolve) => dying.proc.once('exit', resolve));

    // The survivor starts after the kill: it can only have the job from BullMQ's stalled-job check.
    const survivor = qs.make<string>({ log: queueLog });
    const runs: { id: string; data: string; after: number }[] = [];
    survivor.process({
      async run(j) {
        runs.push({ id: j.id, data: j.data, after: Date.now() - killedAt });
      },
    });
    // A second job of the key waits for the first one's retry: the order holds across the crash.
    await web.enqueue({ key: 'acme/churn#7', id: 'delivery-2:action', data: 'button' });
    await web.drain(10_000);

    expect(runs.map((r) => r.id)).toEqual(['delivery-1:review', 'delivery-2:action']);
    expect(runs[0]!.data).toBe('review head h1');
    expect(runs[0]!.after).toBeLessThan(5000);
    expect(log.some((l) => l.level === 'warn' && /stalled/.test(l.msg) && l.obj['key'] === 'acme/churn#7')).toBe(true);
    const stats = await web.stats();
    expect(stats).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(stats.recentStalls).toEqual([expect.objectContaining({ id: 'delivery-1:review', key: 'acme/churn#7' })]);
  });
});
