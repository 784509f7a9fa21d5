/**
 * Requests are counted by the client's request hook: every REST call, GraphQL query and page,
 * scoped to one publish, never leaking into the next nor counted twice.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { countRequests } from '../../src/publish/github/request-count.js';
import { listAll } from '../../src/publish/github/common.js';
import { API, REPO_PATH, target, useGitHub } from './helpers.js';

useGitHub();
const ISSUE = `${REPO_PATH}/issues/1`;

describe('countRequests', () => {
  it('counts REST calls, GraphQL queries and each page of a list', async () => {
    const gh = target();
    const page2 = `${API}${REPO_PATH}/labels?per_page=100&page=2`;
    nock(API)
      .get(ISSUE)
      .reply(200, { number: 1 })
      .post('/graphql')
      .reply(200, { data: { viewer: { login: 'x' } } })
      .get(`${REPO_PATH}/labels`)
      .query({ per_page: '100' })
      .reply(200, [{ name: 'a' }], { link: `<${page2}>; rel="next", <${page2}>; rel="last"` })
      .get(`${REPO_PATH}/labels`)
      .query({ per_page: '100', page: '2' })
      .reply(200, [{ name: 'b' }]);
    const { result, requests } = await countRequests(gh.octokit, async () => {
      await gh.octokit.rest.issues.get({ owner: gh.owner, repo: gh.repo, issue_number: 1 });
      await gh.octokit.graphql('query { viewer { login } }');
      return listAll<{ name: string }>(gh, gh.octokit.rest.issues.listLabelsForRepo, { owner: gh.owner, repo: gh.repo });
    });
    expect(result.map((l) => l.name)).toEqual(['a', 'b']);
    expect(requests).toBe(4);
  });

  it('counts a failed request, and nothing made outside a scope', async () => {
    const gh = target();
    nock(API).get(ISSUE).times(2).reply(404, { message: 'Not Found' });
    await gh.octokit.rest.issues.get({ owner: gh.owner, repo: gh.repo, issue_number: 1 }).catch(() => undefined);
    const { requests } = await countRequests(gh.octokit, () => gh.octokit.rest.issues.get({ owner: gh.owner, repo: gh.repo, issue_number: 1 }).catch(() => undefined));
    expect(requests).toBe(1);
  });

  it('starts every publish with the same client from zero and attaches its hook once', async () => {
    const gh = target();
    nock(API).get(ISSUE).times(5).reply(200, { number: 1 });
    const get = () => gh.octokit.rest.issues.get({ owner: gh.owner, repo: gh.repo, issue_number: 1 });
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) counts.push((await countRequests(gh.octokit, async () => void (await get()))).requests);
    const twice = await countRequests(gh.octokit, async () => {
      await get();
      await get();
    });
    expect([...counts, twice.requests]).toEqual([1, 1, 1, 2]);
  });

  it('keeps two publishes running at once on one client apart, and an enclosing scope counts both', async () => {
    const gh = target();
    nock(API).get(ISSUE).times(5).delay(20).reply(200, { number: 1 });
    const get = () => gh.octokit.rest.issues.get({ owner: gh.owner, repo: gh.repo, issue_number: 1 });
    const outer = await countRequests(gh.octokit, async () => {
      const [a, b] = await Promise.all([
        countRequests(gh.octokit, async () => void (await Promise.all([get(), get(), get()]))),
        countRequests(gh.octokit, async () => void (await get())),
      ]);
      await get();
      return [a.requests, b.requests];
    });
    expect(outer.result).toEqual([3, 1]);
    expect(outer.requests).toBe(5);
  });
});
