/**
 * A request that never reached GitHub (reset, unresolved host, timeout) is not "GitHub answered
 * 500": Octokit reports it as a status 500 without a response, and the check run and the log must
 * say what really happened, with the call and the network's reason.
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../../src/jobs/errors.js';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, listedFiles, sha } from '../github/fixtures/repo.js';
import { API, GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const CHECK = 9001;

beforeAll(() => setupNock());
let h: Harness | undefined;
afterEach(() => {
  h?.recorder.stop();
  h = undefined;
  resetNock();
  resetLabelCache();
});

const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('describeError', () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const octokit = () => new Octokit({ baseUrl: API, log: quiet });
  const get = () => octokit().rest.pulls.get({ owner: 'o', repo: 'r', pull_number: 1 });

  it('a reset connection: the call and the socket\'s reason, not "GitHub answered 500"', async () => {
    nock(API).get('/repos/o/r/pulls/1').replyWithError(reset());
    expect(describeError(await failure(get()))).toBe('could not reach GitHub for GET /repos/o/r/pulls/1: ECONNRESET (socket hang up)');
  });

  it('undici\'s "fetch failed" wrapping: the innermost cause is named', async () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND api.github.com'), { code: 'ENOTFOUND' });
    nock(API).get('/repos/o/r/pulls/1').replyWithError(new TypeError('fetch failed', { cause: dns }));
    expect(describeError(await failure(get()))).toBe('could not reach GitHub for GET /repos/o/r/pulls/1: ENOTFOUND (getaddrinfo ENOTFOUND api.github.com)');
    const timeout = Object.assign(new Error('Connect Timeout Error (attempted address: api.github.com:443, timeout: 10000ms)'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
    nock(API).get('/repos/o/r/pulls/1').replyWithError(new TypeError('fetch failed', { cause: timeout }));
    expect(describeError(await failure(get()))).toMatch(/^could not reach GitHub for GET \/repos\/o\/r\/pulls\/1: UND_ERR_CONNECT_TIMEOUT \(Connect Timeout Error/);
  });

  it('a 500 GitHub did answer is still said so, with the request id', async () => {
    nock(API).get('/repos/o/r/pulls/1').reply(500, { message: 'Internal Server Error' }, { 'x-github-request-id': 'C0DE:500' });
    expect(describeError(await failure(get()))).toBe('GitHub answered 500 to GET /repos/o/r/pulls/1: Internal Server Error (request id C0DE:500)');
  });
});

describe('a review whose requests do not reach GitHub', () => {
  it('reading the file list: the check run fails saying GitHub could not be reached, and why', async () => {
    h = await harness();
    const { head } = exampleRepo();
    const gh = new GitHubMock().commit(HEAD, head).token().config('').checkCreate(CHECK).tree(HEAD).checkUpdate(CHECK);
    gh.scope.get(`${gh.base}/pulls/${PR}/files`).query({ per_page: '100', page: '1' }).replyWithError(reset());
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.title).toContain('could not reach GitHub for GET /repos/acme/churn-model/pulls/7/files: ECONNRESET (socket hang up)');
    expect(end.output.title).not.toMatch(/answered 500|HTTP 500/);
    expect(h.logs.filter((l) => l.level >= 50).map((l) => l.msg)).toContainEqual(expect.stringContaining('could not reach GitHub for GET'));
  });

  it('publishing: a surface that cannot reach GitHub is tried three times, then named with the network\'s reason; the check concludes with the gate', async () => {
    h = await harness();
    const { base, head } = exampleRepo();
    const files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base);
    gh.token().config('').checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).pull({ number: PR, head: HEAD, base: BASE });
    for (let i = 0; i < 3; i++) {
      gh.comments(PR);
      gh.scope.post(`${gh.base}/issues/${PR}/comments`).replyWithError(reset());
    }
    gh.pull({ number: PR, head: HEAD, base: BASE }).reviewComments(PR).createReview(PR).checkUpdate(CHECK);
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    h.finish();
    const end = h.requests('PATCH', /\/check-runs\/9001$/)[0]!.body as { conclusion: string; output: { title: string; summary: string } };
    expect(end.conclusion).toBe('failure'); // the example's gate: its new high findings
    expect(end.output.title).toMatch(/^Failing · /);
    expect(end.output.summary).toContain(
      '> - the summary comment: creating the summary comment failed: could not reach GitHub for POST /repos/acme/churn-model/issues/7/comments: ECONNRESET (socket hang up)',
    );
  });
});
