/**
 * The review history through the App (a real Probot, the in-process queue, GitHub behind nock):
 * a published pull request review is recorded with its scores and counts; a push records its
 * review and the tracking-issue map; uninstalling deletes the repository's rows; and with the
 * database down, the review is still published, and recorded once the database answers again.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PILLARS } from '../../src/model.js';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { findingStates, reviewsOf, trackingIssues } from '../../src/store/history.js';
import { openStore, type HistoryStore } from '../../src/store/index.js';
import { installationDeletedEvent, pullRequestEvent, pushEvent, repositoriesRemovedEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { Outage, postgresSchema } from '../store/databases.js';
import { API, GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

const REPO_ID = 4242; // the fixtures' repository id
const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const CHECK = 9001;
const { base, head } = exampleRepo();
const CONFIG = base['.github/ml-lens.yml']!;
let files: ListedFile[];

beforeAll(() => {
  setupNock();
  // PostgreSQL on this machine: the only connections let through.
  nock.enableNetConnect('127.0.0.1');
  files = listedFiles(base, head, { headSha: HEAD, renames: { 'infra/network.tf': 'infra/security-groups.tf' } });
});
let h: Harness;
const stores: HistoryStore[] = [];
beforeEach(() => resetLabelCache());
afterEach(async () => {
  h?.recorder.stop();
  resetNock();
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
afterAll(() => nock.disableNetConnect());

async function memoryStore(): Promise<HistoryStore> {
  const store = await openStore({ ML_LENS_DATA_DIR: 'memory://' });
  stores.push(store);
  return store;
}

/** A first review of pull request 7: what it reads and publishes. */
function pullRequestMocks(): GitHubMock {
  return new GitHubMock()
    .commit(HEAD, head)
    .commit(BASE, base)
    .commit('main', base)
    .token()
    .config(CONFIG)
    .checkCreate(CHECK)
    .listFiles(PR, files)
    .tree(HEAD)
    .objects(1)
    .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
    .firstPublish(PR, CHECK, { checkUpdates: 1 });
}

const opened = () => pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length });

describe('the review history through the App', () => {
  it('records a published pull request review: scores head and base, the gate, counts, requests, finding states', async () => {
    const store = await memoryStore();
    h = await harness({ store });
    const gh = pullRequestMocks();
    await h.receive('pull_request', opened());
    await h.settle();
    gh.assertDone();
    h.finish();

    const [review, ...more] = await reviewsOf(store.db, REPO_ID);
    expect(more).toEqual([]);
    const check = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string };
    expect(review).toMatchObject({ fullName: 'acme/churn-model', installationId: 1, kind: 'pr', number: PR, ref: `refs/pull/${PR}/head`, headSha: HEAD, baseSha: BASE });
    expect(review!.conclusion).toBe(check.conclusion);
    expect(Object.keys(review!.scoresHead).sort()).toEqual([...PILLARS, 'overall'].sort());
    expect(typeof review!.scoresHead['overall']).toBe('number');
    expect(review!.countsByStatus['new']).toBeGreaterThan(0);
    const bySeverity = Object.values(review!.countsBySeverity).reduce((a, b) => a + b, 0);
    expect(bySeverity).toBe(review!.countsByStatus['new']! + review!.countsByStatus['existing']!);
    expect(review!.filesRead).toBeGreaterThan(0);
    // Every request the job made to GitHub (the installation token's too: the job fetched it).
    expect(review!.apiCalls).toBe(h.recorder.count());
    expect(review!.durationMs).toBeGreaterThanOrEqual(0);

    const states = await findingStates(store.db, REPO_ID, `refs/pull/${PR}/head`);
    expect(states.size).toBeGreaterThan(0);
    expect([...states.values()].filter((s) => s.status === 'new')).toHaveLength(review!.countsByStatus['new']!);
  });

  it('records a push: its review, and where each tracking issue stands (fingerprint -> number)', async () => {
    const store = await memoryStore();
    h = await harness({ store });
    const [c0, c1] = [sha('p0'), sha('p1')];
    const gh = new GitHubMock().commit(c1, { 'infra/endpoint.tf': head['infra/sagemaker.tf']! });
    gh.token().config('issues:\n  create: on-merge\n  min_severity: high\n').tree(c1).objects(1);
    let next = 100;
    const created: number[] = [];
    nock(API)
      .get(`${gh.base}/issues`)
      .query(true)
      .reply(200, [])
      .get(`${gh.base}/labels`)
      .query(true)
      .reply(200, [])
      .post(`${gh.base}/labels`)
      .times(20)
      .optionally()
      .reply(201, (_u, b) => ({ id: 1, ...(b as object) }))
      .post(`${gh.base}/issues`)
      .times(20)
      .optionally()
      .reply(201, () => {
        created.push(++next);
        return { id: next, number: next };
      });
    await h.receive('push', pushEvent({ before: c0, after: c1, added: ['infra/endpoint.tf'] }));
    await h.settle();
    gh.assertDone();
    h.recorder.stop();

    expect(created.length).toBeGreaterThan(0);
    const [review] = await reviewsOf(store.db, REPO_ID);
    expect(review).toMatchObject({ kind: 'push', number: null, ref: 'refs/heads/main', headSha: c1, baseSha: c0 });
    const map = await trackingIssues(store.db, REPO_ID);
    expect([...map.values()].map((i) => i.number).sort()).toEqual(created);
    expect([...map.values()].every((i) => i.state === 'open')).toBe(true);
    // Every mapped fingerprint is a finding the push saw on the default branch.
    const states = await findingStates(store.db, REPO_ID, 'refs/heads/main');
    for (const fingerprint of map.keys()) expect(states.has(fingerprint), fingerprint).toBe(true);
  });

  it('installation_repositories removed: the repository\'s rows are deleted, the others\' kept', async () => {
    const store = await memoryStore();
    h = await harness({ store });
    const gh = pullRequestMocks();
    await h.receive('pull_request', opened());
    await h.settle();
    gh.assertDone();
    // Another repository of the installation, recorded directly.
    await store.write({ type: 'issues', repository: { id: 5353, fullName: 'acme/forecast', installationId: 1 }, issues: [{ fingerprint: 'f', number: 1, state: 'open' }], at: new Date() });
    expect(await reviewsOf(store.db, REPO_ID)).toHaveLength(1);

    await h.receive('installation_repositories', repositoriesRemovedEvent([{ id: REPO_ID, name: 'churn-model' }]));
    const count = async (table: string, id: number) =>
      Number((await store.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table} WHERE repo_id = $1`, [id]))[0]!.n);
    for (const table of ['repositories', 'reviews', 'finding_states', 'tracking_issues']) expect(await count(table, REPO_ID), table).toBe(0);
    expect(await count('tracking_issues', 5353)).toBe(1);

    // The App uninstalled: the rest of installation 1 goes too.
    await h.receive('installation', installationDeletedEvent(1));
    expect(await count('repositories', 5353)).toBe(0);
    expect(h.logs.some((l) => /history is deleted/.test(l.msg))).toBe(true);
    h.finish();
  });

  it('the database down: the review is published all the same, and recorded once the database answers', async () => {
    const pg = await postgresSchema();
    const outage = await Outage.closedPort();
    try {
      const store = await openStore({ DATABASE_URL: pg.url(outage.port) }, { retryMs: 0 });
      stores.push(store);
      h = await harness({ store });
      const gh = pullRequestMocks();
      await h.receive('pull_request', opened());
      await h.settle();
      // Published in full: the summary, the inline review, the completed check.
      gh.assertDone();
      h.finish();
      expect(h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body).toMatchObject({ status: 'completed' });
      expect(store.state()).toEqual({ kind: 'postgres', ok: false, pendingRecords: 1 });

      await outage.open();
      expect(await store.flush()).toBe(true);
      expect(store.state()).toEqual({ kind: 'postgres', ok: true, pendingRecords: 0 });
      const [review] = await reviewsOf(store.db, REPO_ID);
      expect(review).toMatchObject({ kind: 'pr', number: PR, headSha: HEAD, baseSha: BASE });
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await outage.close();
      await pg.teardown();
    }
  });

  it('without a store the App records nothing and registers no uninstall handler', async () => {
    h = await harness();
    await h.receive('installation_repositories', repositoriesRemovedEvent([{ id: REPO_ID, name: 'churn-model' }]));
    expect(h.logs.some((l) => /history/.test(l.msg))).toBe(false);
    expect(h.recorder.count()).toBe(0);
    h.finish();
  });
});
