/**
 * The default queue: in the process, per-key serialised, latest head wins.
 *
 * Each key (one pull request, one repository's pushes) is a lane: at most one job runs, the others
 * wait in order. A job starts once its lane has been quiet for `delayMs`, so a burst of pushes
 * collapses into one run; a newer job absorbs the queued ones it makes pointless (the worker
 * decides which), so superseded heads are dropped before they start, and a running job whose
 * result the newer one outdates is told so through `control.superseded`. Different keys run in
 * parallel up to `concurrency`. Ids are remembered (bounded), so a redelivered webhook is ignored.
 *
 * Nothing survives a restart: queued jobs are lost with the process (they have not created a check
 * run yet, so nothing is left half-done on GitHub; `close` logs them). Running jobs get until
 * shortly before `close`'s deadline to finish; then their `control.signal` is aborted and they have
 * the rest (`handBackMs`) to end what they started. Several processes share the queue on Redis
 * instead (redis.ts, with REDIS_URL).
 */
import type { EnqueueResult, JobControl, JobIncident, JobQueue, QueueHealth, QueuedJob, Worker } from './types.js';

export interface QueueLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface InProcessQueueOptions {
  /** A job starts once its key has been quiet this long (ms). Default 0. */
  delayMs?: number;
  /** Keys worked on at the same time. Default 4. */
  concurrency?: number;
  /** How many job ids are remembered to ignore duplicates. Default 10 000. */
  rememberIds?: number;
  /**
   * When closing, running jobs are told to stop this long before the deadline (ms), the time a job
   * needs to end its check run (one request). Default 1500.
   */
  handBackMs?: number;
  log?: QueueLog;
}

interface Entry<T> {
  job: QueuedJob<T>;
  /** When it was enqueued (ms since epoch), for the oldest waiting job's age. */
  queuedAt: number;
  control: { superseded: boolean; readonly signal: AbortSignal };
  abort: AbortController;
}

interface Lane<T> {
  pending: Entry<T>[];
  running?: Entry<T> | undefined;
  /** The lane's first queued job may start at this time (ms since epoch). */
  dueAt: number;
  timer?: ReturnType<typeof setTimeout> | undefined;
}

/** Without a logger only errors are said (on stderr): a job that throws past its worker is a bug. */
const minimal: QueueLog = {
  debug() {},
  info() {},
  error(obj, msg) {
    console.error(msg ?? 'job failed', obj);
  },
};

export class InProcessQueue<T> implements JobQueue<T> {
  readonly #delayMs: number;
  readonly #concurrency: number;
  readonly #rememberIds: number;
  readonly #handBackMs: number;
  readonly #log: QueueLog;
  #worker: Worker<T> | undefined;
  readonly #lanes = new Map<string, Lane<T>>();
  /** Insertion-ordered, so the oldest id is evicted first. */
  readonly #seen = new Set<string>();
  /** Keys whose next job is due but waits for a free slot, in order. */
  readonly #waitingForSlot: string[] = [];
  #running = 0;
  #closed = false;
  /** Jobs that threw past their worker: how many, and the last few (for `GET /health`). */
  #failed = 0;
  #recentFailures: JobIncident[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(options: InProcessQueueOptions = {}) {
    this.#delayMs = Math.max(0, options.delayMs ?? 0);
    this.#concurrency = Math.max(1, options.concurrency ?? 4);
    this.#rememberIds = Math.max(1, options.rememberIds ?? 10_000);
    this.#handBackMs = Math.max(0, options.handBackMs ?? 1500);
    this.#log = options.log ?? minimal;
  }

  process(worker: Worker<T>): void {
    if (this.#worker) throw new Error('the queue already has a worker');
    this.#worker = worker;
    for (const key of this.#lanes.keys()) this.#schedule(key);
  }

  enqueue(job: QueuedJob<T>): EnqueueResult {
    if (this.#closed) return { status: 'closed' };
    if (this.#seen.has(job.id)) {
      this.#log.debug({ job: job.id, key: job.key }, 'duplicate job ignored');
      return { status: 'duplicate' };
    }
    this.#remember(job.id);

    let lane = this.#lanes.get(job.key);
    if (!lane) {
      lane = { pending: [], dueAt: 0 };
      this.#lanes.set(job.key, lane);
    }
    const abort = new AbortController();
    const incoming: Entry<T> = { job: { ...job }, queuedAt: Date.now(), control: { superseded: false, signal: abort.signal }, abort };
    let absorbed = 0;
    const absorb = this.#worker?.absorb?.bind(this.#worker);
    if (absorb) {
      lane.pending = lane.pending.filter((queued) => {
        const merged = absorb(queued.job.data, incoming.job.data);
        if (merged === undefined) return true;
        incoming.job.data = merged;
        absorbed++;
        this.#log.debug({ job: queued.job.id, by: job.id, key: job.key }, 'queued job superseded before it started');
        return false;
      });
    }
    if (lane.running && this.#worker?.outdates?.(lane.running.job.data, incoming.job.data)) {
      lane.running.control.superseded = true;
      this.#log.debug({ job: lane.running.job.id, by: job.id, key: job.key }, 'running job superseded');
    }
    lane.pending.push(incoming);
    lane.dueAt = Date.now() + this.#delayMs;
    this.#schedule(job.key);
    return { status: 'queued', absorbed };
  }

  /** Jobs running and waiting, for health checks and logs. */
  stats(): { running: number; queued: number; keys: number } {
    let queued = 0;
    for (const lane of this.#lanes.values()) queued += lane.pending.length;
    return { running: this.#running, queued, keys: this.#lanes.size };
  }

  /** What `GET /health` says of this queue. */
  async health(): Promise<QueueHealth> {
    let waiting = 0;
    let oldest: number | undefined;
    for (const lane of this.#lanes.values()) {
      for (const e of lane.pending) {
        waiting++;
        if (oldest === undefined || e.queuedAt < oldest) oldest = e.queuedAt;
      }
    }
    return {
      kind: 'in-process',
      waiting,
      active: this.#running,
      delayed: 0,
      oldestWaitingMs: oldest === undefined ? null : Date.now() - oldest,
      workers: this.#worker && !this.#closed ? 1 : 0,
      failed: this.#failed,
      recentFailures: [...this.#recentFailures],
      recentStalls: [],
    };
  }

  drain(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.#closed = true;
    const dropped: { id: string; key: string }[] = [];
    for (const [key, lane] of this.#lanes) {
      if (lane.timer) clearTimeout(lane.timer);
      for (const e of lane.pending) dropped.push({ id: e.job.id, key });
      lane.pending = [];
      if (!lane.running) this.#lanes.delete(key);
    }
    this.#waitingForSlot.length = 0;
    if (dropped.length > 0) this.#log.info({ dropped: dropped.length, jobs: dropped }, 'queue closed: queued jobs dropped before they started');
    this.#notifyIfIdle();
    if (await this.#idleWithin(timeoutMs - this.#handBackMs)) return;
    const running = this.#runningEntries();
    this.#log.info({ jobs: running.map((e) => ({ id: e.job.id, key: e.job.key })) }, 'queue closing: running jobs told to stop and hand their work back');
    for (const e of running) e.abort.abort(new Error('the queue is closing'));
    if (await this.#idleWithin(deadline - Date.now())) return;
    const left = this.#runningEntries().map((e) => ({ id: e.job.id, key: e.job.key }));
    this.#log.error({ jobs: left }, 'queue closed with jobs still running');
  }

  // -------------------------------------------------------------------------------------------

  /** Whether the queue became idle within `ms`. */
  async #idleWithin(ms: number): Promise<boolean> {
    if (this.#idle()) return true;
    if (ms <= 0) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = await Promise.race([
      this.drain().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return idle;
  }

  #runningEntries(): Entry<T>[] {
    return [...this.#lanes.values()].flatMap((l) => (l.running ? [l.running] : []));
  }

  #remember(id: string): void {
    this.#seen.add(id);
    while (this.#seen.size > this.#rememberIds) {
      const oldest = this.#seen.values().next().value as string;
      this.#seen.delete(oldest);
    }
  }

  #schedule(key: string): void {
    const lane = this.#lanes.get(key);
    if (!lane || lane.running || lane.pending.length === 0 || !this.#worker) return;
    if (lane.timer) clearTimeout(lane.timer);
    const wait = Math.max(0, lane.dueAt - Date.now());
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      this.#start(key);
    }, wait);
  }

  #start(key: string): void {
    const lane = this.#lanes.get(key);
    const worker = this.#worker;
    if (!lane || lane.running || lane.pending.length === 0 || !worker || this.#closed) return;
    if (this.#running >= this.#concurrency) {
      if (!this.#waitingForSlot.includes(key)) this.#waitingForSlot.push(key);
      return;
    }
    const entry = lane.pending.shift()!;
    lane.running = entry;
    this.#running++;
    const control: JobControl = entry.control;
    void (async () => {
      try {
        await worker.run(entry.job, control);
      } catch (e) {
        // Workers report their own failures; this is the last line of defence for the process.
        this.#log.error({ err: e, job: entry.job.id, key }, 'job failed');
        this.#failed++;
        const reason = e instanceof Error ? e.message : String(e);
        this.#recentFailures = [{ id: entry.job.id, key, reason, at: new Date().toISOString() }, ...this.#recentFailures].slice(0, 5);
      } finally {
        lane.running = undefined;
        this.#running--;
        if (lane.pending.length === 0) this.#lanes.delete(key);
        else this.#schedule(key);
        this.#releaseSlot();
        this.#notifyIfIdle();
      }
    })();
  }

  #releaseSlot(): void {
    while (this.#running < this.#concurrency && this.#waitingForSlot.length > 0) {
      this.#start(this.#waitingForSlot.shift()!);
    }
  }

  #idle(): boolean {
    return this.#running === 0 && [...this.#lanes.values()].every((l) => l.pending.length === 0 && !l.running);
  }

  #notifyIfIdle(): void {
    if (!this.#idle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
