/**
 * Schema migrations: the `migrations/NNN_name.sql` files at the package's root, applied in order,
 * each once, each in its own transaction together with its row in `schema_migrations`, so a
 * migration that fails leaves nothing half done.
 *
 * Two processes starting at once (two replicas on one PostgreSQL) must not both apply a migration:
 * each transaction first takes a transaction-level advisory lock (`pg_advisory_xact_lock`, which
 * PGlite has too), and only then looks at `schema_migrations`. The second process waits, then sees
 * the migration done and skips it. The lock is released with the transaction.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

export interface Migration {
  /** The file name's number: the order. */
  version: number;
  /** The file name. */
  name: string;
  sql: string;
}

/** `migrations/` beside `src/` and `dist/` (this file is src/store/ or dist/store/). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Any number, the same in every process of the App: the key of the migrations' advisory lock. */
const MIGRATION_LOCK = 7_284_113_501;

const FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

/** The migrations in `dir`, in order. Throws on a stray file name or two files with one number. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.sql')) continue;
    const m = FILE.exec(name);
    if (!m) throw new Error(`migrations: ${name} is not named NNN_name.sql`);
    const version = Number(m[1]);
    if (migrations.some((x) => x.version === version)) throw new Error(`migrations: two files numbered ${m[1]}`);
    migrations.push({ version, name, sql: readFileSync(`${dir}/${name}`, 'utf8') });
  }
  return migrations;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Applies the pending migrations; returns the names of those this call applied. */
export async function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): Promise<string[]> {
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Under the lock: two processes creating the table at once could both fail otherwise.
      await tx.query(CREATE_TABLE);
      const rows = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}
