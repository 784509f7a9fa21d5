/**
 * The store as the App uses it: `openStore` picks the database from the environment and migrates
 * it; `write` never throws, and what the database missed stays in the outbox, in order, and is
 * written once it answers again (on the next write, or on the retry timer); the outbox is bounded;
 * an operation the database refuses is dropped without blocking the others.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findingStates, reviewsOf, trackingIssues, type ReviewRecord } from '../../src/store/history.js';
import { openStore, retentionDays, type HistoryStore, type StoreOp } from '../../src/store/index.js';
import { Outage, postgresSchema } from './databases.js';

const REPO = { id: 4242, fullName: 'acme/churn-model', installationId: 1 };
let serial = 0;

function reviewOp(over: Partial<ReviewRecord> = {}): StoreOp {
  return {
    type: 'review',
    review: {
      recordId: `store-${++serial}`,
      repository: REPO,
      kind: 'push',
      number: null,
      ref: 'refs/heads/main',
      headSha: 'c'.repeat(40),
      baseSha: 'd'.repeat(40),
      scoresHead: { security: 50, overall: 60 },
      scoresBase: { security: 50, overall: 60 },
      conclusion: 'neutral',
      gateReasons: [],
      countsByStatus: { new: 1 },
      countsBySeverity: { high: 1 },
      filesRead: 1,
      notReviewed: [],
      durationMs: 10,
      apiCalls: 3,
      toolVersion: '0.1.0',
      createdAt: new Date('2026-11-28T12:00:00Z'),
      ...over,
    },
    findings: [{ fingerprint: 'fp1', rule: 'r', path: 'infra/a.tf', address: 'x', severity: 'high', status: 'new' }],
    paths: ['infra/a.tf'],
    issues: [{ fingerprint: 'fp1', number: 5, state: 'open' }],
  };
}

interface Line {
  level: string;
  msg: string;
}
function captureLog(): { log: { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void }; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (_o: object, msg?: string) => void lines.push({ level, msg: msg ?? '' });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

const stores: HistoryStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
async function open(...args: Parameters<typeof openStore>): Promise<HistoryStore> {
  const s = await openStore(...args);
  stores.push(s);
  return s;
}

describe('openStore', () => {
  it('without DATABASE_URL: PGlite in ML_LENS_DATA_DIR, migrated, kept across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-data-'));
    try {
      const first = await openStore({ ML_LENS_DATA_DIR: join(dir, 'history') });
      expect(first.state()).toEqual({ kind: 'pglite', ok: true, pendingRecords: 0 });
      expect(await first.write(reviewOp())).toBe(true);
      await first.close();
      const again = await openStore({ ML_LENS_DATA_DIR: join(dir, 'history') });
      expect(await reviewsOf(again.db, REPO.id)).toHaveLength(1);
      // Small buffers: the embedded history is small and has one client.
      expect(await again.db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '8MB' }]);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an embedded data folder serves one process: another process\'s lock is a clear error; a dead one\'s is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-data-'));
    const other = spawn('sleep', ['30']);
    try {
      const folder = join(dir, 'history');
      mkdirSync(folder);
      writeFileSync(join(folder, 'ml-lens.pid'), `${other.pid}\n`);
      await expect(openStore({ ML_LENS_DATA_DIR: folder })).rejects.toThrow(`in use by process ${other.pid}: it serves one process. Set DATABASE_URL`);
      other.kill();
      await new Promise((resolve) => other.once('exit', resolve));
      const store = await openStore({ ML_LENS_DATA_DIR: folder });
      expect(readFileSync(join(folder, 'ml-lens.pid'), 'utf8').trim()).toBe(String(process.pid));
      await store.close();
      expect(existsSync(join(folder, 'ml-lens.pid'))).toBe(false);
    } finally {
      other.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a data folder that cannot be made is a clear error at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-data-'));
    try {
      writeFileSync(join(dir, 'file'), 'not a folder');
      await expect(openStore({ ML_LENS_DATA_DIR: join(dir, 'file', 'history') })).rejects.toThrow(/ENOTDIR|not a directory/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies the retention at once when scheduled, and closes after it', async () => {
    const store = await open({ ML_LENS_DATA_DIR: 'memory://' });
    await store.write(reviewOp({ createdAt: new Date(Date.now() - 40 * 86_400_000) }));
    await store.write(reviewOp({ createdAt: new Date() }));
    store.scheduleRetention(30);
    const deadline = Date.now() + 5000;
    while ((await reviewsOf(store.db, REPO.id)).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await reviewsOf(store.db, REPO.id)).toHaveLength(1);
  });

  it('ML_LENS_RETENTION_DAYS: a positive number of days, else 365', () => {
    expect(retentionDays({})).toBe(365);
    expect(retentionDays({ ML_LENS_RETENTION_DAYS: '30' })).toBe(30);
    expect(retentionDays({ ML_LENS_RETENTION_DAYS: '0' })).toBe(365);
    expect(retentionDays({ ML_LENS_RETENTION_DAYS: 'soon' })).toBe(365);
  });
});

describe('the store on PostgreSQL (DATABASE_URL)', () => {
  let pg: Awaited<ReturnType<typeof postgresSchema>>;
  beforeAll(async () => {
    pg = await postgresSchema();
  });
  afterAll(() => pg?.teardown());

  it('opens PostgreSQL and writes a review, its findings and its issues in one go', async () => {
    const store = await open({ DATABASE_URL: pg.url() });
    expect(store.state()).toEqual({ kind: 'postgres', ok: true, pendingRecords: 0 });
    expect(await store.write(reviewOp())).toBe(true);
    expect(await reviewsOf(store.db, REPO.id)).toHaveLength(1);
    expect((await findingStates(store.db, REPO.id, 'refs/heads/main')).get('fp1')).toMatchObject({ status: 'new' });
    expect((await trackingIssues(store.db, REPO.id)).get('fp1')).toEqual({ fingerprint: 'fp1', number: 5, state: 'open' });
    expect(await store.write({ type: 'forget-repositories', repoIds: [REPO.id] })).toBe(true);
    expect(await reviewsOf(store.db, REPO.id)).toEqual([]);
  });

  it('the database down: writes are kept, in order, and written on the next write once it answers', async () => {
    const outage = await Outage.closedPort();
    const { log, lines } = captureLog();
    try {
      const store = await open({ DATABASE_URL: pg.url(outage.port) }, { log, retryMs: 0 });
      expect(store.state()).toEqual({ kind: 'postgres', ok: false, pendingRecords: 0 });
      expect(lines.at(-1)).toMatchObject({ level: 'error', msg: expect.stringMatching(/did not answer at start/) });

      const kept = reviewOp({ repository: { ...REPO, id: 9001 } });
      expect(await store.write(kept)).toBe(false);
      // The record is followed by a deletion of another repository: order matters on the way back.
      expect(await store.write({ type: 'forget-repositories', repoIds: [9002] })).toBe(false);
      expect(await store.write(reviewOp({ repository: { ...REPO, id: 9002 } }))).toBe(false);
      expect(store.state()).toEqual({ kind: 'postgres', ok: false, pendingRecords: 3 });

      await outage.open();
      expect(await store.write(reviewOp({ repository: { ...REPO, id: 9003 } }))).toBe(true);
      expect(store.state()).toEqual({ kind: 'postgres', ok: true, pendingRecords: 0 });
      const [written] = await reviewsOf(store.db, 9001);
      expect(written).toMatchObject({ recordId: kept.type === 'review' ? kept.review.recordId : '', apiCalls: 3, scoresHead: { security: 50, overall: 60 } });
      expect(await reviewsOf(store.db, 9002)).toHaveLength(1);
      expect(await reviewsOf(store.db, 9003)).toHaveLength(1);
      expect(lines.some((l) => l.level === 'info' && /answers again/.test(l.msg))).toBe(true);
    } finally {
      await outage.close();
    }
  });

  it('the database back: the retry timer writes the outbox without waiting for another write', async () => {
    const outage = await Outage.closedPort();
    try {
      const store = await open({ DATABASE_URL: pg.url(outage.port) }, { retryMs: 50 });
      expect(await store.write(reviewOp({ repository: { ...REPO, id: 9101 } }))).toBe(false);
      await outage.open();
      const deadline = Date.now() + 10_000;
      while (store.state().pendingRecords > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(store.state()).toMatchObject({ ok: true, pendingRecords: 0 });
      expect(await reviewsOf(store.db, 9101)).toHaveLength(1);
    } finally {
      await outage.close();
    }
  });

  it('the outbox is bounded: the oldest record is dropped, and said so', async () => {
    const outage = await Outage.closedPort();
    const { log, lines } = captureLog();
    try {
      const store = await open({ DATABASE_URL: pg.url(outage.port) }, { log, capacity: 2, retryMs: 0 });
      for (const id of [9201, 9202, 9203]) await store.write(reviewOp({ repository: { ...REPO, id } }));
      expect(store.state().pendingRecords).toBe(2);
      expect(lines.some((l) => l.level === 'warn' && /outbox is full/.test(l.msg))).toBe(true);
      await outage.open();
      expect(await store.flush()).toBe(true);
      expect(await reviewsOf(store.db, 9201)).toEqual([]);
      expect(await reviewsOf(store.db, 9202)).toHaveLength(1);
      expect(await reviewsOf(store.db, 9203)).toHaveLength(1);
    } finally {
      await outage.close();
    }
  });

  it('a record the database refuses is dropped and logged; the ones behind it are written', async () => {
    const { log, lines } = captureLog();
    const store = await open({ DATABASE_URL: pg.url() }, { log });
    const bad = reviewOp({ repository: { ...REPO, id: 9301 }, kind: 'merge' as 'push' }); // the CHECK on kind refuses it
    expect(await store.write(bad)).toBe(true);
    expect(await store.write(reviewOp({ repository: { ...REPO, id: 9302 } }))).toBe(true);
    expect(await reviewsOf(store.db, 9301)).toEqual([]);
    expect(await reviewsOf(store.db, 9302)).toHaveLength(1);
    expect(lines.some((l) => l.level === 'error' && /refused a record/.test(l.msg))).toBe(true);
  });
});
