/**
 * GitHub failing on each kind of write the App makes: a 5xx, a 422 and the secondary rate limit.
 * The check run must end `failure` with a reason that names the step and the status (never stay
 * `in_progress`), the error must be logged, and the process must not crash.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PILLARS, SEVERITIES } from '../../src/model.js';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { GitHubMock, type Reply } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const CHECK = 9001;
const { base, head } = exampleRepo();
let files: ListedFile[];

beforeAll(() => {
  setupNock();
  files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
});
let h: Harness;
beforeEach(() => resetLabelCache());
afterEach(() => {
  h?.recorder.stop();
  resetNock();
});

const DOCS = 'https://docs.github.com/rest';
const ERRORS: Record<string, { reply: Reply; expect: RegExp }> = {
  '502 Bad Gateway': { reply: [502, { message: 'Server Error' }, { 'x-github-request-id': 'C0DE:5XX' }], expect: /HTTP 502.*Server Error.*C0DE:5XX/ },
  '422 Unprocessable Entity': {
    reply: [422, { message: 'Validation Failed', errors: [{ resource: 'Issue', code: 'custom', message: 'body is too long' }], documentation_url: DOCS }],
    expect: /HTTP 422.*Validation Failed/,
  },
  'the secondary rate limit': {
    reply: [
      403,
      { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: DOCS },
      { 'retry-after': '60', 'x-github-request-id': 'C0DE:403' },
    ],
    expect: /HTTP 403.*secondary rate limit/,
  },
};

/** Every label an issue could need already exists, so issue creation is the only write. */
const ALL_LABELS = ['ml-lens', ...PILLARS.map((p) => `pillar:${p}`), ...SEVERITIES.map((s) => `severity:${s}`)].map((name, id) => ({ id, name, color: 'ededed' }));

type Write = 'creating the summary comment' | 'posting the review' | 'completing the check run' | 'opening a tracking issue' | 'ending a superseded run';

/** The calls of a review up to the write that fails, which answers `error`; then the failing check. */
function scenario(write: Write, error: Reply): GitHubMock {
  const onPr = write === 'opening a tracking issue';
  const config = onPr ? 'issues: { create: on-pr }\n' : '';
  const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base);
  gh.token().config(config).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1);
  if (write === 'ending a superseded run') {
    gh.pull({ number: PR, head: sha('newer'), base: BASE }).checkUpdate(CHECK, 1, error).checkUpdate(CHECK);
    return gh;
  }
  gh.pull({ number: PR, head: HEAD, base: BASE }).comments(PR);
  if (write === 'creating the summary comment') return gh.createComment(PR, error).checkUpdate(CHECK);
  gh.createComment(PR).reviewComments(PR);
  if (write === 'posting the review') return gh.createReview(PR, error).checkUpdate(CHECK);
  gh.createReview(PR);
  if (onPr) {
    gh.scope.get(`${gh.base}/issues`).query({ per_page: '100', labels: 'ml-lens', state: 'all' }).reply(200, []);
    gh.scope.get(`${gh.base}/labels`).query({ per_page: '100' }).reply(200, ALL_LABELS);
    gh.scope.post(`${gh.base}/issues`).reply(error[0], error[1], error[2]);
    return gh.checkUpdate(CHECK);
  }
  return gh.checkUpdate(CHECK, 1, error).checkUpdate(CHECK);
}

const WRITES: Write[] = ['creating the summary comment', 'posting the review', 'opening a tracking issue', 'completing the check run', 'ending a superseded run'];

describe('GitHub failing on a write', () => {
  for (const write of WRITES) {
    for (const [name, error] of Object.entries(ERRORS)) {
      it(`${write}: ${name} ends the check run failure with the reason`, async () => {
        h = await harness();
        const gh = scenario(write, error.reply);
        await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
        await h.settle();
        gh.assertDone();
        h.finish();
        const updates = h.requests('PATCH', /\/check-runs\/9001$/);
        const last = updates[updates.length - 1]!.body as { status: string; conclusion: string; output: { title: string; summary: string } };
        expect(last.status).toBe('completed');
        expect(last.conclusion).toBe('failure');
        const step = write === 'ending a superseded run' ? 'ending the check run' : write;
        expect(last.output.title).toContain(step);
        expect(`${last.output.title}\n${last.output.summary}`).toMatch(error.expect);
        const logged = h.logs.filter((l) => l.level >= 50);
        expect(logged.length).toBeGreaterThan(0);
        expect(logged[0]!.msg).toContain(step);
      });
    }
  }

  it('creating the check run fails: nothing else is written, and the error is logged', async () => {
    h = await harness();
    const gh = new GitHubMock().token().config('').checkCreate(CHECK, ERRORS['502 Bad Gateway']!.reply);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.recorder.count()).toBe(3);
    const logged = h.logs.filter((l) => l.level >= 50);
    expect(logged.map((l) => l.msg).join('\n')).toMatch(/creating the check run failed \(HTTP 502\)/);
  });

  it('reading fails (GitHub answers 500 to the file list): the check ends failure naming the call', async () => {
    h = await harness();
    const gh = new GitHubMock().commit(HEAD, head).token().config('').checkCreate(CHECK).tree(HEAD).checkUpdate(CHECK);
    gh.scope.get(`${gh.base}/pulls/${PR}/files`).query({ per_page: '100', page: '1' }).reply(500, { message: 'Internal Server Error' }, { 'x-github-request-id': 'C0DE:500' });
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.title).toContain('GitHub answered 500 to GET /repos/acme/churn-model/pulls/7/files');
    expect(end.output.title).toContain('C0DE:500');
  });

  it('GraphQL timing out on a batch: the batch is split and read again', async () => {
    h = await harness();
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base);
    gh.token().config('').checkCreate(CHECK).listFiles(PR, files).tree(HEAD);
    gh.scope.post('/graphql').reply(502, { message: 'Server Error' });
    gh.objects(2).pull({ number: PR, head: HEAD, base: BASE }).firstPublish(PR, CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body).toMatchObject({ conclusion: 'failure', status: 'completed' });
    const [first, second] = gh.graphql.map((q) => Object.keys(q.variables).filter((k) => /^e\d+$/.test(k)).length);
    expect(first! + second!).toBeGreaterThan(0);
  });
});
