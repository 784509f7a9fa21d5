/**
 * `ml-lens review --github OWNER/REPO#N`: the App's review and publishing from the command line,
 * through `@octokit/rest` and the token in GITHUB_TOKEN.
 */
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePullRequestRef } from '../../src/jobs/command-line.js';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { runCli } from '../cli/run.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';

const HEAD = sha('after');
const BASE = sha('before');
const { base, head } = exampleRepo();
let files: ListedFile[];
let rec: Recorder | undefined;

beforeAll(() => {
  nock.disableNetConnect();
  files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
});
beforeEach(() => resetLabelCache());
afterEach(() => {
  rec?.stop();
  nock.cleanAll();
});

const ENV = { GITHUB_TOKEN: 'ghs_from_ci', NO_COLOR: '1' };

describe('review --github', () => {
  it('reviews and publishes the pull request, prints the report and exits by the gate', async () => {
    const gh = new GitHubMock()
      .commit(HEAD, head)
      .commit(BASE, base)
      .commit('main', base)
      .pull({ number: 7, head: HEAD, base: BASE, changedFiles: files.length }, 2)
      .config(base['.github/ml-lens.yml']!)
      .checkCreate(31)
      .listFiles(7, files)
      .tree(HEAD)
      .objects(1)
      .firstPublish(7, 31);
    rec = recordRequests();
    const r = await runCli(['review', '--github', 'acme/churn-model#7', '--format', 'json'], { env: ENV });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    gh.assertDone();
    rec.assertAllValid();
    const report = JSON.parse(r.stdout) as { gate: { conclusion: string }; extra: { meta: { source: string; head: string } } };
    expect(report.gate.conclusion).toBe('failure');
    expect(report.extra.meta).toMatchObject({ source: 'github', head: HEAD });
    // The token from the environment, no App authentication.
    expect(rec.requests.some((q) => q.pathname.includes('access_tokens'))).toBe(false);
    expect(rec.requests.filter((q) => q.method === 'POST' && q.pathname.endsWith('/check-runs'))).toHaveLength(1);
  });

  it('says what is wrong, on one line, with exit code 2', async () => {
    let r = await runCli(['review', '--github', 'acme/churn-model#7'], { env: { NO_COLOR: '1' } });
    expect([r.code, r.stderr]).toEqual([2, 'ml-lens: --github needs a token in the GITHUB_TOKEN environment variable\n']);
    r = await runCli(['review', '--github', 'churn-model'], { env: ENV });
    expect([r.code, r.stderr]).toEqual([2, 'ml-lens: --github takes OWNER/REPO#NUMBER (got "churn-model")\n']);
    r = await runCli(['review', '--github', 'acme/churn-model#7', '--base', 'main'], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ml-lens: --github cannot be combined with --base/);

    const gh = new GitHubMock().pull({ number: 7, head: HEAD, base: BASE }).noConfig();
    r = await runCli(['review', '--github', 'acme/churn-model#7'], { env: ENV });
    gh.assertDone();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ml-lens: acme\/churn-model#7: the repository has no \.github\/ml-lens\.yml/);

    const gone = new GitHubMock();
    gone.scope.get('/repos/acme/churn-model/pulls/8').reply(404, { message: 'Not Found' });
    r = await runCli(['review', '--github', 'acme/churn-model#8'], { env: ENV });
    gone.assertDone();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ml-lens: acme/churn-model#8: GitHub answered 404 to GET /repos/acme/churn-model/pulls/8: Not Found\n');
  });

  it('parses OWNER/REPO#N and pull request URLs', () => {
    expect(parsePullRequestRef('acme/churn-model#7')).toEqual({ owner: 'acme', repo: 'churn-model', pullNumber: 7 });
    expect(parsePullRequestRef('https://github.com/acme/churn.model/pull/12')).toEqual({ owner: 'acme', repo: 'churn.model', pullNumber: 12 });
    expect(parsePullRequestRef('acme/churn-model#0')).toBeNull();
    expect(parsePullRequestRef('acme#7')).toBeNull();
  });
});
