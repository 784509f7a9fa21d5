/**
 * The review history's store, as the App uses it: `openStore(env)` picks the database (db.ts) and
 * applies the migrations; `write(op)` records a review, a tracking-issue map or a deletion.
 *
 * A write never throws and never holds up a publish: the jobs write after publishing, and what the
 * database did not take stays in a small in-memory outbox, in order, written before the next write
 * (and on a timer), so the history records what it missed once the database is back. The outbox is
 * bounded (`capacity`, oldest dropped first, counted in the log); it does not outlive the process.
 * An operation the database refuses for itself (a constraint, bad data: SQLSTATE classes 22, 23,
 * 42) is dropped and logged, so that it cannot block those behind it.
 */
import type { Db, DbEnv, DbKind } from './db.js';
import { openDb } from './db.js';
import {
  applyRetention,
  deleteInstallation,
  deleteRepository,
  fixUnseen,
  moveFingerprints,
  observeFindings,
  recordReview,
  recordTrackingIssues,
  upsertRepository,
  type FindingObservation,
  type RepositoryRef,
  type RetentionResult,
  type ReviewRecord,
  type TrackedIssue,
} from './history.js';
import { migrate } from './migrate.js';
import { boundFacts, readFacts, touchFacts, writeFacts } from './parse-cache.js';
import type { ContextFact } from '../model.js';
import type { Sql } from './db.js';

export type { Db, DbKind, Sql } from './db.js';
export type { FindingObservation, FindingState, RepositoryRef, ReviewRecord, StoredReview, TrackedIssue } from './history.js';

/** What can be written: one operation is one transaction. */
export type StoreOp =
  /** A published review, the states of the findings it saw, and the tracking issues it left. */
  | {
      type: 'review';
      review: ReviewRecord;
      findings: FindingObservation[];
      /** Paths the review covered in full: a finding recorded there that it did not see is fixed. */
      paths: string[];
      issues?: TrackedIssue[] | undefined;
    }
  /** Tracking issues opened or closed without a review to record (a check run's button). */
  | { type: 'issues'; repository: RepositoryRef; issues: TrackedIssue[]; at: Date }
  /** The App was uninstalled from these repositories. */
  | { type: 'forget-repositories'; repoIds: number[] }
  /** The App was uninstalled. */
  | { type: 'forget-installation'; installationId: number };

/** The part of the store the jobs and webhook handlers use. */
export interface HistoryWriter {
  /**
   * Queues `op` behind any the database missed and writes them, in order. Never throws. Resolves
   * true when everything was written, false when the database did not answer (kept for later).
   */
  write(op: StoreOp): Promise<boolean>;
}

/**
 * The parse cache (src/parse-cache.ts) as the jobs use it. Neither method throws nor waits long: a
 * database that does not answer makes every file a miss, and what was learnt is not kept.
 */
export interface ParseCacheStore {
  /** The facts remembered under `keys` for the repository. */
  recall(repo: RepositoryRef, keys: readonly string[]): Promise<Map<string, ContextFact>>;
  /** Remembers facts for the repository, keeping the cache within its bound. */
  remember(repo: RepositoryRef, facts: readonly { key: string; fact: ContextFact }[]): Promise<void>;
}

/** For /health. */
export interface StoreState {
  kind: DbKind;
  /** The database answered the last time it was asked. */
  ok: boolean;
  /** Operations waiting in the outbox for the database. */
  pendingRecords: number;
}

export interface StoreLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StoreOptions {
  log?: StoreLog;
  /** Operations the outbox keeps at most (the oldest is dropped). Default 1000. */
  capacity?: number;
  /** After a failure, try the outbox again after this long (ms) even if nothing is written. Default 60 s; 0: only on the next write. */
  retryMs?: number;
  /** The parse cache's bound in bytes (`ML_LENS_PARSE_CACHE_MB`). Default 256 MB; 0 turns the cache off. */
  parseCacheBytes?: number;
  /** A parse-cache read that takes longer than this (ms) is given up: every file is then a miss. Default 3000. */
  recallTimeoutMs?: number;
}

const silent: StoreLog = { info() {}, warn() {}, error() {} };

async function apply(tx: Sql, op: StoreOp): Promise<void> {
  switch (op.type) {
    case 'review': {
      const r = op.review;
      await recordReview(tx, r);
      await moveFingerprints(tx, r.repository.id, r.ref, op.findings.flatMap((f) => (f.previousFingerprint ? [{ from: f.previousFingerprint, to: f.fingerprint }] : [])));
      await observeFindings(tx, r.repository.id, r.ref, op.findings, r.createdAt);
      await fixUnseen(tx, r.repository.id, r.ref, op.paths, op.findings.map((f) => f.fingerprint), r.createdAt);
      if (op.issues?.length) await recordTrackingIssues(tx, r.repository.id, op.issues, r.createdAt);
      return;
    }
    case 'issues':
      await upsertRepository(tx, op.repository, op.at);
      await recordTrackingIssues(tx, op.repository.id, op.issues, op.at);
      return;
    case 'forget-repositories':
      for (const id of op.repoIds) await deleteRepository(tx, id);
      return;
    case 'forget-installation':
      await deleteInstallation(tx, op.installationId);
      return;
  }
}

/** An error the database raised about the operation itself: retrying it would fail the same way. */
function refused(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|42)[0-9A-Z]{3}$/.test(code);
}

export class HistoryStore implements HistoryWriter, ParseCacheStore {
  private readonly pending: StoreOp[] = [];
  private readonly log: StoreLog;
  private readonly capacity: number;
  private readonly retryMs: number;
  private readonly cacheBytes: number;
  private readonly recallTimeoutMs: number;
  /** Cache writes run one after another: closing waits for the last. */
  private caching: Promise<void> = Promise.resolve();
  private ok = false;
  private migrated: Promise<void> | undefined;
  /** Writes run one after another, so the outbox is written in order and never twice. */
  private chain: Promise<boolean> = Promise.resolve(true);
  private timer: NodeJS.Timeout | undefined;
  private retention: NodeJS.Timeout | undefined;
  /** A retention pass under way: closing waits for it. */
  private retaining: Promise<void> | undefined;
  private closed = false;

  constructor(
    /** For reads (src/store/history.ts's functions take it). */
    readonly db: Db,
    options: StoreOptions = {},
  ) {
    this.log = options.log ?? silent;
    this.capacity = Math.max(1, options.capacity ?? 1000);
    this.retryMs = options.retryMs ?? 60_000;
    this.cacheBytes = Math.max(0, options.parseCacheBytes ?? DEFAULT_PARSE_CACHE_MB * 1048576);
    this.recallTimeoutMs = options.recallTimeoutMs ?? 3000;
  }

  async recall(repo: RepositoryRef, keys: readonly string[]): Promise<Map<string, ContextFact>> {
    if (this.cacheBytes === 0 || this.closed || keys.length === 0) return new Map();
    let timer: NodeJS.Timeout | undefined;
    try {
      const read = (async () => {
        await this.ready();
        return readFacts(this.db, repo.id, keys);
      })();
      const found = await Promise.race([read, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${this.recallTimeoutMs} ms`)), this.recallTimeoutMs)))]);
      // Recently used rows are evicted last; marking them is not worth waiting for.
      if (found.size > 0) void touchFacts(this.db, repo.id, [...found.keys()], new Date()).catch(() => {});
      return found;
    } catch (e) {
      this.log.warn({ err: e, repository: repo.fullName }, 'parse cache: the database did not answer; the context files are read again');
      return new Map();
    } finally {
      clearTimeout(timer);
    }
  }

  remember(repo: RepositoryRef, facts: readonly { key: string; fact: ContextFact }[]): Promise<void> {
    if (this.cacheBytes === 0 || this.closed || facts.length === 0) return Promise.resolve();
    const write = async () => {
      try {
        await this.ready();
        const now = new Date();
        // One entry may take at most a sixteenth of the cache: a huge document does not evict the rest.
        await this.db.transaction((tx) => writeFacts(tx, repo, facts, now, Math.max(1, Math.floor(this.cacheBytes / 16))));
        const evicted = await boundFacts(this.db, this.cacheBytes, Math.floor(this.cacheBytes * 0.9));
        if (evicted > 0) this.log.info({ evicted, boundBytes: this.cacheBytes }, 'parse cache: least recently used entries evicted');
      } catch (e) {
        this.log.warn({ err: e, repository: repo.fullName }, 'parse cache: not written (the next review reads those files again)');
      }
    };
    this.caching = this.caching.then(write);
    return this.caching;
  }

  state(): StoreState {
    return { kind: this.db.kind, ok: this.ok, pendingRecords: this.pending.length };
  }

  write(op: StoreOp): Promise<boolean> {
    if (this.closed) {
      this.log.warn({ op: op.type }, 'history: the store is closed; not recorded');
      return Promise.resolve(false);
    }
    this.pending.push(op);
    if (this.pending.length > this.capacity) {
      const lost = this.pending.shift()!;
      this.log.warn({ op: lost.type, capacity: this.capacity }, 'history: the outbox is full; the oldest unwritten record is dropped');
    }
    return this.flush();
  }

  /** Writes what the outbox holds. Resolves true when it is empty. */
  flush(): Promise<boolean> {
    this.chain = this.chain.then(() => this.drain());
    return this.chain;
  }

  /** The migrations, once they succeed (tried again after a failure). */
  ready(): Promise<void> {
    this.migrated ??= migrate(this.db).then(
      (applied) => {
        if (applied.length > 0) this.log.info({ applied }, 'history: migrations applied');
      },
      (e: unknown) => {
        this.migrated = undefined;
        throw e;
      },
    );
    return this.migrated;
  }

  private async drain(): Promise<boolean> {
    if (this.pending.length === 0) return true;
    const missed = this.ok ? 0 : this.pending.length;
    try {
      await this.ready();
      while (this.pending.length > 0) {
        const op = this.pending[0]!;
        try {
          await this.db.transaction((tx) => apply(tx, op));
        } catch (e) {
          if (!refused(e)) throw e;
          this.log.error({ err: e, op: op.type }, 'history: the database refused a record; it is dropped');
        }
        this.pending.shift();
      }
    } catch (e) {
      // Once when it goes away; then a quieter line per attempt.
      const line = { err: e, pending: this.pending.length };
      if (this.ok) this.log.error(line, 'history: the database did not answer; the records are kept and written when it does');
      else this.log.warn(line, 'history: the database still does not answer; the records are kept');
      this.ok = false;
      this.retryLater();
      return false;
    }
    if (!this.ok && missed > 0) this.log.info({ written: missed }, 'history: the database answers again; the missed records are written');
    this.ok = true;
    return true;
  }

  private retryLater(): void {
    if (this.retryMs <= 0 || this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.retryMs);
    this.timer.unref();
  }

  /** Applies the migrations now, to learn at start whether the database answers (never throws). */
  async start(): Promise<boolean> {
    try {
      await this.ready();
      this.ok = true;
    } catch (e) {
      this.ok = false;
      this.log.error({ err: e }, 'history: the database did not answer at start; reviews are published and recorded once it does');
    }
    return this.ok;
  }

  /** Forgets what is older than `days` (see history.ts `applyRetention`). Throws on a database error. */
  async applyRetention(days: number, now = new Date()): Promise<RetentionResult> {
    await this.ready();
    return this.db.transaction((tx) => applyRetention(tx, days, now));
  }

  /** Applies the retention now and then every `everyMs` (default a day); failures are logged. */
  scheduleRetention(days: number, everyMs = 86_400_000): void {
    const run = () =>
      this.applyRetention(days).then(
        (r) => {
          if (r.reviews + r.findingStates + r.trackingIssues > 0) this.log.info({ days, ...r }, 'history: retention applied');
        },
        (e: unknown) => this.log.warn({ err: e }, 'history: applying the retention failed; tried again later'),
      );
    const start = () => {
      this.retaining ??= run().finally(() => (this.retaining = undefined));
    };
    start();
    clearInterval(this.retention);
    this.retention = setInterval(start, everyMs);
    this.retention.unref();
  }

  /** Stops the timers, writes what it can, closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.timer);
    clearInterval(this.retention);
    await this.retaining;
    await this.caching;
    await this.flush();
    this.closed = true;
    if (this.pending.length > 0) this.log.warn({ pending: this.pending.length }, 'history: closing with records the database never took');
    await this.db.close();
  }
}

/** What configures the store: the database (db.ts), `ML_LENS_RETENTION_DAYS` and `ML_LENS_PARSE_CACHE_MB`. */
export interface StoreEnv extends DbEnv {
  ML_LENS_RETENTION_DAYS?: string | undefined;
  ML_LENS_PARSE_CACHE_MB?: string | undefined;
  REDIS_URL?: string | undefined;
}

export const DEFAULT_RETENTION_DAYS = 365;
export const DEFAULT_PARSE_CACHE_MB = 256;

/** `ML_LENS_PARSE_CACHE_MB`, megabytes (0: no parse cache); default 256. */
export function parseCacheBytes(env: StoreEnv): number {
  const v = env.ML_LENS_PARSE_CACHE_MB;
  const n = Number(v);
  return (v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : DEFAULT_PARSE_CACHE_MB) * 1048576;
}

/** `ML_LENS_RETENTION_DAYS`, a positive number of days; default 365. */
export function retentionDays(env: StoreEnv): number {
  const n = Number(env.ML_LENS_RETENTION_DAYS);
  return env.ML_LENS_RETENTION_DAYS && Number.isFinite(n) && n > 0 ? n : DEFAULT_RETENTION_DAYS;
}

/**
 * Opens the database the environment names (PostgreSQL with `DATABASE_URL`, else PGlite in
 * `ML_LENS_DATA_DIR` or `./.data`) and applies the migrations. A database that does not answer is
 * logged, not fatal: reviews are published and recorded once it does.
 */
export async function openStore(env: StoreEnv, options: StoreOptions = {}): Promise<HistoryStore> {
  if (env.REDIS_URL && !env.DATABASE_URL) {
    options.log?.warn({}, 'history: REDIS_URL without DATABASE_URL: this process keeps an embedded history of its own, in a folder no other process may use (ML_LENS_DATA_DIR); set DATABASE_URL to share one');
  }
  const store = new HistoryStore(await openDb(env), { parseCacheBytes: parseCacheBytes(env), ...options });
  await store.start();
  return store;
}
