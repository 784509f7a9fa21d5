/**
 * The queue shared by processes (`REDIS_URL`): BullMQ on Redis, with the in-process queue's
 * semantics across every web and worker process.
 *
 * - A job's `id` is remembered in Redis for `rememberMs` (default 3 days, GitHub's redelivery
 *   window), so a redelivered webhook is a no-op whichever process receives it; the BullMQ job id
 *   is derived from it too.
 * - Jobs of one key run one at a time, in order: each key is a lane (src/queue/redis-lanes.ts), an
 *   ordered set of its unfinished jobs and a lock with a time to live that the running job renews.
 *   A worker that takes a job whose key is busy, or that is not the key's first, parks it (BullMQ's
 *   delayed set) for `laneRetryMs`; the job that finishes wakes the next one.
 * - Newest head wins: the enqueuer (under a short per-key lock) asks the worker's `absorb` about
 *   each queued job of the key and takes the ones it folds out of the lane, atomically against a
 *   worker starting them; it asks `outdates` about the running one and flags it in Redis
 *   (`superseded:<id>`), which the running job reads every `pollMs` (with its lock renewal) into
 *   `control.superseded`.
 * - A job that throws is retried (`attempts`, exponential backoff from `backoffMs`, or later when
 *   the error is a RetryableError naming GitHub's reset). A worker that dies stops renewing its
 *   locks: BullMQ's stalled-job check moves the job back to wait and another worker runs it once
 *   the lane's lock has expired, so the same job never runs twice at once and is not lost. The
 *   jobs' writes to GitHub reconcile (one summary, reviews and issues keyed by fingerprint), so a
 *   job run again after a crash does not write twice.
 * - `close` stops taking jobs, waits for the running ones, tells those still running near the end
 *   to stop (`control.signal`) and hands them back (BullMQ's wait list), where another worker
 *   takes them. Queued jobs stay in Redis.
 *
 * With `consume: false` (a web process) `process` only lends the worker's `absorb` and `outdates`
 * to `enqueue`: the jobs run in the worker processes (`npm run worker`).
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, WaitingError, Worker as BullWorker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Lanes } from './redis-lanes.js';
import { retryAfterOf } from './retryable.js';
import type { EnqueueResult, JobControl, JobIncident, JobQueue, QueueHealth, QueuedJob, Worker } from './types.js';

export interface RedisQueueLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RedisQueueOptions {
  /** Default `REDIS_URL`, else redis://127.0.0.1:6379. */
  url?: string;
  /** The BullMQ queue's name. Default `ml-lens`. */
  name?: string;
  /** Prefix of every Redis key (BullMQ's and the lanes'). Default `ml-lens`. */
  prefix?: string;
  /** Whether `process` runs jobs in this process. Default true; a web process sets false. */
  consume?: boolean;
  /** A job starts once it has waited this long (ms), so a burst of pushes folds into one run. Default 0. */
  delayMs?: number;
  /** Jobs this process runs at once (of different keys). Default 4. */
  concurrency?: number;
  /** Tries in all for a job that throws (a job option: the enqueuing process's). Default 5. */
  attempts?: number;
  /** Wait before the first retry (ms), doubled each time (the enqueuing process's). Default 5000. */
  backoffMs?: number;
  /** The longest wait honoured when a failure names when to try again (GitHub's reset). Default 1 h. */
  maxRetryWaitMs?: number;
  /** How long a job id is remembered to ignore a redelivery (ms). Default 3 days. */
  rememberMs?: number;
  /** A running job's locks (BullMQ's and its key's) last this long unless renewed (ms). Default 30 s. */
  lockMs?: number;
  /** How often workers look for jobs whose worker died (ms). Default 30 s. */
  stalledIntervalMs?: number;
  /** How long a job whose key is busy waits before it is looked at again (ms). Default 2000. */
  laneRetryMs?: number;
  /** How often a running job renews its key's lock and reads whether it was superseded (ms). Default 1000. */
  pollMs?: number;
  /** When closing, running jobs are told to stop this long before the deadline (ms). Default 1500. */
  handBackMs?: number;
  /** `health()` gives up on Redis after this long (ms). Default 2000. */
  healthTimeoutMs?: number;
  log?: RedisQueueLog;
}

/** What a BullMQ job holds: the queued job, and when its quiet time ends. */
interface Envelope<T> {
  id: string;
  key: string;
  data: T;
  due: number;
}

interface Running {
  id: string;
  key: string;
  stop(reason: Error): void;
  timer?: ReturnType<typeof setInterval> | undefined;
  /** The renewal in flight, awaited before the lock is let go (it could take the lock again). */
  renewing?: Promise<void> | undefined;
}

/** BullMQ's job ids cannot hold `:` nor look like integers; ours do (`<delivery>:<type>`). */
export function bullmqId(id: string): string {
  return `id=${encodeURIComponent(id)}`;
}

/** Our backoff's name in the job options: BullMQ calls the worker's strategy for it. */
const BACKOFF = 'ml-lens';
const SUPERSEDED_TTL_MS = 6 * 3600_000;
/** A lane's first id whose BullMQ job never came after this long: its enqueuer died in between. */
const MISSING_AFTER_MS = 30_000;
const RECENT = 5;
const KEEP_STALLS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  return settled;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const silent: RedisQueueLog = {
  debug() {},
  info() {},
  warn(obj, msg) {
    console.warn(msg ?? 'queue', obj);
  },
  error(obj, msg) {
    console.error(msg ?? 'queue error', obj);
  },
};

export class RedisQueue<T> implements JobQueue<T> {
  readonly kind = 'redis';
  readonly retries = true;
  readonly #url: string;
  readonly #name: string;
  readonly #prefix: string;
  readonly #consume: boolean;
  readonly #delayMs: number;
  readonly #concurrency: number;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #maxRetryWaitMs: number;
  readonly #rememberMs: number;
  readonly #lockMs: number;
  readonly #stalledIntervalMs: number;
  readonly #laneRetryMs: number;
  readonly #pollMs: number;
  readonly #handBackMs: number;
  readonly #healthTimeoutMs: number;
  readonly #log: RedisQueueLog;
  readonly #redis: Redis;
  readonly #queue: Queue<Envelope<T>>;
  readonly #lanes: Lanes;
  readonly #base: string;
  #worker: Worker<T> | undefined;
  #bull: BullWorker<Envelope<T>> | undefined;
  readonly #running = new Map<string, Running>();
  /** Errors our processor threw: BullMQ's `failed` event logs only the others (a job that stalled too often). */
  readonly #thrown = new WeakSet<object>();
  #closed = false;
  /** Set once `close` runs: a job told to stop then is handed back rather than completed. */
  #closing = false;
  #closeDone: Promise<void> | undefined;
  readonly #lastError = new Map<string, number>();

  constructor(options: RedisQueueOptions = {}) {
    this.#url = options.url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    this.#name = options.name ?? 'ml-lens';
    this.#prefix = options.prefix ?? 'ml-lens';
    this.#consume = options.consume ?? true;
    this.#delayMs = Math.max(0, options.delayMs ?? 0);
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#attempts = Math.max(1, options.attempts ?? 5);
    this.#backoffMs = Math.max(0, options.backoffMs ?? 5000);
    this.#maxRetryWaitMs = Math.max(0, options.maxRetryWaitMs ?? 3600_000);
    this.#rememberMs = Math.max(100, options.rememberMs ?? 3 * 24 * 3600_000);
    this.#lockMs = Math.max(100, options.lockMs ?? 30_000);
    this.#stalledIntervalMs = Math.max(50, options.stalledIntervalMs ?? 30_000);
    this.#laneRetryMs = Math.max(10, options.laneRetryMs ?? 2000);
    // Renewed at least three times per lock period, so one slow answer does not lose it.
    this.#pollMs = Math.max(10, Math.min(options.pollMs ?? 1000, Math.floor(this.#lockMs / 3)));
    this.#handBackMs = Math.max(0, options.handBackMs ?? 1500);
    this.#healthTimeoutMs = Math.max(100, options.healthTimeoutMs ?? 2000);
    this.#log = options.log ?? silent;
    if (this.#name.includes(':')) throw new Error('the queue name cannot contain ":"');

    // Enqueueing and /health fail after a few tries rather than wait for Redis indefinitely.
    this.#redis = new Redis(this.#url, { maxRetriesPerRequest: 3, connectionName: `${this.#prefix}:${this.#name}:lanes` });
    this.#redis.on('error', (e) => this.#connectionError(e, 'lanes'));
    this.#queue = new Queue<Envelope<T>>(this.#name, { connection: { url: this.#url, maxRetriesPerRequest: 3 }, prefix: this.#prefix });
    this.#queue.on('error', (e) => this.#connectionError(e, 'queue'));
    this.#base = `${this.#prefix}:${this.#name}:~`;
    this.#lanes = new Lanes(this.#redis, this.#base);
  }

  /** Whether this process runs jobs (else it only enqueues). */
  get consumes(): boolean {
    return this.#consume;
  }

  process(worker: Worker<T>): void {
    if (this.#worker) throw new Error('the queue already has a worker');
    this.#worker = worker;
    if (!this.#consume || this.#closed) return;
    const bull = new BullWorker<Envelope<T>>(this.#name, (job, token, signal) => this.#run(job, token, signal), {
      connection: { url: this.#url },
      prefix: this.#prefix,
      concurrency: this.#concurrency,
      lockDuration: this.#lockMs,
      stalledInterval: this.#stalledIntervalMs,
      // One more run for a job whose worker died; a job that kills its workers twice fails.
      maxStalledCount: 1,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => {
          const backoff = this.#backoffMs * 2 ** Math.max(0, attemptsMade - 1);
          return Math.max(backoff, Math.min(retryAfterOf(err) ?? 0, this.#maxRetryWaitMs));
        },
      },
    });
    bull.on('error', (e) => this.#connectionError(e, 'worker'));
    bull.on('stalled', (bullId) => void this.#stalled(bullId));
    bull.on('failed', (job, err) => {
      if (!job || this.#thrown.has(err)) return;
      // Failed by BullMQ itself (it stalled too often): it leaves its key's lane, so the key moves on.
      this.#log.error({ job: job.data.id, key: job.data.key, attempts: job.attemptsMade, err }, `job failed: ${err.message}`);
      void this.#lanes.dropStale(job.data.key, job.data.id).catch(() => false);
    });
    this.#bull = bull;
  }

  async enqueue(job: QueuedJob<T>): Promise<EnqueueResult> {
    if (this.#closed) return { status: 'closed' };
    if (!(await this.#lanes.remember(job.id, this.#rememberMs))) {
      this.#log.debug({ job: job.id, key: job.key }, 'duplicate job ignored');
      return { status: 'duplicate' };
    }
    try {
      return await this.#lanes.withEnqueueLock(job.key, () => this.#add(job));
    } catch (e) {
      // Not queued: a redelivery of the webhook may try again.
      await this.#lanes.forget(job.id).catch(() => {});
      throw e;
    }
  }

  /** Resolves when no job waits, is delayed or runs, in any process; rejects after `timeoutMs`. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.#queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(counts).every((n) => n === 0)) return;
      if (Date.now() > until) throw new Error(`the queue did not drain within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
      await sleep(20);
    }
  }

  close(timeoutMs = 30_000): Promise<void> {
    this.#closeDone ??= this.#close(timeoutMs);
    return this.#closeDone;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    const deadline = Date.now() + timeoutMs;
    const bull = this.#bull;
    if (bull) {
      this.#closing = true;
      // BullMQ stops taking jobs at once and resolves once the running ones have ended.
      const closing = bull.close();
      if (!(await settlesWithin(closing, timeoutMs - this.#handBackMs))) {
        const jobs = this.#runningJobs();
        this.#log.info({ jobs }, 'queue closing: running jobs told to stop and hand their work back');
        for (const r of this.#running.values()) r.stop(new Error('the queue is closing'));
        if (!(await settlesWithin(closing, deadline - Date.now()))) {
          this.#log.error(
            { jobs: this.#runningJobs() },
            'queue closed with jobs still running: their locks lapse and another worker runs them again (BullMQ stalled-job check)',
          );
          for (const r of this.#running.values()) clearInterval(r.timer);
          await bull.disconnect().catch(() => {});
        }
      }
    }
    await this.#queue.close().catch(() => {});
    await withTimeout(this.#redis.quit(), 1000, 'quit').catch(() => this.#redis.disconnect());
  }

  /** Counts and recent incidents, read from Redis (every process's jobs). */
  async stats(): Promise<QueueHealth> {
    const [counts, oldest, workers, failedJobs, stalls] = await Promise.all([
      this.#queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed'),
      this.#oldestWaiting(),
      this.#queue.getWorkersCount(),
      this.#queue.getFailed(0, RECENT - 1),
      this.#redis.lrange(`${this.#base}stalls`, 0, RECENT - 1),
    ]);
    return {
      kind: 'redis',
      waiting: (counts['wait'] ?? 0) + (counts['prioritized'] ?? 0),
      active: counts['active'] ?? 0,
      delayed: counts['delayed'] ?? 0,
      oldestWaitingMs: oldest === undefined ? null : Math.max(0, Date.now() - oldest),
      workers,
      failed: counts['failed'] ?? 0,
      recentFailures: failedJobs.filter((j) => j?.data).map((j) => ({
        id: j.data.id,
        key: j.data.key,
        reason: j.failedReason ?? 'failed',
        at: new Date(j.finishedOn ?? j.timestamp).toISOString(),
        attempts: j.attemptsMade,
      })),
      recentStalls: stalls.flatMap((s) => {
        try {
          return [JSON.parse(s) as JobIncident];
        } catch {
          return [];
        }
      }),
    };
  }

  health(): Promise<QueueHealth> {
    return withTimeout(this.stats(), this.#healthTimeoutMs, 'Redis');
  }

  // --- enqueueing -------------------------------------------------------------------------------

  async #add(job: QueuedJob<T>): Promise<EnqueueResult> {
    const { key, id } = job;
    // BullMQ ignores an id it still holds. A finished job's record outlived the remembered id: it
    // makes way for the new one. A job still queued or running under that id is a duplicate.
    const existing = await this.#queue.getJob(bullmqId(id));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed') {
        this.#log.debug({ job: id, key, state }, 'duplicate job ignored');
        return { status: 'duplicate' };
      }
      await existing.remove();
    }
    const worker = this.#worker;
    let data = job.data;
    const dropped: string[] = [];
    const running = await this.#lanes.holder(key);
    if (worker?.absorb) {
      for (const queuedId of await this.#lanes.pending(key)) {
        if (queuedId === running) continue;
        const queued = await this.#envelope(queuedId);
        if (!queued) continue; // not added yet, or gone: the lane sorts it out
        const merged = worker.absorb(queued.data, data);
        if (merged === undefined) continue;
        // A worker may have started it meanwhile: then it runs, and is not folded in.
        if (!(await this.#lanes.claim(key, queuedId))) continue;
        data = merged;
        dropped.push(queuedId);
        this.#log.debug({ job: queuedId, by: id, key }, 'queued job superseded before it started');
      }
    }
    if (running && worker?.outdates) {
      const current = await this.#envelope(running);
      if (current && worker.outdates(current.data, data)) {
        await this.#lanes.markSuperseded(running, SUPERSEDED_TTL_MS);
        this.#log.debug({ job: running, by: id, key }, 'running job superseded');
      }
    }
    // In the lane before BullMQ has it, so that a worker taking it finds it there.
    await this.#lanes.register(key, id);
    try {
      await this.#queue.add(
        key,
        { id, key, data, due: Date.now() + this.#delayMs },
        {
          jobId: bullmqId(id),
          delay: this.#delayMs,
          attempts: this.#attempts,
          backoff: { type: BACKOFF, delay: this.#backoffMs },
          // Kept for /health and inspection; duplicates are told by the remembered ids.
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
        },
      );
    } catch (e) {
      await this.#lanes.unregister(key, id).catch(() => {});
      throw e;
    }
    // The absorbed jobs' BullMQ entries go too (one a worker holds right now stays: it finds itself gone).
    for (const queuedId of dropped) await this.#queue.remove(bullmqId(queuedId)).catch(() => 0);
    return { status: 'queued', absorbed: dropped.length };
  }

  async #envelope(id: string): Promise<Envelope<T> | undefined> {
    const job = await this.#queue.getJob(bullmqId(id));
    return job?.data;
  }

  // --- running ----------------------------------------------------------------------------------

  async #run(job: Job<Envelope<T>>, token: string | undefined, bullSignal?: AbortSignal): Promise<void> {
    const worker = this.#worker!;
    const { id, key, data } = job.data;
    const lockValue = `${id} ${randomUUID()}`;
    const start = await this.#lanes.start(key, id, lockValue, this.#lockMs);
    if (start.status === 'gone') {
      this.#log.debug({ job: id, key }, 'job dropped: a newer job absorbed it (or it ran already)');
      return;
    }
    if (start.status !== 'started') {
      if (start.status === 'behind') await this.#repairHead(key, start.first);
      // Its key's turn has not come: look again later, or when the job before it ends.
      await this.#lanes.park(id, this.#laneRetryMs * 2);
      await job.moveToDelayed(Date.now() + this.#laneRetryMs, token);
      throw new DelayedError();
    }

    const abort = new AbortController();
    // A job whose worker died (BullMQ found it stalled) or that threw runs again: say so.
    const resumed = job.attemptsMade > 0 || job.stalledCounter > 0;
    const control: { superseded: boolean; readonly signal: AbortSignal; readonly resumed: boolean } = { superseded: false, signal: abort.signal, resumed };
    const running: Running = {
      id,
      key,
      stop: (reason) => {
        if (!abort.signal.aborted) abort.abort(reason);
      },
    };
    const onCancel = () => running.stop(new Error('the job was cancelled'));
    bullSignal?.addEventListener('abort', onCancel, { once: true });
    running.timer = setInterval(() => {
      running.renewing ??= this.#renew(running, lockValue, control).finally(() => (running.renewing = undefined));
    }, this.#pollMs);
    this.#running.set(id, running);

    let failure: { error: unknown } | undefined;
    try {
      await worker.run({ key, id, data }, control as JobControl);
    } catch (e) {
      failure = { error: e };
    } finally {
      clearInterval(running.timer);
      await running.renewing;
      this.#running.delete(id);
      bullSignal?.removeEventListener('abort', onCancel);
    }

    if (this.#closing && abort.signal.aborted) {
      // Told to stop because this process is going away: another worker runs it again.
      await this.#lanes.finish(key, id, lockValue, false);
      await job.moveToWait(token);
      this.#log.info({ job: id, key }, 'job handed back to the queue: another worker runs it');
      throw new WaitingError();
    }
    if (failure) {
      const err = failure.error instanceof Error ? failure.error : new Error(String(failure.error));
      const final = err.name === 'UnrecoverableError' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      // A job that will be retried keeps its place: its key waits for it.
      const next = await this.#lanes.finish(key, id, lockValue, final);
      const where = { job: id, key, attempt: job.attemptsMade + 1, of: job.opts.attempts ?? 1, err };
      if (final) {
        this.#log.error(where, `job failed for good: ${err.message}`);
        if (next) void this.#wake(next);
      } else this.#log.warn(where, `job failed, to be retried: ${err.message}`);
      this.#thrown.add(err);
      throw err;
    }
    const next = await this.#lanes.finish(key, id, lockValue, true);
    if (next) void this.#wake(next);
  }

  async #renew(running: Running, lockValue: string, control: { superseded: boolean }): Promise<void> {
    try {
      const r = await this.#lanes.renew(running.key, running.id, lockValue, this.#lockMs);
      if (r.superseded && !control.superseded) {
        control.superseded = true;
        this.#log.debug({ job: running.id, key: running.key }, 'running job superseded');
      }
      if (!r.held) {
        // Another attempt of this job runs (this one was taken for dead): two must not publish.
        this.#log.error({ job: running.id, key: running.key }, 'job lost its key to another worker: told to stop');
        running.stop(new Error('another worker runs this job'));
      }
    } catch (e) {
      this.#log.warn({ job: running.id, key: running.key, err: e }, 'cannot renew the job\'s lock in Redis');
    }
  }

  /**
   * The job first in its lane does not run and is not waiting to: its BullMQ job completed or
   * failed without leaving the lane (a crash in between), or never came (its enqueuer died). It
   * is removed so that the key's other jobs are not held up forever.
   */
  async #repairHead(key: string, first: string): Promise<void> {
    const job = await this.#queue.getJob(bullmqId(first));
    let why: string | undefined;
    if (job) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed' || state === 'unknown') why = state;
    } else {
      const at = await this.#lanes.enqueuedAt(first);
      if (at === undefined || Date.now() - at > MISSING_AFTER_MS) why = 'missing';
    }
    if (why && (await this.#lanes.dropStale(key, first))) {
      this.#log.warn({ job: first, key, state: why }, 'a job that was over still held its key\'s turn: removed');
    }
  }

  /** Starts the key's next job now if it was parked waiting for its turn (not for a backoff or its quiet time). */
  async #wake(id: string): Promise<void> {
    try {
      if (!(await this.#lanes.unpark(id))) return;
      const job = await this.#queue.getJob(bullmqId(id));
      if (job && job.data.due <= Date.now()) await job.promote();
    } catch {
      // Not delayed any more, or gone: it runs (or ran) anyway.
    }
  }

  async #stalled(bullId: string): Promise<void> {
    try {
      const job = await this.#queue.getJob(bullId);
      const incident: JobIncident = {
        id: job?.data.id ?? bullId,
        key: job?.data.key ?? 'unknown',
        reason: 'stalled: its worker stopped renewing its lock (it died or was blocked); moved back to wait',
        at: new Date().toISOString(),
      };
      this.#log.warn({ job: incident.id, key: incident.key }, `job stalled: ${incident.reason}`);
      await this.#redis.multi().lpush(`${this.#base}stalls`, JSON.stringify(incident)).ltrim(`${this.#base}stalls`, 0, KEEP_STALLS - 1).exec();
    } catch (e) {
      this.#log.warn({ job: bullId, err: e }, 'job stalled (its details could not be read)');
    }
  }

  async #oldestWaiting(): Promise<number | undefined> {
    // The first jobs of each state: Redis holds them in due order, close to their age order.
    const jobs = await this.#queue.getJobs(['wait', 'prioritized', 'delayed'], 0, 49, true);
    let oldest: number | undefined;
    for (const j of jobs) if (j && (oldest === undefined || j.timestamp < oldest)) oldest = j.timestamp;
    return oldest;
  }

  #runningJobs(): { id: string; key: string }[] {
    return [...this.#running.values()].map((r) => ({ id: r.id, key: r.key }));
  }

  /** Connection errors repeat while Redis is away (each reconnection): one line a minute per kind. */
  #connectionError(e: Error, where: string): void {
    const what = `${where}: ${e.message}`;
    const last = this.#lastError.get(what) ?? 0;
    if (Date.now() - last < 60_000) return;
    if (this.#lastError.size > 100) this.#lastError.clear();
    this.#lastError.set(what, Date.now());
    this.#log.error({ err: e, connection: where }, `Redis connection error (${where}): ${e.message}`);
  }
}
