/**
 * Runs reviews off the main thread, in a pool of worker threads, with a time budget per file.
 *
 * Why: `review()` is synchronous and CPU-bound. Run on the thread that answers webhooks, one
 * pathological file (a YAML mapping of 100,000 keys, a huge Markdown table) would hold every other
 * delivery past GitHub's 10-second limit. In a worker, the event loop stays free, and a file that
 * overruns can be stopped: the runner watches which file each worker is on (progress.ts) and, when
 * one unit (a file's parse or evaluation) runs longer than `fileTimeoutMs`, terminates the worker
 * and runs the review again without that file, which is then reported (`time-budget` finding, not
 * reviewed). A worker that dies (out of memory) is treated the same way for the file it was on.
 * Whole reviews have a budget too (`reviewTimeoutMs`), and at most `maxOverBudgetFiles` files may
 * be given up on before the review itself is given up.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChangeSet, Review } from '../model.js';
import type { LearntFact } from '../parse-cache.js';
import type { PlanInput } from '../plan.js';
import { ProgressReader, progressBuffer } from './progress.js';
import type { ReviewTask, WorkerMessage } from './protocol.js';
import type { ReviewRunner, RunOptions } from './types.js';

/** The review could not be completed within its budgets; the message says why, in one line. */
export class ReviewBudgetError extends Error {
  override readonly name = 'ReviewBudgetError';
}

export interface PoolOptions {
  /** Worker threads (reviews at the same time). Default: the number of cores. */
  size?: number;
  /** A file's parse or evaluation may take this long (ms). Default `ML_LENS_FILE_TIMEOUT_MS`, else 10 000. */
  fileTimeoutMs?: number;
  /** A whole review, retries included, may take this long (ms). Default `ML_LENS_REVIEW_TIMEOUT_MS`, else 300 000. */
  reviewTimeoutMs?: number;
  /** Files given up on before the review is. Default 5. */
  maxOverBudgetFiles?: number;
  /** Heap limit of each worker (MB): a file that needs more is given up on like a slow one. Default 2048. */
  memoryMb?: number;
  env?: Record<string, string | undefined>;
}

/** The worker script: dist/runner/review-worker.js, also when this module runs from src/ (tests). */
const WORKER_URL = new URL('../../dist/runner/review-worker.js', import.meta.url);
const START_TIMEOUT_MS = 60_000;

function envMs(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const v = env[name];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

interface Slot {
  worker: Worker;
  reader: ProgressReader;
  ready: Promise<void>;
  busy: boolean;
  /** Set while a task runs: settles it from the worker's messages and events. */
  settle?: ((outcome: WorkerOutcome) => void) | undefined;
}

type WorkerOutcome = { kind: 'done'; review: Review; learnt?: LearntFact[] | undefined } | { kind: 'error'; message: string } | { kind: 'died'; message: string };

export class WorkerPool implements ReviewRunner {
  readonly #size: number;
  readonly #fileTimeoutMs: number;
  readonly #reviewTimeoutMs: number;
  readonly #maxOverBudget: number;
  readonly #memoryMb: number;
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: PoolOptions = {}) {
    const env = options.env ?? process.env;
    this.#size = Math.max(1, options.size ?? availableParallelism());
    this.#fileTimeoutMs = options.fileTimeoutMs ?? envMs(env, 'ML_LENS_FILE_TIMEOUT_MS', 10_000);
    this.#reviewTimeoutMs = options.reviewTimeoutMs ?? envMs(env, 'ML_LENS_REVIEW_TIMEOUT_MS', 300_000);
    this.#maxOverBudget = options.maxOverBudgetFiles ?? 5;
    this.#memoryMb = options.memoryMb ?? 2048;
  }

  get fileTimeoutMs(): number {
    return this.#fileTimeoutMs;
  }

  /** Starts every worker now (they load the parsers), so the first reviews do not wait for it. */
  async warm(): Promise<void> {
    while (this.#slots.length < this.#size) this.#slots.push(this.#spawn());
    await Promise.all(this.#slots.map((s) => s.ready));
  }

  async review(changeSet: ChangeSet, input: PlanInput, options: RunOptions = {}): Promise<Review> {
    if (this.#closed) throw new Error('the review runner is closed');
    const deadline = Date.now() + this.#reviewTimeoutMs;
    const overBudget = new Map<string, string>();
    // The examples are documentation, never read by a review: no need to copy them to the worker.
    const rules = input.catalogue.rules.map((r) => ({ ...r, examples: { pass: [], fail: [] } }));
    for (;;) {
      options.signal?.throwIfAborted();
      const task: ReviewTask = {
        id: this.#nextId++,
        changeSet,
        rules,
        config: input.config,
        today: input.today,
        configPath: input.configPath,
        options: {
          toolVersion: options.toolVersion,
          overBudget: [...overBudget],
          learn: options.learn !== undefined,
        },
      };
      const slot = await this.#acquire();
      let result: { review: Review; learnt?: LearntFact[] | undefined } | { overrun: string; reason: string };
      try {
        result = await this.#run(slot, task, deadline, options.signal);
      } finally {
        this.#release(slot);
      }
      if ('review' in result) {
        if (result.learnt) options.learn?.(result.learnt);
        return result.review;
      }
      overBudget.set(result.overrun, result.reason);
      if (overBudget.size > this.#maxOverBudget) {
        throw new ReviewBudgetError(`the review stopped: more than ${this.#maxOverBudget} files could not be read within the time budget (${[...overBudget.keys()].slice(0, 3).join(', ')}, ...)`);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  // -------------------------------------------------------------------------------------------

  #spawn(): Slot {
    const progress = progressBuffer();
    const worker = new Worker(WORKER_URL, {
      workerData: { progress },
      resourceLimits: { maxOldGenerationSizeMb: this.#memoryMb },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, reader: new ProgressReader(progress), busy: false, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the review worker did not start')), START_TIMEOUT_MS);
      timer.unref();
      worker.once('message', (m: WorkerMessage) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve();
        else reject(new Error('the review worker did not start'));
        worker.on('message', (msg: WorkerMessage) => {
          if (msg.type === 'done') slot.settle?.({ kind: 'done', review: msg.review, learnt: msg.learnt });
          else if (msg.type === 'error') slot.settle?.({ kind: 'error', message: msg.message });
        });
      });
      const died = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`the review worker did not start: ${why}`));
        slot.settle?.({ kind: 'died', message: why });
      };
      worker.once('error', (e) => died(e instanceof Error ? e.message : String(e)));
      worker.once('exit', (code) => died(`it exited with code ${code}`));
    });
    // A rejected start is reported to the review that waits for it, not as an unhandled rejection.
    slot.ready.catch(() => undefined);
    return slot;
  }

  #acquire(): Promise<Slot> {
    const idle = this.#slots.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.#slots.length < this.#size) {
      const slot = this.#spawn();
      slot.busy = true;
      this.#slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot): void {
    if (!this.#slots.includes(slot)) return; // replaced after a timeout, or the pool closed
    const next = this.#waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  /**
   * Replaces a worker that was stopped or died: a fresh one takes its place in the pool and is free
   * at once (the old slot is no longer in the pool, so releasing it later does nothing).
   */
  #replace(slot: Slot): void {
    void slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (i === -1 || this.#closed) return;
    const fresh = this.#spawn();
    fresh.busy = true;
    this.#slots[i] = fresh;
    this.#release(fresh);
  }

  async #run(
    slot: Slot,
    task: ReviewTask,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ review: Review; learnt?: LearntFact[] | undefined } | { overrun: string; reason: string }> {
    await slot.ready;
    signal?.throwIfAborted();
    slot.reader.reset();
    return new Promise((resolve, reject) => {
      let last = -1;
      let since = Date.now();
      let finished = false;
      const finish = (fn: () => void) => {
        if (finished) return;
        finished = true;
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        slot.settle = undefined;
        fn();
      };
      const stop = (): { path: string; step: string } | null => {
        const at = slot.reader.current();
        this.#replace(slot);
        return at;
      };
      const onAbort = () => finish(() => {
        stop();
        reject(signal!.reason);
      });
      const check = () => {
        const now = Date.now();
        const counter = slot.reader.counter();
        if (counter !== last) {
          last = counter;
          since = now;
        }
        if (now > deadline) {
          finish(() => {
            stop();
            reject(new ReviewBudgetError(`the review stopped: it took longer than its budget of ${seconds(this.#reviewTimeoutMs)}`));
          });
          return;
        }
        if (now - since <= this.#fileTimeoutMs) return;
        finish(() => {
          const at = stop();
          if (!at || at.path === '') {
            reject(new ReviewBudgetError(`the review stopped: ${at ? `its ${at.step} step` : 'it'} took longer than the time budget of ${seconds(this.#fileTimeoutMs)}`));
          } else {
            const what = at.step === 'parse' ? 'reading it' : 'checking it against the rules';
            resolve({ overrun: at.path, reason: `${what} took longer than the time budget of ${seconds(this.#fileTimeoutMs)}` });
          }
        });
      };
      const timer = setInterval(check, Math.max(20, Math.min(250, this.#fileTimeoutMs / 4)));
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      slot.settle = (outcome) =>
        finish(() => {
          if (outcome.kind === 'done') resolve({ review: outcome.review, learnt: outcome.learnt });
          else if (outcome.kind === 'error') reject(new Error(outcome.message));
          else {
            const at = stop();
            if (at && at.path !== '') resolve({ overrun: at.path, reason: `reading it stopped the reviewer (${outcome.message}; out of memory?)` });
            else reject(new Error(`the review worker stopped: ${outcome.message}`));
          }
        });
      slot.worker.postMessage(task);
    });
  }
}

function seconds(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
