/**
 * The job queue between the webhook handler and the work. The handler enqueues plain data and
 * returns at once (GitHub waits at most 10 s for the answer); a worker runs the jobs.
 *
 * Two queues fill it: in the process (in-process.ts, the default) and on Redis with BullMQ across
 * processes (redis.ts, with REDIS_URL). The contract:
 * - jobs are plain, serialisable data (`QueuedJob`), never closures or request contexts;
 * - `id` is the idempotency key (BullMQ: `jobId`), so a redelivered webhook is a no-op;
 * - jobs with the same `key` run one at a time, in order (on Redis: a lane per key, redis-lanes.ts);
 * - a newer job may absorb queued ones of the same key (latest head wins) and mark a running one
 *   superseded; the worker still re-checks the head before publishing, which is the guard that
 *   holds across processes.
 */

export interface QueuedJob<T> {
  /** Jobs with the same key run one at a time, in order: one pull request, one repository's pushes. */
  key: string;
  /** Unique id (the webhook delivery id and what it asks for); a job whose id was seen is ignored. */
  id: string;
  data: T;
}

export interface JobControl {
  /** True once a newer job for the same key has made this one's result stale (a newer head). */
  readonly superseded: boolean;
  /**
   * Aborted when the queue is closing and the job must stop now: it ends what it started on GitHub
   * (a check run left `in_progress` would stay so) and returns, within the time `close` leaves it.
   */
  readonly signal: AbortSignal;
  /**
   * An earlier run of this job stopped without ending (its worker died): what it started on GitHub
   * (a check run `in_progress`) may still be open, for this run to take over.
   */
  readonly resumed?: boolean;
}

export interface Worker<T> {
  run(job: QueuedJob<T>, control: JobControl): Promise<void>;
  /**
   * `incoming` arrives while `queued` (same key) waits: return the data the incoming job should
   * carry to drop `queued` (usually `incoming` itself, or both folded together), or undefined to
   * keep both.
   */
  absorb?(queued: T, incoming: T): T | undefined;
  /** Whether `incoming` makes the running job's result stale (it then sees `control.superseded`). */
  outdates?(running: T, incoming: T): boolean;
}

/**
 * What became of an enqueued job: `queued` (to run), `duplicate` (its id was seen: ignored),
 * `closed` (the queue is shutting down: not run).
 */
export type EnqueueResult = { status: 'queued'; absorbed: number } | { status: 'duplicate' } | { status: 'closed' };

export interface JobQueue<T> {
  /**
   * True when a job that throws is run again later, with backoff (the Redis queue): the worker may
   * then throw a `RetryableError` (src/queue/retryable.ts) for a failure worth trying again.
   */
  readonly retries?: boolean;
  /** Attaches the worker; jobs enqueued before it is attached wait for it. */
  process(worker: Worker<T>): void;
  enqueue(job: QueuedJob<T>): EnqueueResult | Promise<EnqueueResult>;
  /** Resolves when nothing is queued or running. */
  drain(): Promise<void>;
  /**
   * Stops taking jobs, drops the queued ones, and waits for the running ones, at most `timeoutMs`:
   * jobs still running near the end are told to stop (`JobControl.signal`) and given the rest of
   * the time to hand their work back.
   */
  close(timeoutMs?: number): Promise<void>;
  /** What `GET /health` says of the queue; it rejects when the queue's store cannot be reached. */
  health?(): Promise<QueueHealth>;
}

/** A job that failed for good (or stalled: its worker stopped renewing it), for `GET /health`. */
export interface JobIncident {
  id: string;
  key: string;
  reason: string;
  /** When (ISO 8601). */
  at: string;
  attempts?: number;
}

export interface QueueHealth {
  kind: 'in-process' | 'redis';
  /** Jobs ready to start. */
  waiting: number;
  active: number;
  /** Jobs waiting for a time: the quiet delay, a retry's backoff, their key's turn (Redis). */
  delayed: number;
  /** Age of the oldest job not started yet (ms), or null when none waits. */
  oldestWaitingMs: number | null;
  /** Processes taking jobs: this one (in-process), or every worker connected to Redis. */
  workers: number;
  /** Jobs failed for good, kept for a while (Redis: BullMQ's failed set). */
  failed: number;
  recentFailures: JobIncident[];
  recentStalls: JobIncident[];
}
