import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { fingerprintMarker, issueTitle } from '../../src/render/index.js';
import { reconcileIssues } from '../../src/publish/github/index.js';
import { LABEL_CACHE_MS } from '../../src/publish/github/issues.js';
import { blobUrl } from '../../src/publish/github/common.js';
import { issuePath, issueText } from '../../src/publish/github/issue-text.js';
import { API, BOT, HEAD, HUMAN, REPO_PATH, capture, config, finding, review, target, useGitHub, type Finding } from './helpers.js';

const gh = useGitHub();
const OLD = 'c'.repeat(40);
const CODEOWNERS = '* @lead\n/infra/ @infra-owner @acme/infra\n';

const f = (rule: string, over: Partial<Finding>) => finding({ rule, fingerprint: `fp-${rule}`, severity: 'high', ...over });
const K = f('k-new-critical', { severity: 'critical', pillar: 'security', path: 'infra/endpoint.tf', startLine: 3, endLine: 12 });
const L = f('l-changed', { pillar: 'reliability', status: 'existing', path: 'pipelines/train.json' });
const M = f('m-same', { pillar: 'reliability', path: 'pipelines/train.json', startLine: 5, endLine: 5 });
const N = f('n-back', { pillar: 'cost-optimization', path: 'infra/endpoint.tf' });
const P = f('p-not-planned', { pillar: 'cost-optimization', path: 'infra/endpoint.tf' });
const Q = f('q-medium', { severity: 'medium', path: 'infra/endpoint.tf' });
const S = f('s-suppressed', { path: 'infra/endpoint.tf', status: 'suppressed', suppression: { source: 'inline', reason: 'dev account only', line: 2 } });

const textAt = (x: Finding, sha: string) => issueText(x, blobUrl(target(), sha));

function issue(number: number, x: Finding | string, over: Record<string, unknown> = {}) {
  const body = typeof x === 'string' ? x : textAt(x, OLD).body;
  const title = typeof x === 'string' ? 'old title' : issueTitle(x);
  return { number, title, body, state: 'open', state_reason: null, labels: [{ name: 'ml-lens' }], user: BOT, ...over };
}

const goneBody = (fp: string, path: string) => `${fingerprintMarker(fp)}\nold text\n\n<!-- ml-lens:path=${encodeURIComponent(path)} -->`;

const input = (findings: Finding[], over: Record<string, unknown> = {}) => ({
  review: review({ findings }),
  settings: config(),
  defaultBranch: 'main',
  sha: HEAD,
  scopePaths: ['infra/endpoint.tf', 'pipelines/train.json'],
  codeowners: CODEOWNERS,
  ...over,
});

describe('tracking issues', () => {
  it('opens, updates, reopens and closes issues, respects not_planned, and creates missing labels once', async () => {
    const listed = [
      issue(11, L, { title: 'an older title', labels: [{ name: 'ml-lens' }, { name: 'pillar:reliability' }, { name: 'severity:medium' }, { name: 'triage' }] }),
      issue(12, M, { labels: ['ml-lens', 'pillar:reliability', 'severity:high'].map((name) => ({ name })) }), // links at another commit only
      issue(13, N, { state: 'closed', state_reason: 'completed', labels: ['ml-lens', 'pillar:cost-optimization', 'severity:high'].map((name) => ({ name })) }),
      issue(14, P, { state: 'closed', state_reason: 'not_planned', body: `${fingerprintMarker(P.fingerprint)}\noutdated body` }),
      issue(15, goneBody('fp-gone', 'infra/endpoint.tf')),
      issue(16, goneBody('fp-elsewhere', 'other/x.tf')),
      issue(17, S),
      issue(18, `${fingerprintMarker(K.fingerprint)}\nwritten by a person`, { user: HUMAN }),
      { ...issue(19, goneBody('fp-gone-pr', 'infra/endpoint.tf')), pull_request: { url: 'x' } },
      issue(20, goneBody('fp-gone-closed', 'infra/endpoint.tf'), { state: 'closed', state_reason: 'completed' }),
    ];
    const created: any[] = [];
    const updates: Record<number, any[]> = {};
    const comments: Record<number, any[]> = {};
    const labelsCreated: any[] = [];
    const scope = nock(API)
      .get(`${REPO_PATH}/issues`)
      .query({ labels: 'ml-lens', state: 'all', per_page: '100' })
      .reply(200, listed)
      .get(`${REPO_PATH}/labels`)
      .query({ per_page: '100' })
      .reply(200, ['ml-lens', 'severity:high', 'pillar:cost-optimization', 'triage'].map((name) => ({ name })))
      .post(`${REPO_PATH}/labels`, (b: any) => b.name !== 'pillar:reliability' && !!labelsCreated.push(b))
      .times(2)
      .reply(201, {})
      .post(`${REPO_PATH}/labels`, (b: any) => b.name === 'pillar:reliability' && !!labelsCreated.push(b))
      .reply(422, { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] })
      .post(`${REPO_PATH}/issues`, capture(created))
      .reply(201, { number: 30 });
    for (const n of [11, 13, 15, 17]) {
      scope.patch(`${REPO_PATH}/issues/${n}`, (b: any) => !!(updates[n] ??= []).push(b)).reply(200, {});
    }
    for (const n of [13, 15, 17]) {
      scope.post(`${REPO_PATH}/issues/${n}/comments`, (b: any) => !!(comments[n] ??= []).push(b)).reply(201, {});
    }

    await reconcileIssues(target(), input([K, L, M, N, P, Q, S]));

    // opened: K only (Q is below issues.min_severity; #18 is a person's issue, not ours)
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      title: issueTitle(K),
      labels: ['ml-lens', 'pillar:security', 'severity:critical'],
      assignees: ['infra-owner'],
    });
    expect(created[0].body.startsWith(fingerprintMarker(K.fingerprint) + '\n')).toBe(true);
    expect(created[0].body).toContain(`https://github.com/acme/models/blob/${HEAD}/infra/endpoint.tf#L3-L12`);
    expect(issuePath(created[0].body)).toBe('infra/endpoint.tf');

    expect(labelsCreated.map((l) => l.name).sort()).toEqual(['pillar:reliability', 'pillar:security', 'severity:critical']);
    expect(labelsCreated[0]).toMatchObject({ color: expect.stringMatching(/^[0-9a-f]{6}$/), description: expect.any(String) });

    // updated: the title changed and the severity label moved; a person's label stays
    expect(updates[11]).toHaveLength(1);
    expect(updates[11]![0]).toMatchObject({ title: issueTitle(L), body: textAt(L, HEAD).body });
    expect(updates[11]![0].labels.sort()).toEqual(['ml-lens', 'pillar:reliability', 'severity:high', 'triage']);
    // #12 differs only in the commit its links point at: no write

    // reopened with a comment
    expect(updates[13]![0]).toMatchObject({ state: 'open', title: issueTitle(N) });
    expect(comments[13]![0].body).toMatch(/reopens this issue: the finding is present again/);

    // closed with a comment: gone, and suppressed (with the reason)
    expect(comments[15]![0].body).toMatch(/no longer present at \[`bbbbbbb`\]\(https:\/\/github.com\/acme\/models\/commit\/b{40}\)/);
    expect(updates[15]![0]).toEqual({ state: 'closed', state_reason: 'completed' });
    expect(comments[17]![0].body).toMatch(/suppressed .*inline: dev account only/);
    expect(updates[17]![0]).toEqual({ state: 'closed', state_reason: 'completed' });
    // #14 (not planned), #16 (out of scope), #19 (a pull request), #20 (already closed): untouched

    expect(gh.rec().count()).toBe(1 + 1 + 3 + 1 + 1 + 2 + 2 + 2);
  });

  it('changes nothing when everything is in place: one request', async () => {
    const listed = [K, L].map((x, i) =>
      issue(40 + i, x, { body: textAt(x, OLD).body, labels: ['ml-lens', `pillar:${x.pillar}`, `severity:${x.severity}`].map((name) => ({ name })) }),
    );
    nock(API).get(`${REPO_PATH}/issues`).query(true).reply(200, listed);
    // The tracking-issue map the history keeps: each risk item's issue, as left.
    expect(await reconcileIssues(target(), input([K, L]))).toEqual({
      requests: 1,
      issues: [
        { fingerprint: K.fingerprint, number: 40, state: 'open' },
        { fingerprint: L.fingerprint, number: 41, state: 'open' },
      ],
    });
    expect(gh.rec().count()).toBe(1);
  });

  it('closes nothing outside the reviewed paths, and everything with scope **', async () => {
    nock(API).get(`${REPO_PATH}/issues`).query(true).reply(200, [issue(16, goneBody('fp-elsewhere', 'other/x.tf'))]);
    await reconcileIssues(target(), input([]));
    nock(API)
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(200, [issue(16, goneBody('fp-elsewhere', 'other/x.tf'))])
      .post(`${REPO_PATH}/issues/16/comments`)
      .reply(201, {})
      .patch(`${REPO_PATH}/issues/16`, { state: 'closed', state_reason: 'completed' })
      .reply(200, {});
    await reconcileIssues(target(), input([], { scopePaths: ['**'] }));
  });

  it('retries without assignees when GitHub refuses them, and skips CODEOWNERS when told to', async () => {
    const created: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/labels`)
      .query(true)
      .reply(200, ['ml-lens', 'pillar:security', 'severity:critical'].map((name) => ({ name })))
      .post(`${REPO_PATH}/issues`, capture(created))
      .reply(422, { message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'assignees', code: 'invalid' }] })
      .post(`${REPO_PATH}/issues`, capture(created))
      .reply(201, {});
    await reconcileIssues(target(), input([K]));
    expect(created.map((c) => c.assignees)).toEqual([['infra-owner'], undefined]);

    // The labels are known now: no second label list.
    const plain: any[] = [];
    nock(API).get(`${REPO_PATH}/issues`).query(true).reply(200, []).post(`${REPO_PATH}/issues`, capture(plain)).reply(201, {});
    await reconcileIssues(target(), input([K], { settings: config({ issues: { assign_codeowners: false } }) }));
    expect(plain[0].assignees).toBeUndefined();
  });

  it('labels are known for a while only: a label deleted since is created again, with its colour and description', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
      const all = ['ml-lens', 'pillar:security', 'severity:critical'].map((name) => ({ name }));
      nock(API).get(`${REPO_PATH}/issues`).query(true).reply(200, []).get(`${REPO_PATH}/labels`).query(true).reply(200, all).post(`${REPO_PATH}/issues`).reply(201, {});
      await reconcileIssues(target(), input([K]));

      // Within the cache's life: the labels are not listed again.
      vi.setSystemTime(new Date(Date.now() + LABEL_CACHE_MS - 1000));
      nock(API).get(`${REPO_PATH}/issues`).query(true).reply(200, []).post(`${REPO_PATH}/issues`).reply(201, {});
      await reconcileIssues(target(), input([K]));

      // Past it, someone having deleted severity:critical: listed again, and the label created.
      vi.setSystemTime(new Date(Date.now() + 2000));
      const created: any[] = [];
      nock(API)
        .get(`${REPO_PATH}/issues`)
        .query(true)
        .reply(200, [])
        .get(`${REPO_PATH}/labels`)
        .query(true)
        .reply(200, all.filter((l) => l.name !== 'severity:critical'))
        .post(`${REPO_PATH}/labels`, capture(created))
        .reply(201, {})
        .post(`${REPO_PATH}/issues`)
        .reply(201, {});
      await reconcileIssues(target(), input([K]));
      expect(created).toEqual([{ name: 'severity:critical', color: expect.stringMatching(/^[0-9a-f]{6}$/), description: expect.any(String) }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('closes duplicates of an issue, and issues whose finding fell below issues.min_severity', async () => {
    const lowered = { ...Q, fingerprint: 'fp-lowered' };
    const comments: any[] = [];
    const updates: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(200, [
        issue(50, K, { body: textAt(K, HEAD).body, labels: ['ml-lens', 'pillar:security', 'severity:critical'].map((name) => ({ name })) }),
        issue(51, K, { body: textAt(K, HEAD).body }),
        issue(52, goneBody('fp-lowered', 'infra/endpoint.tf')),
      ])
      .post(/\/issues\/5[12]\/comments$/, capture(comments))
      .times(2)
      .reply(201, {})
      .patch(/\/issues\/5[12]$/, capture(updates))
      .times(2)
      .reply(200, {});
    await reconcileIssues(target(), input([K, lowered]));
    expect(comments.map((c) => c.body)).toEqual([
      'Duplicate of #50, which tracks the same finding.',
      expect.stringMatching(/now below the severity that gets a tracking issue/),
    ]);
    expect(updates).toEqual([
      { state: 'closed', state_reason: 'duplicate' },
      { state: 'closed', state_reason: 'completed' },
    ]);
  });

  it('adds the configured labels, and does nothing when issues are turned off', async () => {
    const created: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/labels`)
      .query(true)
      .reply(200, ['ml-lens', 'risk', 'pillar:reliability', 'severity:high'].map((name) => ({ name })))
      .post(`${REPO_PATH}/issues`, capture(created))
      .reply(201, {});
    await reconcileIssues(target(), input([L], { settings: config({ issues: { labels: ['risk'], min_severity: 'high' } }), codeowners: null }));
    expect(created[0].labels).toEqual(['ml-lens', 'risk', 'pillar:reliability', 'severity:high']);
    expect(created[0].assignees).toBeUndefined();

    await reconcileIssues(target(), input([K, L], { settings: config({ issues: { create: 'never' } }) }));
    expect(gh.rec().count()).toBe(3);
  });
});
