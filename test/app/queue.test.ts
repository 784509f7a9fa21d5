import { describe, expect, it } from 'vitest';
import { createWorker, jobKey, toQueuedJob, type JobData } from '../../src/jobs/index.js';
import { InProcessQueue } from '../../src/queue/in-process.js';
import type { JobControl, QueuedJob, Worker } from '../../src/queue/types.js';

interface Data {
  name: string;
  head?: string;
}

const job = (key: string, id: string, name = id, head?: string): QueuedJob<Data> => ({ key, id, data: head ? { name, head } : { name } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A worker that records when each job starts and ends, and can be held until released. */
function recorder(opts: Partial<Worker<Data>> = {}, holdMs = 0) {
  const events: string[] = [];
  const controls = new Map<string, JobControl>();
  const worker: Worker<Data> = {
    async run(j, control) {
      controls.set(j.data.name, control);
      events.push(`start ${j.data.name}`);
      if (holdMs) await sleep(holdMs);
      events.push(`end ${j.data.name}`);
    },
    ...opts,
  };
  return { events, controls, worker };
}

describe('InProcessQueue', () => {
  it('runs the jobs of one key one at a time, in order', async () => {
    const q = new InProcessQueue<Data>();
    const r = recorder({}, 10);
    q.process(r.worker);
    q.enqueue(job('pr#1', 'a'));
    q.enqueue(job('pr#1', 'b'));
    await q.drain();
    expect(r.events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('runs different keys side by side, up to the concurrency', async () => {
    const q = new InProcessQueue<Data>({ concurrency: 2 });
    const r = recorder({}, 15);
    q.process(r.worker);
    for (const k of ['x', 'y', 'z']) q.enqueue(job(k, k));
    await sleep(5);
    expect(q.stats()).toMatchObject({ running: 2 });
    await q.drain();
    expect(r.events.slice(0, 2).sort()).toEqual(['start x', 'start y']);
    expect(r.events.indexOf('start z')).toBeGreaterThan(r.events.indexOf('end x'));
  });

  it('ignores a job whose id it has seen (a redelivered webhook), even after it ran', async () => {
    const q = new InProcessQueue<Data>();
    const r = recorder();
    q.process(r.worker);
    expect(q.enqueue(job('k', 'same'))).toEqual({ status: 'queued', absorbed: 0 });
    expect(q.enqueue(job('k', 'same'))).toEqual({ status: 'duplicate' });
    await q.drain();
    expect(q.enqueue(job('k', 'same'))).toEqual({ status: 'duplicate' });
    await q.drain();
    expect(r.events).toEqual(['start same', 'end same']);
  });

  it('remembers a bounded number of ids', async () => {
    const q = new InProcessQueue<Data>({ rememberIds: 2 });
    const r = recorder();
    q.process(r.worker);
    for (const id of ['a', 'b', 'c']) q.enqueue(job(id, id));
    await q.drain();
    expect(q.enqueue(job('a', 'a')).status).toBe('queued'); // forgotten
    expect(q.enqueue(job('c', 'c')).status).toBe('duplicate');
    await q.drain();
  });

  it('drops queued jobs a newer one absorbs before they start (latest head wins)', async () => {
    const q = new InProcessQueue<Data>({ delayMs: 20 });
    const r = recorder({ absorb: (_queued, incoming) => incoming });
    q.process(r.worker);
    q.enqueue(job('pr#1', 'a'));
    q.enqueue(job('pr#1', 'b'));
    expect(q.enqueue(job('pr#1', 'c'))).toEqual({ status: 'queued', absorbed: 1 });
    await q.drain();
    expect(r.events).toEqual(['start c', 'end c']);
  });

  it('waits until a key is quiet for the delay', async () => {
    const q = new InProcessQueue<Data>({ delayMs: 30 });
    const r = recorder();
    q.process(r.worker);
    q.enqueue(job('k', 'a'));
    await sleep(10);
    expect(r.events).toEqual([]);
    await q.drain();
    expect(r.events).toEqual(['start a', 'end a']);
  });

  it('tells a running job that a newer one outdates it', async () => {
    const q = new InProcessQueue<Data>();
    const r = recorder({ outdates: (running, incoming) => running.head !== incoming.head }, 20);
    q.process(r.worker);
    q.enqueue(job('pr#1', 'a', 'a', 'h1'));
    await sleep(5);
    q.enqueue(job('pr#1', 'same-head', 'same-head', 'h1'));
    expect(r.controls.get('a')!.superseded).toBe(false);
    q.enqueue(job('pr#1', 'b', 'b', 'h2'));
    expect(r.controls.get('a')!.superseded).toBe(true);
    await q.drain();
    expect(r.controls.get('b')!.superseded).toBe(false);
  });

  it('keeps going after a job throws, and logs it', async () => {
    const errors: unknown[] = [];
    const q = new InProcessQueue<Data>({ log: { debug() {}, info() {}, error: (o) => errors.push(o) } });
    const r = recorder();
    q.process({
      async run(j, c) {
        if (j.data.name === 'bad') throw new Error('boom');
        await r.worker.run(j, c);
      },
    });
    q.enqueue(job('k', 'bad'));
    q.enqueue(job('k', 'good'));
    await q.drain();
    expect(r.events).toEqual(['start good', 'end good']);
    expect(errors).toHaveLength(1);
  });

  it('holds jobs enqueued before a worker is attached', async () => {
    const q = new InProcessQueue<Data>();
    q.enqueue(job('k', 'early'));
    const r = recorder();
    q.process(r.worker);
    await q.drain();
    expect(r.events).toEqual(['start early', 'end early']);
  });

  it('closes: queued jobs are dropped, running ones finish, new ones are refused', async () => {
    const q = new InProcessQueue<Data>();
    const r = recorder({}, 20);
    q.process(r.worker);
    q.enqueue(job('k', 'running'));
    q.enqueue(job('k', 'queued'));
    await sleep(5);
    await q.close(1000);
    expect(r.events).toEqual(['start running', 'end running']);
    expect(q.enqueue(job('k', 'late'))).toEqual({ status: 'closed' });
  });
});

describe('the worker\'s rules', () => {
  const base = { installationId: 1, owner: 'Acme', repo: 'Churn', defaultBranch: 'main', deliveryId: 'd' };
  const review = (head: string, extra: Partial<JobData> = {}): JobData =>
    ({ ...base, type: 'review', trigger: 'synchronize', pullNumber: 7, headSha: head, pr: { headSha: head, baseSha: 'b' }, ...extra }) as JobData;
  const push = (before: string, after: string, paths?: string[]): JobData => ({ ...base, type: 'push', before, after, paths });
  const worker = createWorker({ octokitFor: () => Promise.reject(new Error('unused')), log: { debug() {}, info() {}, warn() {}, error() {} }, now: () => new Date(), toolVersion: 't' });

  it('keys jobs by pull request and by repository for pushes', () => {
    expect(jobKey(review('h'))).toBe('acme/churn#7');
    expect(jobKey(push('a', 'b'))).toBe('acme/churn:push');
    expect(jobKey(review('h', { pullNumber: undefined }))).toBe('acme/churn@h');
    expect(toQueuedJob(review('h')).id).toBe('d:review');
  });

  it('a newer review absorbs a queued one; a button press is never dropped', () => {
    expect(worker.absorb!(review('h1'), review('h2'))).toEqual(review('h2'));
    const action = { ...base, type: 'action', identifier: 'open-issues', checkRunId: 1, headSha: 'h1', pullNumber: 7 } as JobData;
    expect(worker.absorb!(action, review('h2'))).toBeUndefined();
    expect(worker.absorb!(review('h1'), action)).toBeUndefined();
  });

  it('pushes fold together: touched paths are united, the newest commit is read from the oldest base', () => {
    expect(worker.absorb!(push('a', 'b', ['x.tf']), push('b', 'c', ['y.tf', 'x.tf']))).toMatchObject({ before: 'a', after: 'c', paths: ['x.tf', 'y.tf'] });
    expect(worker.absorb!(push('a', 'b', ['x.tf']), push('b', 'c'))).toMatchObject({ before: 'a', after: 'c', paths: undefined });
  });

  it('a review outdates a running one for another head or base, not a re-run of the same', () => {
    expect(worker.outdates!(review('h1'), review('h2'))).toBe(true);
    expect(worker.outdates!(review('h1'), review('h1', { trigger: 'rerequested', pr: undefined }))).toBe(false);
    expect(worker.outdates!(review('h1'), review('h1', { trigger: 'edited', pr: { headSha: 'h1', baseSha: 'b2' } }))).toBe(true);
    expect(worker.outdates!(push('a', 'b'), push('b', 'c'))).toBe(false);
  });
});
