/**
 * The two databases the history store runs on, for tests: PGlite in memory, and the real
 * PostgreSQL (`ML_LENS_TEST_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test) in a
 * schema of the test run's own (`ml_lens_test_<random>`), dropped afterwards: no test touches
 * another schema. A PostgreSQL that does not answer fails the tests, saying so; they never skip.
 */
import { randomBytes } from 'node:crypto';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import pg from 'pg';
import { pgliteDb, postgresDb, type Db } from '../../src/store/db.js';

export const PG_URL = process.env['ML_LENS_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  /** A client on this test database (each call a new one: PGlite a new empty database, PostgreSQL a new pool on the schema). */
  open(): Promise<Db>;
  /** DATABASE_URL-style address of the schema (PostgreSQL only). */
  url?: (port?: number) => string;
  /** Drops what `setup` made. */
  teardown(): Promise<void>;
}

/** Identifiers cannot be parameters: only names this module makes, checked. */
function ident(name: string): string {
  if (!/^ml_lens_test_[a-z0-9_]+$/.test(name)) throw new Error(`not a test schema name: ${name}`);
  return `"${name}"`;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`PostgreSQL at ${PG_URL} does not answer (${(e as Error).message}): the store tests need it (set ML_LENS_TEST_DATABASE_URL)`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh schema on the test PostgreSQL. */
export async function postgresSchema(): Promise<TestDatabase & { schema: string; url: (port?: number) => string }> {
  const schema = `ml_lens_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE SCHEMA ${ident(schema)}`));
  const opened: Db[] = [];
  const url = (port?: number) => {
    const u = new URL(PG_URL);
    if (port !== undefined) {
      u.hostname = '127.0.0.1';
      u.port = String(port);
    }
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  };
  return {
    kind: 'postgres',
    schema,
    url,
    async open() {
      const db = postgresDb({ connectionString: PG_URL, searchPath: schema });
      opened.push(db);
      return db;
    },
    async teardown() {
      await Promise.all(opened.map((db) => db.close().catch(() => {})));
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`));
    },
  };
}

export function pgliteMemory(): TestDatabase {
  const opened: Db[] = [];
  return {
    kind: 'pglite',
    async open() {
      const db = await pgliteDb('memory://');
      opened.push(db);
      return db;
    },
    async teardown() {
      await Promise.all(opened.map((db) => db.close().catch(() => {})));
    },
  };
}

/**
 * A port in front of the test PostgreSQL that can be closed and opened: closed, nothing listens
 * (connections are refused, as for a database that is down); open, it forwards to PostgreSQL.
 */
export class Outage {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private constructor(readonly port: number) {}

  /** A free port, closed. */
  static async closedPort(): Promise<Outage> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return new Outage(port);
  }

  /** The database answers again. */
  async open(): Promise<void> {
    const target = new URL(PG_URL);
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}
