/**
 * The App end to end through a real Probot instance: a pull request event is queued, reviewed from
 * what the GitHub API returns (nock), and published. Every request is checked against GitHub's
 * published API description, and every expected call must have been made.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { checkRunEvent, pullRequestEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const CHECK = 9001;

const { base, head } = exampleRepo();
const CONFIG = base['.github/ml-lens.yml']!;
let files: ListedFile[];

beforeAll(() => {
  setupNock();
  files = listedFiles(base, head, { headSha: HEAD, renames: { 'infra/network.tf': 'infra/security-groups.tf' } });
});
let h: Harness;
beforeEach(() => resetLabelCache());
afterEach(() => {
  h?.recorder.stop();
  resetNock();
});

/** The repository as GitHub holds it: head and base commits, and the default branch. */
function repoMock(): GitHubMock {
  return new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base);
}

/** What a first review reads: config, the check, the files, the tree, the contents, the head again. */
function reads(gh: GitHubMock, opts: { token?: boolean } = {}): GitHubMock {
  if (opts.token !== false) gh.token();
  return gh.config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length });
}

describe('pull_request opened', () => {
  it('reviews the change from the API and publishes the check, the summary comment and one inline review', async () => {
    h = await harness();
    const gh = reads(repoMock()).firstPublish(PR, CHECK, { checkUpdates: 1 });
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();

    // The check run: in_progress on the head commit, with our external id.
    const [create] = h.requests('POST', /\/check-runs$/);
    expect(create!.body).toMatchObject({ name: 'ML Lens', head_sha: HEAD, status: 'in_progress', external_id: `pr:${PR}` });

    // Contents were read by commit SHA, head and base in one query, plus the default branch extras.
    expect(gh.graphql).toHaveLength(1);
    const expressions = Object.entries(gh.graphql[0]!.variables)
      .filter(([k]) => /^e\d+$/.test(k))
      .map(([, v]) => v);
    expect(expressions).toEqual(
      expect.arrayContaining([
        `${HEAD}:infra/sagemaker.tf`,
        `${BASE}:infra/sagemaker.tf`,
        `${HEAD}:infra/security-groups.tf`,
        `${BASE}:infra/network.tf`,
        'main:.github/ml-lens/rules',
        'main:.github/ml-lens/templates',
        'main:.github/CODEOWNERS',
      ]),
    );
    // Python and notebooks are read too (they may call SageMaker); other files are listed, never fetched.
    expect(expressions).toEqual(expect.arrayContaining([`${HEAD}:pipelines/pipeline.py`, `${HEAD}:notebooks/deploy.ipynb`]));
    expect(expressions.some((e) => /\.(?:txt|lock|png)$/.test(e))).toBe(false);

    // The check completed with the gate and annotations.
    const [complete] = h.requests('PATCH', /\/check-runs\/9001$/);
    const body = complete!.body as { status: string; conclusion: string; output: { title: string; annotations: { path: string }[] } };
    expect(body.status).toBe('completed');
    expect(body.conclusion).toBe('failure');
    expect(body.output.annotations.length).toBeGreaterThan(0);
    expect(body.output.annotations.map((a) => a.path)).toContain('infra/sagemaker.tf');

    // The summary comment and the inline review on the head commit.
    const [comment] = h.requests('POST', /\/issues\/7\/comments$/);
    expect((comment!.body as { body: string }).body).toMatch(/^<!-- ml-lens/);
    const [review] = h.requests('POST', /\/pulls\/7\/reviews$/);
    const rv = review!.body as { commit_id: string; event: string; comments: { path: string; line: number }[] };
    expect(rv.commit_id).toBe(HEAD);
    expect(rv.event).toBe('COMMENT');
    expect(rv.comments.length).toBeGreaterThan(0);
    expect(rv.comments.length).toBeLessThanOrEqual(15); // comments.max_inline of the repository's config

    // No request the App did not need.
    expect(h.recorder.count()).toBe(12);
  });
});

/** Runs a first review and returns the bodies it posted, for tests that start from a reviewed PR. */
async function firstReview(): Promise<{ summary: string; inline: { path: string; body: string }[] }> {
  const first = await harness();
  const gh = reads(repoMock()).firstPublish(PR, CHECK);
  await first.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
  await first.settle();
  gh.assertDone();
  first.finish();
  const summary = (first.requests('POST', /\/issues\/7\/comments$/)[0]!.body as { body: string }).body;
  const inline = (first.requests('POST', /\/pulls\/7\/reviews$/)[0]!.body as { comments: { path: string; body: string }[] }).comments;
  resetNock();
  return { summary, inline };
}

const BOT = { login: 'ml-lens-reviewer[bot]', type: 'Bot' };

describe('check_run rerequested', () => {
  it('re-runs the review of the check run\'s pull request: a new check, and nothing posted twice', async () => {
    const before = await firstReview();
    h = await harness();
    const gh = repoMock()
      .token()
      .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length }) // the re-run reads the PR first
      .config(CONFIG)
      .checkCreate(CHECK + 1)
      .listFiles(PR, files)
      .tree(HEAD)
      .objects(1)
      .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length }) // the head, again, before publishing
      .comments(PR, [{ id: 555, body: before.summary, user: BOT }])
      .reviewComments(PR, before.inline.map((c, i) => ({ id: 800 + i, body: c.body, path: c.path, user: BOT })))
      .threads([])
      .checkUpdate(CHECK + 1);
    await h.receive('check_run', checkRunEvent('rerequested', { id: CHECK, head: HEAD, externalId: `pr:${PR}` }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.requests('POST', /\/check-runs$/)[0]!.body).toMatchObject({ head_sha: HEAD, status: 'in_progress', external_id: `pr:${PR}` });
    // The summary is unchanged and every finding already has its inline comment.
    expect(h.requests('POST', /\/issues\/7\/comments$/)).toHaveLength(0);
    expect(h.requests('PATCH', /\/issues\/comments\//)).toHaveLength(0);
    expect(h.requests('POST', /\/pulls\/7\/reviews$/)).toHaveLength(0);
    expect(h.requests('PATCH', /\/check-runs\/9002$/)[0]!.body).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('finds the pull request of a fork\'s check run (GitHub lists none) from its head commit', async () => {
    h = await harness();
    const gh = repoMock().token();
    gh.scope.get(`${gh.base}/commits/${HEAD}/pulls`).query({ per_page: '100' }).reply(200, [gh.pullObject({ number: PR, head: HEAD, base: BASE })]);
    gh.pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
      .config(CONFIG)
      .checkCreate(CHECK + 1)
      .listFiles(PR, files)
      .tree(HEAD)
      .objects(1)
      .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
      .firstPublish(PR, CHECK + 1);
    await h.receive('check_run', checkRunEvent('rerequested', { id: CHECK, head: HEAD }));
    await h.settle();
    gh.assertDone();
    h.finish();
  });

  it('ends a re-run of a commit that is no longer the head neutral, without reviewing it', async () => {
    const OLD = sha('older');
    h = await harness();
    const gh = repoMock().token().pull({ number: PR, head: HEAD, base: BASE }).config(CONFIG).checkCreate(CHECK + 1).checkUpdate(CHECK + 1);
    await h.receive('check_run', checkRunEvent('rerequested', { id: CHECK, head: OLD, externalId: `pr:${PR}` }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.requests('POST', /\/check-runs$/)[0]!.body).toMatchObject({ head_sha: OLD });
    const end = h.requests('PATCH', /\/check-runs\/9002$/)[0]!.body as { conclusion: string; output: { summary: string } };
    expect(end.conclusion).toBe('neutral');
    expect(end.output.summary).toContain(`moved from ${OLD.slice(0, 7)} to ${HEAD.slice(0, 7)}`);
  });

  it('ignores check runs of other apps', async () => {
    h = await harness();
    await h.receive('check_run', checkRunEvent('rerequested', { id: 5, head: HEAD, name: 'ci/build' }));
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    h.finish();
  });
});

describe('check_run requested_action', () => {
  it('"open-issues" opens a tracking issue for each new high-severity finding, and leaves the check alone', async () => {
    h = await harness();
    const main = { ...base, '.github/CODEOWNERS': '/infra/ @jdoe @acme-analytics/ml-platform\n' };
    const gh = new GitHubMock()
      .commit(HEAD, head)
      .commit(BASE, base)
      .commit('main', main)
      .token()
      .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
      .config(CONFIG)
      .listFiles(PR, files)
      .tree(HEAD)
      .objects(1);
    gh.scope.get(`${gh.base}/issues`).query({ per_page: '100', labels: 'ml-lens', state: 'all' }).reply(200, []);
    gh.scope.get(`${gh.base}/labels`).query({ per_page: '100' }).reply(200, [{ id: 1, name: 'ml-lens', color: '5319e7' }]);
    gh.scope.post(`${gh.base}/labels`).times(20).reply(201, (_u, b) => ({ id: 2, ...(b as object) }));
    gh.scope.post(`${gh.base}/issues`).times(50).reply(201, (_u, b) => ({ number: 40, ...(b as object) }));
    await h.receive('check_run', checkRunEvent('requested_action', { id: CHECK, head: HEAD, externalId: `pr:${PR}`, identifier: 'open-issues' }));
    await h.settle();
    h.finish();
    const created = h.requests('POST', /\/issues$/);
    expect(created.length).toBeGreaterThan(0);
    for (const c of created) {
      const body = c.body as { labels: string[]; assignees?: string[] };
      expect(body.labels).toEqual(expect.arrayContaining(['ml-lens', 'churn-model']));
    }
    // An issue about infra/ is assigned to its CODEOWNERS (read from the default branch; teams cannot be assigned).
    const infra = created.filter((c) => /infra\//.test((c.body as { body: string }).body));
    expect(infra.length).toBeGreaterThan(0);
    for (const c of infra) expect((c.body as { assignees?: string[] }).assignees).toEqual(['jdoe']);
    expect(h.requests('POST', /\/check-runs$/)).toHaveLength(0);
    expect(h.requests('PATCH', /\/check-runs\//)).toHaveLength(0);
    // The label and issue interceptors allow more calls than needed; everything else was used.
    expect(gh.scope.pendingMocks().filter((m) => !/\/(labels|issues)$/.test(m))).toEqual([]);
  });

  it('ignores buttons it does not know', async () => {
    h = await harness();
    await h.receive('check_run', checkRunEvent('requested_action', { id: CHECK, head: HEAD, externalId: `pr:${PR}`, identifier: 'rm-rf' }));
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    h.finish();
  });
});

describe('the webhook handler', () => {
  it('only queues the job and returns: the review runs after the webhook is answered', async () => {
    h = await harness({ delayMs: 30 });
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    expect(h.recorder.count()).toBe(0);
    expect(h.queue.stats()).toEqual({ running: 0, queued: 1, keys: 1 });
    expect(h.logs.some((l) => l.msg === 'queued' && l['job'] === 'review')).toBe(true);
    await h.settle();
    gh.assertDone();
    h.finish();
  });
});

describe('idempotency and bursts', () => {
  it('handles the same delivery three times once (and once more after it finished)', async () => {
    h = await harness();
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    const payload = pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length });
    await h.receive('pull_request', payload, 'same-delivery');
    await h.receive('pull_request', payload, 'same-delivery');
    await h.receive('pull_request', payload, 'same-delivery');
    await h.settle();
    await h.receive('pull_request', payload, 'same-delivery');
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.requests('POST', /\/check-runs$/)).toHaveLength(1);
    expect(h.requests('POST', /\/issues\/7\/comments$/)).toHaveLength(1);
    expect(h.requests('POST', /\/pulls\/7\/reviews$/)).toHaveLength(1);
    expect(h.recorder.count()).toBe(12);
  });

  it('two synchronize events in a burst: only the newest head is reviewed', async () => {
    const NEWER = sha('newer');
    h = await harness({ delayMs: 40 });
    const gh = new GitHubMock().commit(NEWER, head).commit(BASE, base).commit('main', base);
    gh.token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(NEWER).objects(1).pull({ number: PR, head: NEWER, base: BASE }).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: NEWER, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const creates = h.requests('POST', /\/check-runs$/);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.body).toMatchObject({ head_sha: NEWER });
  });

  it('a newer head arriving while the older one is reviewed ends the older run neutral', async () => {
    const NEWER = sha('newer');
    h = await harness();
    const gh = new GitHubMock().commit(HEAD, head).commit(NEWER, head).commit(BASE, base).commit('main', base);
    gh.token().config(CONFIG).checkCreate(CHECK);
    // While the first review lists the files, the second push arrives.
    let delivered: Promise<void> | undefined;
    gh.scope
      .get(`${gh.base}/pulls/${PR}/files`)
      .query({ per_page: '100', page: '1' })
      .reply(200, () => {
        delivered = h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: NEWER, base: BASE, changedFiles: files.length }));
        return files;
      });
    gh.tree(HEAD).objects(1).checkUpdate(CHECK); // the older run ends neutral: no head re-read needed, nothing published
    gh.config(CONFIG).checkCreate(CHECK + 1).listFiles(PR, files).tree(NEWER).objects(1).pull({ number: PR, head: NEWER, base: BASE }).firstPublish(PR, CHECK + 1);
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    await delivered;
    await h.settle();
    gh.assertDone();
    h.finish();
    const older = h.requests('PATCH', /\/check-runs\/9001$/);
    expect(older).toHaveLength(1);
    expect(older[0]!.body).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect((older[0]!.body as { output: { summary: string } }).output.summary).toMatch(/^Superseded/);
    expect(h.requests('PATCH', /\/check-runs\/9002$/)[0]!.body).toMatchObject({ conclusion: 'failure' });
    expect(h.requests('POST', /\/pulls\/7\/reviews$/)).toHaveLength(1);
  });

  it('re-reads the head before publishing: a push the App has not heard of yet ends the run neutral', async () => {
    const NEWER = sha('newer');
    h = await harness();
    const gh = repoMock().token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).pull({ number: PR, head: NEWER, base: BASE }).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { summary: string } };
    expect(end.conclusion).toBe('neutral');
    expect(end.output.summary).toContain(`moved from ${HEAD.slice(0, 7)} to ${NEWER.slice(0, 7)}`);
    expect(h.requests('POST', /\/issues\/7\/comments$/)).toHaveLength(0);
  });
});

describe('a head that moves while publishing', () => {
  const NEWER = sha('newer');

  it('a force push after the head was re-read: the review GitHub refuses (422) ends the run neutral, superseded, not failure', async () => {
    h = await harness();
    const gh = repoMock().token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1);
    gh.pull({ number: PR, head: HEAD, base: BASE }).comments(PR).createComment(PR).reviewComments(PR);
    gh.createReview(PR, [422, { message: 'Unprocessable Entity', errors: ['commit_id is not part of the pull request'] }]);
    // Asked again after the refusal: the head moved, so it is not a failure.
    gh.pull({ number: PR, head: NEWER, base: BASE }).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const updates = h.requests('PATCH', /\/check-runs\/9001$/);
    expect(updates).toHaveLength(1);
    const end = updates[0]!.body as { conclusion: string; output: { summary: string; annotations?: unknown } };
    expect(end.conclusion).toBe('neutral');
    expect(end.output.summary).toContain(`moved from ${HEAD.slice(0, 7)} to ${NEWER.slice(0, 7)}`);
    expect(end.output.annotations).toBeUndefined();
    expect(h.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a newer push heard of while the summary is posted: nothing more is published, and the run ends neutral', async () => {
    h = await harness({ delayMs: 50 });
    const gh = repoMock().commit(NEWER, head).token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1);
    gh.pull({ number: PR, head: HEAD, base: BASE }).comments(PR);
    let delivered: Promise<void> | undefined;
    gh.scope.post(`${gh.base}/issues/${PR}/comments`).reply(201, () => {
      delivered = h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: NEWER, base: BASE, changedFiles: files.length }));
      return { id: 555, body: '' };
    });
    // No review and no completed check for the older head: it ends neutral, superseded.
    gh.checkUpdate(CHECK);
    // The newer head's own review.
    gh.config(CONFIG).checkCreate(CHECK + 1).listFiles(PR, files).tree(NEWER).objects(1).pull({ number: PR, head: NEWER, base: BASE });
    gh.comments(PR, [{ id: 555, body: '<!-- ml-lens:summary -->\nold', user: { login: 'ml-lens-reviewer[bot]', type: 'Bot' } }]).updateComment(555).reviewComments(PR).createReview(PR).checkUpdate(CHECK + 1);
    await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    await delivered;
    await h.settle();
    gh.assertDone();
    h.finish();
    const older = h.requests('PATCH', /\/check-runs\/9001$/);
    expect(older).toHaveLength(1);
    expect(older[0]!.body).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect((older[0]!.body as { output: { summary: string } }).output.summary).toMatch(/^Superseded/);
    expect(h.requests('POST', /\/pulls\/7\/reviews$/)).toHaveLength(1);
  });
});

describe('which pull requests are reviewed', () => {
  it('reviews a fork\'s pull request by commit SHA in the base repository', async () => {
    h = await harness();
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length, forkOwner: 'contributor' }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.recorder.requests.every((r) => !r.path.includes('contributor'))).toBe(true);
    expect(h.requests('POST', /\/check-runs$/)[0]!.body).toMatchObject({ head_sha: HEAD });
  });

  it('skips drafts without a single request, and reviews them when they are ready', async () => {
    h = await harness();
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, draft: true }));
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('ready_for_review', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
  });

  it('reviews drafts when configured to', async () => {
    h = await harness({ reviewDrafts: true });
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, draft: true, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
  });

  it('reviews an edit only when it changed the base branch', async () => {
    h = await harness();
    const title = pullRequestEvent('edited', { number: PR, head: HEAD, base: BASE });
    title.changes = { title: { from: 'WIP' } };
    await h.receive('pull_request', title);
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('edited', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
  });

  it('does nothing in a repository without .github/ml-lens.yml (nor one in the organisation)', async () => {
    h = await harness();
    const gh = new GitHubMock().token().noConfig();
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.recorder.count()).toBe(3);
  });

  it('uses the organisation\'s configuration from its .github repository, following _extends', async () => {
    h = await harness();
    const gh = repoMock().token().config(null).config('_extends: ml-platform:policies/ml-lens.yml\ncomments: { inline: false }\n', { repo: '.github' });
    gh.config('checks: { annotations: false }\ncomments: { inline: true, summary: true }\n', { repo: 'ml-platform', path: 'policies/ml-lens.yml' });
    gh.checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).pull({ number: PR, head: HEAD, base: BASE }).comments(PR).createComment(PR).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    // comments.inline: false from the organisation's file wins over the policy it extends: no review;
    // checks.annotations: false from the policy repository: no annotations.
    expect(h.requests('POST', /\/pulls\/7\/reviews$/)).toHaveLength(0);
    expect(h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body).toMatchObject({ status: 'completed', output: { annotations: [] } });
  });

  it('ignores events the App caused itself', async () => {
    h = await harness();
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: { login: 'ml-lens-reviewer[bot]', type: 'Bot' } }));
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    h.finish();
  });

  it('reviews pull requests other bots open (Dependabot)', async () => {
    h = await harness();
    const gh = reads(repoMock()).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length, sender: { login: 'dependabot[bot]', type: 'Bot' } }));
    await h.settle();
    gh.assertDone();
    h.finish();
  });
});

describe('an invalid configuration', () => {
  it('fails the check naming each wrong key, and reads nothing else', async () => {
    h = await harness();
    const gh = new GitHubMock().token().config('gate:\n  fail_on: urgent\ncoments:\n  inline: false\n').checkCreate(CHECK).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.recorder.count()).toBe(4);
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string; summary: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.title).toContain('Invalid configuration');
    expect(end.output.summary).toContain('gate.fail_on: expected one of critical');
    expect(end.output.summary).toContain('got "urgent"');
    expect(end.output.summary).toContain('coments: unknown key');
    expect(end.output.summary.match(/^- /gm)).toHaveLength(2);
  });

  it('names the file of an inherited configuration that is wrong', async () => {
    h = await harness();
    const gh = new GitHubMock().token().config('_extends: .github\n').config('gate: { min_score: 120 }\n', { repo: '.github' }).checkCreate(CHECK).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { output: { summary: string } };
    expect(end.output.summary).toContain('acme/.github:.github/ml-lens.yml: gate.min_score: expected a number');
  });

  it('fails the check when the repository\'s custom rules cannot be loaded', async () => {
    h = await harness();
    const main = { ...base, '.github/ml-lens/rules/team.yaml': '- id: Bad Id\n  title: x\n' };
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', main);
    gh.token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string; summary: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.title).toContain(".github/ml-lens/rules cannot be loaded");
    expect(end.output.summary).toContain('team.yaml');
  });
});

describe('the repository\'s own templates and rules (from the default branch)', () => {
  it('never reads a rule file through a symbolic link: the check fails naming it', async () => {
    h = await harness();
    // The link's blob is its target's name; read as YAML it would be a (valid, empty) document.
    const main = { ...base, '.github/ml-lens/rules/team.yaml': '../../../secrets/token.yaml' };
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', main, { '.github/ml-lens/rules/team.yaml': '120000' });
    gh.token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string; summary: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.summary).toContain('.github/ml-lens/rules/team.yaml: symbolic link (not followed)');
    expect(end.output.summary).not.toContain('secrets/token');
  });

  it('renders with the template overrides of .github/ml-lens/templates', async () => {
    h = await harness();
    const main = { ...base, '.github/ml-lens/templates/_footer.hbs': '<sub>Reviewed for the ACME ML platform team · {{filesLine}}</sub>\n' };
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', main);
    reads(gh).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const comment = (h.requests('POST', /\/issues\/7\/comments$/)[0]!.body as { body: string }).body;
    expect(comment).toContain('<sub>Reviewed for the ACME ML platform team · ');
    expect(comment).not.toContain('practices from the AWS Well-Architected');
  });

  it('a template that is not one of ours fails the check, naming it', async () => {
    h = await harness();
    const main = { ...base, '.github/ml-lens/templates/welcome.hbs': 'hi\n' };
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', main);
    gh.token().config(CONFIG).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string; summary: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.title).toContain('templates in .github/ml-lens/templates cannot be used');
    expect(end.output.summary).toContain('welcome');
  });

  it('runs the repository\'s custom rules', async () => {
    h = await harness();
    const rule = `- id: team-endpoint-tags
  title: Endpoint configurations carry a cost-centre tag
  practices: [MLCOST06-BP01]
  pillar: cost-optimization
  phase: deployment
  severity: low
  match:
    - kind: terraform
      resource: aws_sagemaker_endpoint_configuration
      require: { present: tags.cost_centre }
  message: "{{address}} has no cost_centre tag."
  remediation: Add tags.cost_centre.
  examples:
    pass: [{ path: a.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"a\\" {\\n  tags = { cost_centre = \\"ml\\" }\\n}\\n" }]
    fail: [{ path: a.tf, content: "resource \\"aws_sagemaker_endpoint_configuration\\" \\"a\\" {\\n}\\n" }]
`;
    const main = { ...base, '.github/ml-lens/rules/team.yaml': rule };
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', main);
    reads(gh).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { output: { annotations: { title: string }[] } };
    expect(end.output.annotations.some((a) => a.title.includes('team-endpoint-tags'))).toBe(true);
  });
});
