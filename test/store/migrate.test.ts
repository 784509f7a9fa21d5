/**
 * Migrations: applied once each, in order, recorded in schema_migrations; a second run is a no-op;
 * two processes starting at once (two pools on one PostgreSQL schema) apply each exactly once; a
 * failing migration leaves nothing behind. On PGlite (in memory) and on the real PostgreSQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { loadMigrations, migrate, type Migration } from '../../src/store/migrate.js';
import { pgliteMemory, postgresSchema, type TestDatabase } from './databases.js';

const TABLES = ['finding_states', 'repositories', 'reviews', 'schema_migrations', 'tracking_issues'];

async function tables(db: Db): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

/** Two migrations, the first slow enough that two runners started together overlap. */
const SLOW: Migration[] = [
  { version: 1, name: '001_slow.sql', sql: 'CREATE TABLE slow_a (x integer);\nSELECT pg_sleep(0.3);' },
  { version: 2, name: '002_next.sql', sql: 'CREATE TABLE slow_b (x integer);' },
];

describe('loadMigrations', () => {
  it('reads the repository migrations in order', () => {
    const names = loadMigrations().map((m) => m.name);
    expect(names[0]).toBe('001_history.sql');
    expect(names).toEqual([...names].sort());
  });

  it('refuses a file not named NNN_name.sql, and two files with one number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-migrations-'));
    try {
      writeFileSync(join(dir, '001_a.sql'), 'SELECT 1;');
      writeFileSync(join(dir, 'b.sql'), 'SELECT 1;');
      expect(() => loadMigrations(dir)).toThrow(/b\.sql is not named NNN_name\.sql/);
      rmSync(join(dir, 'b.sql'));
      writeFileSync(join(dir, '001_b.sql'), 'SELECT 1;');
      expect(() => loadMigrations(dir)).toThrow(/two files numbered 001/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each([
  ['pglite', () => pgliteMemory()],
  ['postgres', () => postgresSchema()],
] as const)('migrate on %s', (kind, make) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await make();
  });
  afterAll(() => database?.teardown());

  it('applies the migrations once; a second run applies nothing', async () => {
    const db = await database.open();
    expect(await migrate(db)).toEqual(loadMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
    expect(await tables(db)).toEqual(expect.arrayContaining(TABLES));
    const applied = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(applied.map((r) => r.name)).toEqual(loadMigrations().map((m) => m.name));
  });

  it('two runners at once apply each migration exactly once', async () => {
    // PostgreSQL: two pools, as two processes would have; PGlite: one database, two callers.
    const fresh = kind === 'postgres' ? await postgresSchema() : undefined;
    try {
      const a = fresh ? await fresh.open() : await database.open();
      const b = fresh ? await fresh.open() : a;
      const [ra, rb] = await Promise.all([migrate(a, SLOW), migrate(b, SLOW)]);
      expect([...ra, ...rb].sort()).toEqual(['001_slow.sql', '002_next.sql']);
      const rows = await a.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.name)).toEqual(['001_slow.sql', '002_next.sql']);
    } finally {
      await fresh?.teardown();
    }
  });

  it('a failing migration leaves nothing behind and is tried again next time', async () => {
    const db = await database.open();
    const broken: Migration[] = [{ version: 900, name: '900_broken.sql', sql: 'CREATE TABLE half_done (x integer);\nSELECT no_such_function();' }];
    await expect(migrate(db, broken)).rejects.toThrow(/no_such_function/);
    expect(await tables(db)).not.toContain('half_done');
    const fixed: Migration[] = [{ ...broken[0]!, sql: 'CREATE TABLE half_done (x integer);' }];
    expect(await migrate(db, fixed)).toEqual(['900_broken.sql']);
    expect(await tables(db)).toContain('half_done');
  });
});
