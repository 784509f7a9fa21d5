import nock from 'nock';
import { describe, expect, it } from 'vitest';
import type { Catalogue } from '../../src/model.js';
import { SUMMARY_MARKER, fingerprintMarker } from '../../src/render/index.js';
import { PublishError, handleRequestedAction, publishReview, type PublishInput } from '../../src/publish/github/index.js';
import { API, BASE, BOT, HEAD, REPO_PATH, capture, config, finding, review, target, useGitHub, type Finding } from './helpers.js';

const gh = useGitHub();
const catalogue: Catalogue = { rules: [], byId: new Map() };
const SEV = ['critical', 'high', 'medium', 'low'] as const;

/** 100 new findings in 4 added files whose patches show every line. */
function bigPr(): { findings: Finding[]; patches: Map<string, string> } {
  const files = ['infra/a.tf', 'infra/b.tf', 'pipelines/p.json', 'models/card.md'];
  const patches = new Map(files.map((p) => [p, ['@@ -0,0 +1,200 @@', ...Array.from({ length: 200 }, (_, i) => `+line ${i + 1}`)].join('\n')]));
  const findings = Array.from({ length: 100 }, (_, i) =>
    finding({ rule: `rule-${i}`, path: files[i % 4]!, address: `t${i}`, startLine: i + 1, endLine: i + 1, severity: SEV[i % 4]! }),
  );
  return { findings, patches };
}

function publishInput(findings: Finding[], patches: Map<string, string>, over: Partial<PublishInput> = {}): PublishInput {
  return {
    checkRunId: 9,
    review: review({ findings, gate: { conclusion: 'failure', reasons: ['new critical findings'] } }),
    catalogue,
    settings: config(),
    pullNumber: 7,
    headSha: HEAD,
    baseSha: BASE,
    patches,
    defaultBranch: 'main',
    codeowners: '* @lead',
    ...over,
  };
}

describe('publishReview', () => {
  it('publishes a PR with 100 findings in 6 requests, then re-runs with no write but the check', async () => {
    const { findings, patches } = bigPr();
    const input = publishInput(findings, patches);
    const summaries: any[] = [];
    const reviews: any[] = [];
    const checks: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, capture(summaries))
      .reply(201, { id: 1 })
      .get(`${REPO_PATH}/pulls/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO_PATH}/pulls/7/reviews`, capture(reviews))
      .reply(200, { id: 2 })
      .patch(`${REPO_PATH}/check-runs/9`, capture(checks))
      .times(2)
      .reply(200, {});
    const first = await publishReview(target(), input);
    expect(first.requests).toBe(6);
    expect(gh.rec().count()).toBe(6);
    expect(summaries[0].body.startsWith(SUMMARY_MARKER + '\n')).toBe(true);
    expect(summaries[0].body).toContain(`https://github.com/acme/models/blob/${HEAD}/`);
    expect(reviews[0].comments).toHaveLength(25);
    expect(reviews[0].body).toMatch(/75 more new findings are not commented inline/);
    expect(checks[0]).toMatchObject({ conclusion: 'failure', output: { annotations: expect.any(Array) } });
    expect(checks[0].output.annotations).toHaveLength(50);
    expect(checks[1].output.annotations).toHaveLength(50);

    // The same review again: the summary is unchanged, the 25 comments are there, no thread is stale.
    const posted = reviews[0].comments.map((c: any, i: number) => ({ id: 100 + i, body: c.body, user: BOT }));
    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 1, body: summaries[0].body, user: BOT }])
      .get(`${REPO_PATH}/pulls/7/comments`)
      .query(true)
      .reply(200, posted)
      .post('/graphql')
      .reply(200, {
        data: {
          repository: {
            pullRequest: {
              reviewThreads: {
                pageInfo: { hasNextPage: false, endCursor: null },
                nodes: posted.map((c: any) => ({ id: `T${c.id}`, isResolved: false, comments: { nodes: [{ body: c.body, author: { __typename: 'Bot' } }] } })),
              },
            },
          },
        },
      })
      .patch(`${REPO_PATH}/check-runs/9`)
      .times(2)
      .reply(200, {});
    const second = await publishReview(target(), input);
    expect(second.requests).toBe(5);
    expect(gh.rec().requests.slice(6).filter((r) => r.method !== 'GET' && r.kind === 'rest').map((r) => r.method + ' ' + r.pathname)).toEqual([
      `PATCH ${REPO_PATH}/check-runs/9`,
      `PATCH ${REPO_PATH}/check-runs/9`,
    ]);
  });

  it('opens tracking issues for the PR’s new findings when issues.create is on-pr, closing none', async () => {
    const high = finding({ rule: 'r-high', severity: 'high', path: 'infra/a.tf', startLine: 2, endLine: 2 });
    const existing = finding({ rule: 'r-existing', severity: 'critical', status: 'existing', path: 'infra/a.tf' });
    const created: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`)
      .reply(201, {})
      .get(`${REPO_PATH}/pulls/7/comments`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(200, [
        // an open issue of another finding in a file of this PR: a PR review never closes it
        { number: 3, title: 't', body: `${fingerprintMarker('fp-other')}\nx\n<!-- ml-lens:path=infra%2Fa.tf -->`, state: 'open', labels: [], user: BOT },
      ])
      .get(`${REPO_PATH}/labels`)
      .query(true)
      .reply(200, ['ml-lens', 'pillar:security', 'severity:high'].map((name) => ({ name })))
      .post(`${REPO_PATH}/issues`, capture(created))
      .reply(201, {})
      .patch(`${REPO_PATH}/check-runs/9`)
      .reply(200, {});
    const res = await publishReview(target(), publishInput([high, existing], new Map(), { settings: config({ issues: { create: 'on-pr' } }) }));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ assignees: ['lead'], labels: ['ml-lens', 'pillar:security', 'severity:high'] });
    expect(created[0].body).toContain(`/blob/${HEAD}/infra/a.tf#L2`);
    expect(res.requests).toBe(7);
  });

  it('posts no summary for a change without ML files, and deletes ours when the summary is off', async () => {
    const empty = review({ stats: { files: 2, artifacts: 0, byKind: {}, parseErrors: 0, suppressed: 0, evaluations: 0, truncated: 0, notReviewed: [], folded: { total: 0, byPath: [] } } });
    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/pulls/7/comments`)
      .query(true)
      .reply(200, [])
      .patch(`${REPO_PATH}/check-runs/9`, (b: any) => b.conclusion === 'success')
      .reply(200, {});
    expect((await publishReview(target(), { ...publishInput([], new Map()), review: empty })).requests).toBe(3);

    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 5, body: `${SUMMARY_MARKER}\nold`, user: BOT }])
      .delete(`${REPO_PATH}/issues/comments/5`)
      .reply(204)
      .patch(`${REPO_PATH}/check-runs/9`)
      .reply(200, {});
    const off = config({ comments: { summary: false, inline: false } });
    expect((await publishReview(target(), publishInput([], new Map(), { settings: off }))).requests).toBe(3);
  });

  it('a surface GitHub refuses (403: not retried) costs only that surface; the check concludes with the gate and says what is missing', async () => {
    const checks: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(403, { message: 'Resource not accessible by integration' }, { 'x-github-request-id': 'F00D:1' })
      .get(`${REPO_PATH}/pulls/7/comments`)
      .query(true)
      .reply(200, [])
      .patch(`${REPO_PATH}/check-runs/9`, capture(checks))
      .reply(200, {});
    const result = await publishReview(target(), publishInput([], new Map()));
    expect(result.unpublished).toEqual(['the summary comment: listing the pull request comments failed (HTTP 403): Resource not accessible by integration [request id F00D:1]']);
    expect(checks[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(checks[0].output.summary).toContain('> - the summary comment: listing the pull request comments failed (HTTP 403)');
  });

  it('the check run itself refused: the error goes through, naming the step, so the caller can fail the check', async () => {
    nock(API)
      .get(`${REPO_PATH}/issues/7/comments`)
      .query(true)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`)
      .reply(201, {})
      .get(`${REPO_PATH}/pulls/7/comments`)
      .query(true)
      .reply(200, [])
      .patch(`${REPO_PATH}/check-runs/9`)
      .reply(403, { message: 'Resource not accessible by integration' }, { 'x-github-request-id': 'F00D:2' });
    const err = await publishReview(target(), publishInput([], new Map())).catch((e) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect(err).toMatchObject({ step: 'completing the check run', status: 403, requestId: 'F00D:2' });
  });
});

describe('handleRequestedAction', () => {
  it('open-issues opens the issues of the PR’s new findings at its head', async () => {
    const high = finding({ rule: 'r-high', severity: 'high', path: 'infra/a.tf', startLine: 2, endLine: 4 });
    const created: any[] = [];
    nock(API)
      .get(`${REPO_PATH}/issues`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/labels`)
      .query(true)
      .reply(200, ['ml-lens', 'pillar:security', 'severity:high'].map((name) => ({ name })))
      .post(`${REPO_PATH}/issues`, capture(created))
      .reply(201, {});
    await handleRequestedAction(target(), 'open-issues', publishInput([high], new Map()));
    expect(created[0].body).toContain(`/blob/${HEAD}/infra/a.tf#L2-L4`);
  });

  it('does nothing when issues are off, and rejects an unknown action', async () => {
    await handleRequestedAction(target(), 'open-issues', publishInput([], new Map(), { settings: config({ issues: { create: 'never' } }) }));
    await expect(handleRequestedAction(target(), 'rerun', publishInput([], new Map()))).rejects.toThrow(/unknown check run action "rerun"/);
  });
});
