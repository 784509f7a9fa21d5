/**
 * Every operation of the history store, on PGlite (in memory) and on the real PostgreSQL (a schema
 * of the run's own): reviews recorded (once per record id), finding states over a sequence of
 * reviews, the tracking-issue map, deletion of a repository and of an installation, retention.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import {
  applyRetention,
  deleteInstallation,
  deleteRepository,
  findingStates,
  fixUnseen,
  moveFingerprints,
  observeFindings,
  recordReview,
  recordTrackingIssues,
  reviewsOf,
  trackingIssues,
  upsertRepository,
  type FindingObservation,
  type RepositoryRef,
  type ReviewRecord,
} from '../../src/store/history.js';
import { migrate } from '../../src/store/migrate.js';
import { pgliteMemory, postgresSchema, type TestDatabase } from './databases.js';

const REPO: RepositoryRef = { id: 4242, fullName: 'acme/churn-model', installationId: 1 };
const OTHER: RepositoryRef = { id: 5353, fullName: 'acme/forecast', installationId: 1 };
const ELSEWHERE: RepositoryRef = { id: 6464, fullName: 'zeta/vision', installationId: 2 };
const DAY = 86_400_000;
const T0 = new Date('2026-11-01T10:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

let serial = 0;
function record(repo: RepositoryRef, over: Partial<ReviewRecord> = {}): ReviewRecord {
  return {
    recordId: `rec-${++serial}`,
    repository: repo,
    kind: 'pr',
    number: 7,
    ref: 'refs/pull/7/head',
    headSha: 'a'.repeat(40),
    baseSha: 'b'.repeat(40),
    scoresHead: { security: 62.5, reliability: null, overall: 70 },
    scoresBase: { security: 80, reliability: null, overall: 81 },
    conclusion: 'failure',
    gateReasons: ['1 new high finding'],
    countsByStatus: { new: 1, existing: 2, suppressed: 1, fixed: 0, folded: 0 },
    countsBySeverity: { critical: 0, high: 1, medium: 2, low: 0, info: 0 },
    filesRead: 12,
    notReviewed: [{ path: 'big.tf', reason: 'over 1 MB', kind: 'terraform' }],
    durationMs: 1234,
    apiCalls: 9,
    toolVersion: '0.1.0',
    createdAt: T0,
    ...over,
  };
}

const finding = (fingerprint: string, status: FindingObservation['status'], path = 'infra/endpoint.tf'): FindingObservation => ({
  fingerprint,
  rule: 'sagemaker-endpoint-kms',
  path,
  address: `aws_sagemaker_endpoint_configuration.${fingerprint}`,
  severity: 'high',
  status,
});

async function count(db: Db, table: string, repoId: number): Promise<number> {
  // The table name is one of the test's literals.
  const rows = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table} WHERE repo_id = $1`, [repoId]);
  return Number(rows[0]!.n);
}

describe.each([
  ['pglite', () => pgliteMemory()],
  ['postgres', () => postgresSchema()],
] as const)('the history on %s', (_kind, make) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await make();
    db = await database.open();
    await migrate(db);
  });
  afterAll(() => database?.teardown());

  it('records a review with its scores, counts and what was not reviewed; a record written twice is one row', async () => {
    const r = record(REPO);
    expect(await db.transaction((tx) => recordReview(tx, r))).toBe(true);
    expect(await db.transaction((tx) => recordReview(tx, r))).toBe(false);
    const [stored, ...rest] = await reviewsOf(db, REPO.id);
    expect(rest).toEqual([]);
    expect(stored).toMatchObject({
      recordId: r.recordId,
      repoId: REPO.id,
      installationId: 1,
      fullName: 'acme/churn-model',
      kind: 'pr',
      number: 7,
      ref: 'refs/pull/7/head',
      headSha: r.headSha,
      baseSha: r.baseSha,
      scoresHead: { security: 62.5, reliability: null, overall: 70 },
      scoresBase: { security: 80, reliability: null, overall: 81 },
      conclusion: 'failure',
      gateReasons: ['1 new high finding'],
      countsByStatus: { new: 1, existing: 2, suppressed: 1, fixed: 0, folded: 0 },
      countsBySeverity: { critical: 0, high: 1, medium: 2, low: 0, info: 0 },
      filesRead: 12,
      notReviewed: [{ path: 'big.tf', reason: 'over 1 MB', kind: 'terraform' }],
      durationMs: 1234,
      apiCalls: 9,
      toolVersion: '0.1.0',
    });
    expect(stored!.createdAt.toISOString()).toBe(T0.toISOString());
  });

  it('keeps the state of each finding over reviews: first and last seen, fixed, back again', async () => {
    const ref = 'refs/heads/main';
    await db.transaction((tx) => upsertRepository(tx, REPO, T0));
    const seen = (list: FindingObservation[], day: number, paths: string[] = []) =>
      db.transaction(async (tx) => {
        await observeFindings(tx, REPO.id, ref, list, at(day));
        await fixUnseen(tx, REPO.id, ref, paths, list.map((f) => f.fingerprint), at(day));
      });
    // Day 0: two findings; the same fingerprint twice in one review is one state.
    await seen([finding('fp1', 'new'), finding('fp2', 'new'), finding('fp1', 'new')], 0);
    // Day 1: fp1 still there, fp2 fixed by the change (the review says so).
    await seen([finding('fp1', 'existing'), finding('fp2', 'fixed')], 1);
    let states = await findingStates(db, REPO.id, ref);
    expect(states.get('fp1')).toMatchObject({ status: 'existing', firstSeen: at(0), lastSeen: at(1), fixedAt: null });
    expect(states.get('fp2')).toMatchObject({ status: 'fixed', firstSeen: at(0), lastSeen: at(0), fixedAt: at(1) });
    // Day 2: a review covering the file that no longer sees fp1: fixed; fp2 stays fixed since day 1.
    await seen([], 2, ['infra/endpoint.tf']);
    states = await findingStates(db, REPO.id, ref);
    expect(states.get('fp1')).toMatchObject({ status: 'fixed', fixedAt: at(2) });
    expect(states.get('fp2')).toMatchObject({ fixedAt: at(1) });
    // Day 3: fp2 is back: seen, no longer fixed. A review of another file fixes nothing here.
    await seen([finding('fp2', 'new')], 3, ['infra/other.tf']);
    states = await findingStates(db, REPO.id, ref);
    expect(states.get('fp2')).toMatchObject({ status: 'new', firstSeen: at(0), lastSeen: at(3), fixedAt: null });
    // Another ref's states are its own.
    expect((await findingStates(db, REPO.id, 'refs/pull/7/head')).size).toBe(0);
  });

  it('keeps the tracking-issue map: fingerprint -> issue number and state, updated in place', async () => {
    await db.transaction(async (tx) => {
      await upsertRepository(tx, REPO, T0);
      await recordTrackingIssues(tx, REPO.id, [{ fingerprint: 'fp1', number: 11, state: 'open' }, { fingerprint: 'fp2', number: 12, state: 'open' }], T0);
    });
    await db.transaction((tx) => recordTrackingIssues(tx, REPO.id, [{ fingerprint: 'fp2', number: 12, state: 'closed' }], at(1)));
    const map = await trackingIssues(db, REPO.id);
    expect([...map.values()].sort((a, b) => a.number - b.number)).toEqual([
      { fingerprint: 'fp1', number: 11, state: 'open' },
      { fingerprint: 'fp2', number: 12, state: 'closed' },
    ]);
  });

  it('a renamed file: its findings\' states and tracking issues move to their new fingerprints, not fixed and new', async () => {
    const ref = 'refs/heads/moves';
    await db.transaction(async (tx) => {
      await upsertRepository(tx, OTHER, T0);
      await observeFindings(tx, OTHER.id, ref, [finding('old1', 'new', 'infra/a.tf'), finding('old2', 'new', 'infra/a.tf')], at(0));
      await recordTrackingIssues(tx, OTHER.id, [{ fingerprint: 'old1', number: 31, state: 'open' }], at(0));
    });
    // Day 1: infra/a.tf renamed to infra/b.tf; old2's finding is gone with the move (fixed), old1's moved.
    const moved = { ...finding('new1', 'existing', 'infra/b.tf'), previousFingerprint: 'old1' };
    await db.transaction(async (tx) => {
      await moveFingerprints(tx, OTHER.id, ref, [{ from: 'old1', to: 'new1' }]);
      await observeFindings(tx, OTHER.id, ref, [moved], at(1));
      await fixUnseen(tx, OTHER.id, ref, ['infra/b.tf', 'infra/a.tf'], ['new1'], at(1));
    });
    const states = await findingStates(db, OTHER.id, ref);
    expect(states.has('old1')).toBe(false);
    expect(states.get('new1')).toMatchObject({ path: 'infra/b.tf', status: 'existing', firstSeen: at(0), lastSeen: at(1), fixedAt: null });
    expect(states.get('old2')).toMatchObject({ status: 'fixed', fixedAt: at(1) });
    expect([...(await trackingIssues(db, OTHER.id)).values()]).toEqual([{ fingerprint: 'new1', number: 31, state: 'open' }]);
    // A move onto a fingerprint already recorded leaves both as they are (nothing is overwritten).
    await db.transaction((tx) => moveFingerprints(tx, OTHER.id, ref, [{ from: 'old2', to: 'new1' }]));
    expect((await findingStates(db, OTHER.id, ref)).get('old2')).toMatchObject({ status: 'fixed' });
  });

  it('deletes a repository with everything recorded of it, and nothing of the others', async () => {
    for (const repo of [OTHER, ELSEWHERE]) {
      await db.transaction(async (tx) => {
        await recordReview(tx, record(repo));
        await observeFindings(tx, repo.id, 'refs/heads/main', [finding('fpX', 'new')], T0);
        await recordTrackingIssues(tx, repo.id, [{ fingerprint: 'fpX', number: 3, state: 'open' }], T0);
      });
    }
    expect(await count(db, 'reviews', REPO.id)).toBeGreaterThan(0);
    expect(await db.transaction((tx) => deleteRepository(tx, REPO.id))).toBe(1);
    for (const table of ['repositories', 'reviews', 'finding_states', 'tracking_issues']) expect(await count(db, table, REPO.id), table).toBe(0);
    expect(await count(db, 'reviews', OTHER.id)).toBe(1);
    expect(await db.transaction((tx) => deleteRepository(tx, REPO.id))).toBe(0);

    // The whole installation 1 (OTHER); installation 2 (ELSEWHERE) keeps its history.
    expect(await db.transaction((tx) => deleteInstallation(tx, 1))).toBe(1);
    for (const table of ['repositories', 'reviews', 'finding_states', 'tracking_issues']) expect(await count(db, table, OTHER.id), table).toBe(0);
    for (const table of ['repositories', 'reviews', 'finding_states', 'tracking_issues']) expect(await count(db, table, ELSEWHERE.id), table).toBe(1);
  });

  it('retention forgets old reviews, old fixes, stale pull request states and old closed issues; keeps what is still present', async () => {
    const repo: RepositoryRef = { id: 7777, fullName: 'acme/retained', installationId: 3 };
    await db.transaction(async (tx) => {
      await recordReview(tx, record(repo, { createdAt: at(0) }));
      await recordReview(tx, record(repo, { createdAt: at(100) }));
      await observeFindings(tx, repo.id, 'refs/heads/main', [finding('old-present', 'new')], at(0));
      await observeFindings(tx, repo.id, 'refs/heads/main', [finding('old-fixed', 'fixed')], at(0));
      await observeFindings(tx, repo.id, 'refs/heads/main', [finding('new-fixed', 'fixed')], at(100));
      await observeFindings(tx, repo.id, 'refs/pull/9/head', [finding('old-pr', 'new')], at(0));
      await recordTrackingIssues(tx, repo.id, [{ fingerprint: 'old-present', number: 1, state: 'open' }, { fingerprint: 'old-fixed', number: 2, state: 'closed' }], at(0));
    });
    const result = await db.transaction((tx) => applyRetention(tx, 30, at(101)));
    // Across repositories: ELSEWHERE's review of day 0 goes too; its open finding and issue stay.
    expect(result).toEqual({ reviews: 2, findingStates: 2, trackingIssues: 1 });
    expect(await count(db, 'reviews', ELSEWHERE.id)).toBe(0);
    expect(await count(db, 'finding_states', ELSEWHERE.id)).toBe(1);
    expect((await reviewsOf(db, repo.id)).map((r) => r.createdAt.toISOString())).toEqual([at(100).toISOString()]);
    expect([...(await findingStates(db, repo.id, 'refs/heads/main')).keys()].sort()).toEqual(['new-fixed', 'old-present']);
    expect((await findingStates(db, repo.id, 'refs/pull/9/head')).size).toBe(0);
    expect([...(await trackingIssues(db, repo.id)).keys()]).toEqual(['old-present']);
  });
});
