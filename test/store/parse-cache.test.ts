/**
 * The parse cache in the store (migrations/002_parse_cache.sql, src/store/parse-cache.ts), on
 * PGlite and on the real PostgreSQL: facts remembered per repository and key and recalled as they
 * were; the cache bounded in bytes, least recently used rows first; a repository's rows deleted
 * with it when the App is uninstalled; a database that does not answer makes every file a miss,
 * within the recall timeout, and never an error.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContextFact } from '../../src/model.js';
import { HistoryStore, parseCacheBytes, openStore } from '../../src/store/index.js';
import { boundFacts } from '../../src/store/parse-cache.js';
import { Outage, pgliteMemory, postgresSchema, type TestDatabase } from './databases.js';

const REPO = { id: 777, fullName: 'acme/forecast', installationId: 3 };
const OTHER = { id: 778, fullName: 'acme/other', installationId: 4 };

const fact = (n: number): ContextFact => ({ targets: [{ type: 'aws_s3_bucket_logging', address: `aws_s3_bucket_logging.b${n}` }] });

const databases: { name: string; make: () => Promise<TestDatabase> }[] = [
  { name: 'PGlite', make: async () => pgliteMemory() },
  { name: 'PostgreSQL', make: () => postgresSchema() },
];

const stores: HistoryStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

for (const { name, make } of databases) {
  describe(`the parse cache on ${name}`, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await make();
    });
    afterAll(() => db?.teardown());

    async function store(bytes = 1 << 20): Promise<HistoryStore> {
      const s = new HistoryStore(await db.open(), { parseCacheBytes: bytes });
      await s.start();
      stores.push(s);
      return s;
    }

    it('recalls what was remembered, per repository, and nothing for keys it never saw', async () => {
      const s = await store();
      await s.remember(REPO, [
        { key: 'k1', fact: fact(1) },
        { key: 'k2', fact: { lacks: ['aws_s3_bucket_logging', 'AWS::S3::Bucket'] } },
      ]);
      const got = await s.recall(REPO, ['k1', 'k2', 'k3']);
      expect(Object.fromEntries(got)).toEqual({ k1: fact(1), k2: { lacks: ['aws_s3_bucket_logging', 'AWS::S3::Bucket'] } });
      // Another repository with the same key: not shared.
      expect((await s.recall(OTHER, ['k1'])).size).toBe(0);
      // Remembered again: replaced, not duplicated.
      await s.remember(REPO, [{ key: 'k1', fact: fact(9) }]);
      expect((await s.recall(REPO, ['k1'])).get('k1')).toEqual(fact(9));
    });

    it('keeps within its bound: over it, the least recently used rows go until 90% of it', async () => {
      const one = Buffer.byteLength(JSON.stringify(fact(10)));
      const s = await store(one * 32);
      // The bound is the whole table's: start from an empty one (PostgreSQL's schema is shared by the tests).
      await s.write({ type: 'forget-repositories', repoIds: [REPO.id, OTHER.id] });
      for (let i = 10; i < 42; i++) await s.remember(REPO, [{ key: `lru-${i}`, fact: fact(i) }]);
      const keys = Array.from({ length: 33 }, (_, i) => `lru-${i + 10}`);
      expect((await s.recall(REPO, keys)).size).toBe(32);
      // A 33rd row is over the bound: the least recently used go until 28 rows (28.8 fit in 90%) are left.
      await s.remember(REPO, [{ key: 'lru-42', fact: fact(42) }]);
      const got = await s.recall(REPO, keys);
      expect(got.size).toBe(28);
      expect(keys.filter((k) => !got.has(k))).toEqual(['lru-10', 'lru-11', 'lru-12', 'lru-13', 'lru-14']);
      // Nothing to do under the bound.
      expect(await boundFacts(s.db, one * 100, one * 90)).toBe(0);
      await s.write({ type: 'forget-repositories', repoIds: [REPO.id] });
    });

    it('an entry larger than a sixteenth of the bound is not kept', async () => {
      const s = await store(16 * 200);
      const big: ContextFact = { lacks: Array.from({ length: 40 }, (_, i) => `aws_type_number_${i}`) };
      await s.remember(REPO, [{ key: 'big', fact: big }, { key: 'small', fact: fact(1) }]);
      const got = await s.recall(REPO, ['big', 'small']);
      expect([...got.keys()]).toEqual(['small']);
      await s.write({ type: 'forget-repositories', repoIds: [REPO.id] });
    });

    it('uninstalling the App from a repository deletes its cached facts', async () => {
      const s = await store();
      await s.remember(REPO, [{ key: 'gone', fact: fact(1) }]);
      await s.remember(OTHER, [{ key: 'kept', fact: fact(2) }]);
      await s.write({ type: 'forget-repositories', repoIds: [REPO.id] });
      expect((await s.recall(REPO, ['gone'])).size).toBe(0);
      expect((await s.recall(OTHER, ['kept'])).size).toBe(1);
      await s.write({ type: 'forget-installation', installationId: OTHER.installationId });
      expect((await s.recall(OTHER, ['kept'])).size).toBe(0);
    });

    it('a bound of 0 turns the cache off', async () => {
      const s = await store(0);
      await s.remember(REPO, [{ key: 'off', fact: fact(1) }]);
      expect((await s.recall(REPO, ['off'])).size).toBe(0);
    });
  });
}

describe('the parse cache when the database does not answer', () => {
  let pg: Awaited<ReturnType<typeof postgresSchema>>;
  beforeAll(async () => {
    pg = await postgresSchema();
  });
  afterAll(() => pg?.teardown());

  it('every file is a miss, within the recall timeout; what is learnt is dropped, with a warning; once back it works', async () => {
    const outage = await Outage.closedPort();
    const lines: string[] = [];
    const log = { info() {}, warn: (_o: object, m?: string) => void lines.push(m ?? ''), error() {} };
    try {
      const s = await openStore({ DATABASE_URL: pg.url(outage.port) }, { log, recallTimeoutMs: 1500, retryMs: 0 });
      stores.push(s);
      const started = Date.now();
      expect((await s.recall(REPO, ['k'])).size).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      await s.remember(REPO, [{ key: 'k', fact: fact(1) }]);
      expect(lines.filter((l) => l.startsWith('parse cache:'))).toHaveLength(2);
      await outage.open();
      await s.remember(REPO, [{ key: 'k', fact: fact(1) }]);
      expect((await s.recall(REPO, ['k'])).get('k')).toEqual(fact(1));
    } finally {
      await outage.close();
    }
  });

  it('ML_LENS_PARSE_CACHE_MB: megabytes, 0 turns it off, default 256', () => {
    expect(parseCacheBytes({})).toBe(256 * 1048576);
    expect(parseCacheBytes({ ML_LENS_PARSE_CACHE_MB: '0' })).toBe(0);
    expect(parseCacheBytes({ ML_LENS_PARSE_CACHE_MB: '16' })).toBe(16 * 1048576);
    expect(parseCacheBytes({ ML_LENS_PARSE_CACHE_MB: 'lots' })).toBe(256 * 1048576);
  });
});
