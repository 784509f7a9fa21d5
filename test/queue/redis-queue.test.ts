/**
 * The Redis queue against a real Redis, with several queue instances standing for several
 * processes (each has its own connections): a web process that only enqueues, and workers.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RetryableError } from '../../src/queue/retryable.js';
import type { JobControl, QueuedJob, Worker } from '../../src/queue/types.js';
import { captureLog, Queues, requireRedis, sleep, until } from './redis-helpers.js';

interface Data {
  name: string;
  head?: string;
}

const job = (key: string, id: string, head?: string): QueuedJob<Data> => ({ key, id, data: head ? { name: id, head } : { name: id } });

beforeAll(requireRedis);
let qs: Queues;
afterEach(async () => {
  await qs?.cleanup();
});

/** Workers that record when each job starts and ends, and how many of one key ran at once. */
function recorder(holdMs = 0) {
  const events: string[] = [];
  const controls = new Map<string, JobControl>();
  const runningByKey = new Map<string, number>();
  let sameKeyOverlap = 0;
  let running = 0;
  let overlap = 0;
  const worker = (label = ''): Worker<Data> => ({
    async run(j, control) {
      controls.set(j.data.name, control);
      const n = (runningByKey.get(j.key) ?? 0) + 1;
      runningByKey.set(j.key, n);
      sameKeyOverlap = Math.max(sameKeyOverlap, n);
      overlap = Math.max(overlap, ++running);
      events.push(`start ${j.data.name}${label}`);
      if (holdMs) await sleep(holdMs);
      events.push(`end ${j.data.name}${label}`);
      runningByKey.set(j.key, n - 1);
      running--;
    },
  });
  return {
    events,
    controls,
    worker,
    get sameKeyOverlap() {
      return sameKeyOverlap;
    },
    get overlap() {
      return overlap;
    },
  };
}

describe('RedisQueue', () => {
  it('ignores a redelivered id, in any process, before and after the job ran, for rememberMs', async () => {
    qs = new Queues();
    const worker = qs.make<Data>({ rememberMs: 300 });
    const web = qs.make<Data>({ consume: false, rememberMs: 300 });
    const r = recorder();
    worker.process(r.worker());
    expect(await web.enqueue(job('k', 'same'))).toEqual({ status: 'queued', absorbed: 0 });
    expect(await worker.enqueue(job('k', 'same'))).toEqual({ status: 'duplicate' });
    await web.drain();
    expect(await web.enqueue(job('k', 'same'))).toEqual({ status: 'duplicate' });
    await web.drain();
    expect(r.events).toEqual(['start same', 'end same']);
    await sleep(350); // forgotten
    expect(await web.enqueue(job('k', 'same'))).toEqual({ status: 'queued', absorbed: 0 });
    await web.drain();
    expect(r.events).toHaveLength(4);
  });

  it('runs the jobs of one key one at a time, in order, across two workers; other keys side by side', async () => {
    qs = new Queues();
    const web = qs.make<Data>({ consume: false });
    const w1 = qs.make<Data>({ concurrency: 3 });
    const w2 = qs.make<Data>({ concurrency: 3 });
    const r = recorder(80);
    w1.process(r.worker(' (w1)'));
    w2.process(r.worker(' (w2)'));
    for (const id of ['a', 'b', 'c']) await web.enqueue(job('acme/churn#7', id));
    await web.enqueue(job('acme/churn#8', 'x'));
    await web.drain();

    expect(r.sameKeyOverlap).toBe(1);
    const ofKey = r.events.filter((e) => /^(start|end) [abc] /.test(e)).map((e) => e.replace(/ \(w\d\)$/, ''));
    expect(ofKey).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(r.overlap).toBeGreaterThanOrEqual(2); // x ran beside the pull request's jobs
  });

  it('holds jobs enqueued before any worker runs', async () => {
    qs = new Queues();
    const web = qs.make<Data>({ consume: false });
    await web.enqueue(job('k', 'early'));
    await sleep(50);
    const worker = qs.make<Data>();
    const r = recorder();
    worker.process(r.worker());
    await web.drain();
    expect(r.events).toEqual(['start early', 'end early']);
  });

  it('drops queued jobs a newer one absorbs before they start (latest head wins)', async () => {
    qs = new Queues();
    const { lines, log } = captureLog();
    const web = qs.make<Data>({ consume: false, delayMs: 300, log });
    web.process({ run: () => Promise.reject(new Error('not here')), absorb: (_queued, incoming) => incoming });
    const worker = qs.make<Data>();
    const r = recorder();
    worker.process(r.worker());
    expect(await web.enqueue(job('pr#1', 'a'))).toEqual({ status: 'queued', absorbed: 0 });
    expect(await web.enqueue(job('pr#1', 'b'))).toEqual({ status: 'queued', absorbed: 1 });
    expect(await web.enqueue(job('pr#1', 'c'))).toEqual({ status: 'queued', absorbed: 1 });
    await web.drain();
    expect(r.events).toEqual(['start c', 'end c']);
    expect(lines.filter((l) => /superseded before it started/.test(l.msg)).map((l) => l.obj['job'])).toEqual(['a', 'b']);
    // The absorbed jobs are gone from Redis, not waiting to be looked at.
    expect(await web.stats()).toMatchObject({ waiting: 0, delayed: 0, active: 0, failed: 0 });
  });

  it('folds jobs by the worker\'s rule: a newer one carries what the absorbed one needed', async () => {
    qs = new Queues();
    const web = qs.make<Data>({ consume: false, delayMs: 200 });
    web.process({ run: () => Promise.reject(new Error('not here')), absorb: (queued, incoming) => ({ ...incoming, name: `${queued.name}+${incoming.name}` }) });
    const worker = qs.make<Data>();
    const r = recorder();
    worker.process(r.worker());
    await web.enqueue(job('repo:push', 'p1'));
    await web.enqueue(job('repo:push', 'p2'));
    await web.drain();
    expect(r.events).toEqual(['start p1+p2', 'end p1+p2']);
  });

  it('tells a running job in another process that a newer one outdates it', async () => {
    qs = new Queues();
    const web = qs.make<Data>({ consume: false });
    web.process({ run: () => Promise.reject(new Error('not here')), outdates: (running, incoming) => running.head !== incoming.head });
    const worker = qs.make<Data>();
    const seen: { name: string; superseded: boolean; after: number }[] = [];
    let started = 0;
    worker.process({
      async run(j, control) {
        const t0 = Date.now();
        started++;
        // A review checks between its steps; this one waits to be told, at most 3 s.
        while (j.data.name === 'a' && !control.superseded && Date.now() - t0 < 3000) await sleep(10);
        seen.push({ name: j.data.name, superseded: control.superseded, after: Date.now() - t0 });
      },
    });
    await web.enqueue(job('pr#1', 'a', 'h1'));
    await until(() => started === 1);
    await web.enqueue(job('pr#1', 'same-head', 'h1'));
    await sleep(200);
    expect(seen).toEqual([]); // the same head does not outdate it
    await web.enqueue(job('pr#1', 'b', 'h2'));
    await web.drain();
    expect(seen.map((s) => [s.name, s.superseded])).toEqual([
      ['a', true],
      ['same-head', false],
      ['b', false],
    ]);
    expect(seen[0]!.after).toBeLessThan(1500);
  });

  it('retries a job that throws, backing off, and the key waits for it', async () => {
    qs = new Queues();
    const { lines, log } = captureLog();
    const worker = qs.make<Data>({ backoffMs: 100, attempts: 3, log });
    const tries: number[] = [];
    const events: string[] = [];
    worker.process({
      async run(j) {
        if (j.data.name === 'flaky') {
          tries.push(Date.now());
          if (tries.length < 3) throw new Error('GitHub answered 502');
        }
        events.push(j.data.name);
      },
    });
    await worker.enqueue(job('pr#1', 'flaky'));
    await worker.enqueue(job('pr#1', 'next'));
    await worker.drain();
    expect(events).toEqual(['flaky', 'next']);
    expect(tries).toHaveLength(3);
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(95); // 100 ms
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(195); // then 200 ms
    expect(lines.filter((l) => l.level === 'warn' && /to be retried/.test(l.msg)).map((l) => l.obj['attempt'])).toEqual([1, 2]);
  });

  it('waits as long as a RetryableError asks (GitHub\'s rate-limit reset) when that is longer than the backoff', async () => {
    qs = new Queues();
    const worker = qs.make<Data>({ backoffMs: 20, log: captureLog().log });
    const tries: number[] = [];
    worker.process({
      async run() {
        tries.push(Date.now());
        if (tries.length === 1) throw new RetryableError('rate limit exhausted', 500);
      },
    });
    await worker.enqueue(job('pr#1', 'a'));
    await worker.drain();
    expect(tries).toHaveLength(2);
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(490);
  });

  it('a job failed for good is logged and listed with its key, and its key moves on', async () => {
    qs = new Queues();
    const { lines, log } = captureLog();
    const worker = qs.make<Data>({ attempts: 2, backoffMs: 20, log });
    const ran: string[] = [];
    worker.process({
      async run(j) {
        ran.push(j.data.name);
        if (j.data.name === 'bad') throw new Error('boom');
      },
    });
    await worker.enqueue(job('acme/churn#7', 'bad'));
    await worker.enqueue(job('acme/churn#7', 'good'));
    await worker.drain();
    expect(ran).toEqual(['bad', 'bad', 'good']);
    const failed = lines.filter((l) => l.level === 'error');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ msg: 'job failed for good: boom', obj: { job: 'bad', key: 'acme/churn#7', attempt: 2, of: 2 } });
    const stats = await worker.stats();
    expect(stats).toMatchObject({ failed: 1, waiting: 0, active: 0, delayed: 0 });
    expect(stats.recentFailures).toEqual([{ id: 'bad', key: 'acme/churn#7', reason: 'boom', at: expect.any(String), attempts: 2 }]);
  });

  it('closes: a running job that finishes in time completes; new jobs are refused', async () => {
    qs = new Queues();
    const worker = qs.make<Data>();
    const r = recorder(100);
    worker.process(r.worker());
    await worker.enqueue(job('k', 'a'));
    await until(() => r.events.length === 1);
    await worker.close(2000);
    expect(r.events).toEqual(['start a', 'end a']);
    expect(await worker.enqueue(job('k', 'late'))).toEqual({ status: 'closed' });
    const other = qs.make<Data>({ consume: false });
    expect(await other.stats()).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });

  it('closes: a job still running near the deadline is told to stop and handed back, and another worker runs it', async () => {
    qs = new Queues();
    const { lines, log } = captureLog();
    const w1 = qs.make<Data>({ handBackMs: 150, log });
    let control: JobControl | undefined;
    w1.process({
      run: (_j, c) =>
        new Promise<void>((resolve) => {
          control = c;
          c.signal.addEventListener('abort', () => resolve());
        }),
    });
    await w1.enqueue(job('acme/churn#7', 'a'));
    await w1.enqueue(job('acme/churn#7', 'b')); // queued: stays in Redis
    await until(() => control !== undefined);
    const closing = Date.now();
    await w1.close(500);
    const took = Date.now() - closing;
    expect(control!.signal.aborted).toBe(true);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(900);
    expect(lines.some((l) => /handed back/.test(l.msg) && l.obj['job'] === 'a')).toBe(true);

    const w2 = qs.make<Data>();
    const r = recorder();
    w2.process(r.worker());
    await w2.drain();
    expect(r.events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
