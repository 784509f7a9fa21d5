/**
 * A review job run again after its worker died (the Redis queue's `control.resumed`): the check
 * run the dead run left `in_progress` on the head, for the same pull request, is taken over, so
 * the pull request ends with one check run concluded and none left spinning. Without one, a new
 * check run is created as usual. A job that was not resumed never asks (no extra request).
 */
import { Octokit } from '@octokit/rest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reviewPullRequest } from '../../src/jobs/review-pull-request.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { exampleRepo, listedFiles, sha } from '../github/fixtures/repo.js';
import { API, GitHubMock } from './github-mock.js';
import { resetNock, setupNock } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const { base, head } = exampleRepo();
const CONFIG = base['.github/ml-lens.yml']!;
const files = listedFiles(base, head, { headSha: HEAD });

beforeAll(() => setupNock());
let recorder: Recorder | undefined;
afterEach(() => {
  recorder?.stop();
  resetNock();
});

/** The reads and the publish of a review of PR 7, its check run `checkRunId`. */
function mocks(checkRunId: number): GitHubMock {
  return new GitHubMock()
    .commit(HEAD, head)
    .commit(BASE, base)
    .commit('main', base)
    .config(CONFIG)
    .listFiles(PR, files)
    .tree(HEAD)
    .objects(1)
    .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
    .firstPublish(PR, checkRunId);
}

function openRuns(gh: GitHubMock, runs: { id: number; external_id: string }[]): void {
  gh.scope
    .get(`${gh.base}/commits/${HEAD}/check-runs`)
    .query({ check_name: 'ML Lens', status: 'in_progress', filter: 'all', per_page: '100' })
    .reply(200, { total_count: runs.length, check_runs: runs.map((r) => ({ ...r, name: 'ML Lens', status: 'in_progress', head_sha: HEAD })) });
}

async function review(gh: GitHubMock, resumed: boolean) {
  recorder = recordRequests();
  const octokit = new Octokit({ baseUrl: API, request: { retries: 0 } });
  const r = await reviewPullRequest(
    { octokit, owner: gh.owner, repo: gh.repo },
    { pullNumber: PR, headSha: HEAD, pr: { headSha: HEAD, baseSha: BASE, changedFiles: files.length }, defaultBranch: 'main', trigger: 'opened' },
    { control: { superseded: false, signal: new AbortController().signal, resumed }, retry: { sleep: async () => {} } },
  );
  gh.assertDone();
  recorder.assertAllValid();
  return r;
}

describe('a review job run again after its worker died', () => {
  it('takes over the check run the dead run left in progress for this pull request: no second check run', async () => {
    const gh = mocks(4444);
    // Another pull request's run on the same commit is not ours to take.
    openRuns(gh, [{ id: 4445, external_id: 'pr:8' }, { id: 4444, external_id: 'pr:7' }]);
    const r = await review(gh, true);
    expect(r).toMatchObject({ outcome: 'published', checkRunId: 4444 });
    expect(recorder!.requests.filter((q) => q.method === 'POST' && /check-runs$/.test(q.pathname))).toEqual([]);
    expect(recorder!.requests.filter((q) => q.method === 'PATCH').map((q) => q.pathname)).toEqual([`${gh.base}/check-runs/4444`]);
  });

  it('none left in progress: creates its check run as usual', async () => {
    const gh = mocks(9001).checkCreate(9001);
    openRuns(gh, [{ id: 4445, external_id: 'pr:8' }]);
    expect(await review(gh, true)).toMatchObject({ outcome: 'published', checkRunId: 9001 });
  });

  it('a job that was not resumed does not look', async () => {
    const gh = mocks(9001).checkCreate(9001);
    expect(await review(gh, false)).toMatchObject({ outcome: 'published', checkRunId: 9001 });
    expect(recorder!.requests.some((q) => q.method === 'GET' && /check-runs/.test(q.pathname))).toBe(false);
  });
});
