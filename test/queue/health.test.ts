/**
 * `GET /health` on the web server's handler: the queue's state (in-process, or Redis with every
 * process's jobs and workers), recent failures and stalls with their pull request, and the database
 * ("not configured" until one is); 503 when Redis cannot be reached.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { healthReport, type HealthSources } from '../../src/http/health.js';
import { createWebhookHandler, createWebhookServer } from '../../src/http/webhooks.js';
import { InProcessQueue } from '../../src/queue/in-process.js';
import { RedisQueue } from '../../src/queue/redis.js';
import { captureLog, Queues, requireRedis, sleep, until } from './redis-helpers.js';

beforeAll(requireRedis);
let qs: Queues | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await qs?.cleanup();
  qs = undefined;
});

const quiet = { debug() {}, warn() {}, error() {} };

/** The web server's handler with a health report, listening on a free port; GET /health. */
async function getHealth(sources: HealthSources | undefined): Promise<{ status: number; type: string | null; body: unknown }> {
  if (!server) {
    const handler = createWebhookHandler({ secret: 's', receive: async () => {}, log: quiet, ...(sources ? { health: () => healthReport(sources) } : {}) });
    server = createWebhookServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  }
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}

describe('GET /health', () => {
  it('in-process: the queue in this process, and no database yet', async () => {
    const queue = new InProcessQueue<string>({ delayMs: 10_000 });
    queue.process({ run: async () => {} });
    queue.enqueue({ key: 'acme/churn#7', id: 'd1:review', data: 'x' });
    await sleep(20);
    const r = await getHealth({ queue });
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body).toEqual({
      status: 'ok',
      queue: { kind: 'in-process', waiting: 1, active: 0, delayed: 0, oldestWaitingMs: expect.any(Number), workers: 1, failed: 0, recentFailures: [], recentStalls: [] },
      database: 'not configured',
    });
    expect((r.body as { queue: { oldestWaitingMs: number } }).queue.oldestWaitingMs).toBeGreaterThanOrEqual(15);
    await queue.close(10);
  });

  it('is not served without a report (404, as before)', async () => {
    expect((await getHealth(undefined)).status).toBe(404);
  });

  it('Redis: jobs waiting and running in any process, the workers connected, and a failed job with its pull request', async () => {
    qs = new Queues();
    const web = qs.make<string>({ consume: false, attempts: 2 }); // the enqueuer sets a job's attempts
    await web.enqueue({ key: 'acme/churn#7', id: 'd1:review', data: 'hold' });
    await web.enqueue({ key: 'acme/churn#8', id: 'd2:review', data: 'fail' });
    await sleep(30);
    let r = await getHealth({ queue: web });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', queue: { kind: 'redis', waiting: 2, active: 0, workers: 0, failed: 0 }, database: 'not configured' });
    expect((r.body as { queue: { oldestWaitingMs: number } }).queue.oldestWaitingMs).toBeGreaterThanOrEqual(25);

    let release!: () => void;
    const worker = qs.make<string>({ log: captureLog().log });
    worker.process({
      async run(j) {
        if (j.data === 'fail') throw new Error('GitHub answered 500 to GET /repos/acme/churn/pulls/8');
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await until(async () => (await web.stats()).failed === 1 && (await web.stats()).active === 1, 5000, 'one job running and one failed');
    r = await getHealth({ queue: web });
    expect(r.body).toMatchObject({
      status: 'ok',
      queue: {
        kind: 'redis',
        waiting: 0,
        active: 1,
        workers: 1,
        failed: 1,
        oldestWaitingMs: null,
        recentFailures: [{ id: 'd2:review', key: 'acme/churn#8', reason: 'GitHub answered 500 to GET /repos/acme/churn/pulls/8', attempts: 2 }],
      },
    });
    release();
    await web.drain();
  });

  it('Redis unreachable: 503, saying so, within the time', async () => {
    const { log } = captureLog();
    const queue = new RedisQueue<string>({ url: 'redis://127.0.0.1:1', consume: false, healthTimeoutMs: 300, log });
    try {
      const started = Date.now();
      const r = await getHealth({ queue });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ status: 'unavailable', queue: { kind: 'redis', error: expect.stringMatching(/^the queue cannot be reached: /) }, database: 'not configured' });
    } finally {
      await queue.close(100);
    }
  });

  it('a database that does not answer makes it 503 too', async () => {
    const queue = new InProcessQueue<string>();
    const r = await getHealth({ queue, database: () => Promise.reject(new Error('connection refused')) });
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 'unavailable', queue: { kind: 'in-process' }, database: { error: 'the database cannot be reached: connection refused' } });
  });
});
