/**
 * The SQL client the history store speaks through: `query` with parameters, `exec` for a script of
 * several statements (migrations only; no parameters), `transaction`, `close`. Two drivers:
 *
 * - PostgreSQL (`pg`): a pool from `DATABASE_URL`, for deployments with more than one process;
 * - PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WebAssembly, in this process): the
 *   embedded default, in a data folder (`ML_LENS_DATA_DIR`, default `./.data`; `memory://` keeps
 *   it in memory, for tests). One process only: PGlite cannot share its folder.
 *
 * The same SQL runs on both. Values always go as parameters, never into the text.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';

export type DbKind = 'pglite' | 'postgres';

export interface Sql {
  /** One statement; `$1`, `$2`... are `params`. Returns the rows. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of statements without parameters (a migration). */
  exec(script: string): Promise<void>;
}

export interface Db extends Sql {
  readonly kind: DbKind;
  /** Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  connectionString: string;
  /**
   * Schemas to put on every connection's search path (tests use a schema of their own, so that
   * they never touch another's tables).
   */
  searchPath?: string;
  /** How long to wait for a connection (ms). Default 5000: an unreachable database fails fast. */
  connectTimeoutMs?: number;
  /** How long a query may take (ms). Default 15000. */
  queryTimeoutMs?: number;
}

/** PostgreSQL through a `pg` pool. */
export function postgresDb(options: PostgresOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 15_000,
    // A schema name is an identifier, not a value: it goes as a connection option, quoted.
    ...(options.searchPath !== undefined ? { options: `-c search_path=${quoteIdent(options.searchPath)}` } : {}),
  });
  // An idle connection the server dropped: without a listener the pool's 'error' kills the
  // process. The next query opens a new connection (and fails, and is retried, if it is still down).
  pool.on('error', () => {});
  const on = (client: pg.Pool | pg.PoolClient): Sql => ({
    query: async <R,>(text: string, params?: readonly unknown[]) => (await client.query(text, params as unknown[] | undefined)).rows as R[],
    exec: async (script) => {
      await client.query(script);
    },
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        // A connection that cannot even roll back is not returned to the pool.
        await client.query('ROLLBACK').catch((err: unknown) => {
          broken = err instanceof Error ? err : new Error(String(err));
        });
        throw e;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/** `"name"`, with inner quotes doubled. */
function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The embedded server's settings: the history is small and has one client, so PostgreSQL's
 * default buffers (128 MB of shared buffers, 100 connections) would only cost memory. With these a
 * PGlite process holds about 130 MB more than Node alone (measured: 315 MB with the defaults).
 */
export const PGLITE_SETTINGS: readonly string[] = ['shared_buffers=8MB', 'wal_buffers=1MB', 'max_connections=3'];

/**
 * Creates a new PGlite data folder in a worker thread: PGlite's initdb touches about 700 MB of
 * WebAssembly memory, which a process keeps for good once touched, and a thread gives back when it
 * ends. Opening the folder afterwards costs a fraction of that.
 */
async function createInThread(dataDir: string): Promise<void> {
  const url = import.meta.resolve('@electric-sql/pglite');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.url)
      .then(async ({ PGlite }) => { const db = await PGlite.create(workerData.dataDir); await db.close(); })
      .then(() => parentPort.postMessage({ ok: true }), (e) => parentPort.postMessage({ ok: false, message: (e && e.message) || require('node:util').inspect(e, { depth: 2 }) }));`;
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { url, dataDir }, stdout: true, stderr: true });
    let failure: Error | undefined;
    worker.once('message', (m: { ok: boolean; message?: string }) => {
      if (!m.ok) failure = new Error(`creating the embedded database in ${dataDir} failed: ${m.message}`);
    });
    worker.once('error', (e) => (failure ??= e));
    worker.once('exit', (code) => (failure || code !== 0 ? reject(failure ?? new Error(`creating the embedded database in ${dataDir} stopped (exit ${code})`)) : resolve()));
  });
}

/** The lock file of a PGlite folder: the process using it. */
const LOCK_FILE = 'ml-lens.pid';

/**
 * Takes a PGlite folder for this process. PGlite is PostgreSQL in one process, without the
 * server's own lock: two processes on one folder would each write its files and corrupt it. The
 * lock is a file holding the owner's pid, created exclusively; one whose process is gone is
 * taken over. Returns the release.
 */
function lockFolder(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(
        `the embedded database in ${dataDir} is in use by process ${owner}: it serves one process. ` +
          'Set DATABASE_URL (PostgreSQL) for several processes, or give each its own ML_LENS_DATA_DIR.',
      );
    }
    // Left by a process that is gone (or by this one, reopening): taken over.
    unlinkSync(file);
  }
  throw new Error(`the embedded database in ${dataDir} could not be locked (${file})`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite in `dataDir` (a folder, created if missing) or in memory (`memory://`). */
export async function pgliteDb(dataDir: string): Promise<Db> {
  // Loaded only when used: a deployment on PostgreSQL never loads the WebAssembly.
  const { PGlite } = await import('@electric-sql/pglite');
  let release = () => {};
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    release = lockFolder(dataDir);
  }
  let db;
  try {
    if (!dataDir.startsWith('memory://') && !existsSync(join(dataDir, 'PG_VERSION'))) await createInThread(dataDir);
    db = await PGlite.create(dataDir, { postgresqlconf: [...PGLITE_SETTINGS] });
  } catch (e) {
    release();
    throw e;
  }
  const on = (client: Pick<typeof db, 'query' | 'exec'>): Sql => ({
    query: async <R,>(text: string, params?: readonly unknown[]) => (await client.query<R>(text, params as unknown[] | undefined)).rows,
    exec: async (script) => {
      await client.exec(script);
    },
  });
  return {
    kind: 'pglite',
    ...on(db),
    // PGlite runs one transaction at a time: another caller's query waits for it.
    transaction: (fn) => db.transaction((tx) => fn(on(tx))),
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

/** What picks the database: `DATABASE_URL` (PostgreSQL), else PGlite in `ML_LENS_DATA_DIR` or `./.data`. */
export interface DbEnv {
  DATABASE_URL?: string | undefined;
  ML_LENS_DATA_DIR?: string | undefined;
}

export const DEFAULT_DATA_DIR = './.data';

export async function openDb(env: DbEnv): Promise<Db> {
  if (env.DATABASE_URL) return postgresDb({ connectionString: env.DATABASE_URL });
  return pgliteDb(env.ML_LENS_DATA_DIR || DEFAULT_DATA_DIR);
}
