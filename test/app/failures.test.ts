/**
 * GitHub failing on each kind of write the App makes: a 5xx, a 422 and the secondary rate limit.
 * What GitHub says to retry is retried (the whole surface: it reads what exists before it writes,
 * so a write that did land is not made twice); a surface that still fails does not cost the
 * others, and the check run concludes with the gate's own verdict, saying what is missing. Only the
 * check run itself failing ends it `failure` naming the step. The check never stays `in_progress`,
 * errors are logged, and the process does not crash.
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

/** Tries of a failing surface: a 5xx and a rate limit with a named end are tried three times, a 422 once. */
const TRIES: Record<string, number> = { '502 Bad Gateway': 3, '422 Unprocessable Entity': 1, 'the secondary rate limit': 3 };

/** A gate that passes on the example (no critical finding, no score floor). */
const PASSING_GATE = 'gate: { fail_on: critical, min_score: 0 }\n';

/** The calls of a review, the write that fails answering `error` on each of its `tries`; then the check. */
function scenario(write: Write, error: Reply, tries: number): GitHubMock {
  const onPr = write === 'opening a tracking issue';
  const config = PASSING_GATE + (onPr ? 'issues: { create: on-pr }\n' : '');
  const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base);
  gh.token().config(config).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1);
  if (write === 'ending a superseded run') {
    gh.pull({ number: PR, head: sha('newer'), base: BASE }).checkUpdate(CHECK, 1, error).checkUpdate(CHECK);
    return gh;
  }
  gh.pull({ number: PR, head: HEAD, base: BASE });
  const repeat = (f: () => void) => {
    for (let i = 0; i < tries; i++) f();
  };
  // After a surface fails for good, the head is read again: a moved head is a superseded run.
  const headAgain = () => gh.pull({ number: PR, head: HEAD, base: BASE });
  if (write === 'creating the summary comment') {
    repeat(() => gh.comments(PR).createComment(PR, error));
    headAgain();
    return gh.reviewComments(PR).createReview(PR).checkUpdate(CHECK);
  }
  gh.comments(PR).createComment(PR);
  if (write === 'posting the review') {
    repeat(() => gh.reviewComments(PR).createReview(PR, error));
    headAgain();
    return gh.checkUpdate(CHECK);
  }
  gh.reviewComments(PR).createReview(PR);
  if (onPr) {
    gh.scope.get(`${gh.base}/labels`).query({ per_page: '100' }).reply(200, ALL_LABELS);
    repeat(() => {
      gh.scope.get(`${gh.base}/issues`).query({ per_page: '100', labels: 'ml-lens', state: 'all' }).reply(200, []);
      gh.scope.post(`${gh.base}/issues`).reply(error[0], error[1], error[2]);
    });
    headAgain();
    return gh.checkUpdate(CHECK);
  }
  return gh.checkUpdate(CHECK, tries, error).checkUpdate(CHECK);
}

const SURFACES: Record<string, Write> = { 'the summary comment': 'creating the summary comment', 'the inline review': 'posting the review', 'the tracking issues': 'opening a tracking issue' };

describe('GitHub failing on a write', () => {
  for (const [surface, write] of Object.entries(SURFACES)) {
    for (const [name, error] of Object.entries(ERRORS)) {
      it(`${write}: ${name}, tried ${TRIES[name]} times, costs only that surface: the check concludes with the gate's verdict and says what is missing`, async () => {
        const waits: number[] = [];
        h = await harness({ retry: { sleep: async (ms) => void waits.push(ms) } });
        const gh = scenario(write, error.reply, TRIES[name]!);
        await h.receive('pull_request', pullRequestEvent('synchronize', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
        await h.settle();
        gh.assertDone();
        h.finish();
        const updates = h.requests('PATCH', /\/check-runs\/9001$/);
        expect(updates).toHaveLength(1);
        const end = updates[0]!.body as { status: string; conclusion: string; output: { title: string; summary: string; annotations: unknown[] } };
        // The example's findings are all below `critical`: the gate passes, with notes.
        expect(end).toMatchObject({ status: 'completed', conclusion: 'neutral' });
        expect(end.output.title).toMatch(/^Passing with notes/);
        expect(end.output.summary).toContain("Not everything could be posted to the pull request; the verdict above is the gate's own.");
        expect(end.output.summary).toMatch(new RegExp(`> - ${surface}: ${write}[^:]* failed \\(HTTP ${error.reply[0]}\\)`));
        expect(end.output.annotations.length).toBeGreaterThan(0);
        // Waits: 1 s then 2 s after a 5xx; what retry-after names after a rate limit; none after a 422.
        expect(waits).toEqual({ '502 Bad Gateway': [1000, 2000], '422 Unprocessable Entity': [], 'the secondary rate limit': [60_000, 60_000] }[name]);
        expect(h.logs.some((l) => l.level === 40 && l.msg === 'review published in part')).toBe(true);
      });
    }
  }

  for (const write of ['completing the check run', 'ending a superseded run'] as const) {
    for (const [name, error] of Object.entries(ERRORS)) {
      it(`${write}: ${name} ends the check run failure with the reason`, async () => {
        h = await harness();
        const tries = write === 'completing the check run' ? TRIES[name]! : 1;
        const gh = scenario(write, error.reply, tries);
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
