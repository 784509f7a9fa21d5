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
import { mkdirSync } from 'node:fs';
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

/** PGlite in `dataDir` (a folder, created if missing) or in memory (`memory://`). */
export async function pgliteDb(dataDir: string): Promise<Db> {
  // Loaded only when used: a deployment on PostgreSQL never loads the WebAssembly.
  const { PGlite } = await import('@electric-sql/pglite');
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
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
    close: () => db.close(),
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
