import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { loadRemoteConfig, mergeConfig } from '../../src/config/remote.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { GitHubMock } from './github-mock.js';

beforeAll(() => nock.disableNetConnect());
let rec: Recorder | undefined;
afterEach(() => {
  rec?.stop();
  nock.cleanAll();
});

const octokit = () => new Octokit({ auth: 'test', log: { debug() {}, info() {}, warn() {}, error() {} } });

async function problems(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRemoteConfig', () => {
  it('reads the repository\'s own file from the default branch (raw), and validates it', async () => {
    const gh = new GitHubMock().config('gate: { fail_on: critical }\n');
    rec = recordRequests();
    const r = await loadRemoteConfig(octokit(), 'acme', 'churn-model');
    gh.assertDone();
    rec.assertAllValid();
    expect(r!.config.gate.fail_on).toBe('critical');
    expect(r!.config.comments.max_inline).toBe(25);
    expect(r!.sources).toEqual(['acme/churn-model:.github/ml-lens.yml']);
    expect(rec.requests[0]!.query).toEqual({});
  });

  it('an empty file gives the defaults; no file anywhere gives null', async () => {
    let gh = new GitHubMock().config('');
    expect((await loadRemoteConfig(octokit(), 'acme', 'churn-model'))!.config.gate.fail_on).toBe('high');
    gh.assertDone();
    gh = new GitHubMock().noConfig();
    expect(await loadRemoteConfig(octokit(), 'acme', 'churn-model')).toBeNull();
    gh.assertDone();
  });

  it('the .github repository itself does not fall back to itself', async () => {
    const gh = new GitHubMock('acme', '.github').config(null);
    expect(await loadRemoteConfig(octokit(), 'acme', '.github')).toBeNull();
    gh.assertDone();
  });

  it('follows _extends chains; mappings merge, lists and values of the extending file win', async () => {
    const gh = new GitHubMock()
      .config('_extends: policies\npaths: { exclude: ["legacy/**"] }\ngate: { min_score: 40 }\n')
      .config('_extends: platform/shared:ml/lens.yml\ngate: { fail_on: medium }\npaths: { include: ["infra/**"], exclude: ["vendor/**"] }\n', { repo: 'policies' })
      .config('comments: { inline: false }\ngate: { fail_on: critical, min_score: 10 }\n', { owner: 'platform', repo: 'shared', path: 'ml/lens.yml' });
    const r = await loadRemoteConfig(octokit(), 'acme', 'churn-model');
    gh.assertDone();
    expect(r!.config.gate).toEqual({ fail_on: 'medium', min_score: 40, only_new: true, fail_on_unreviewed: true });
    expect(r!.config.paths).toEqual({ include: ['infra/**'], exclude: ['legacy/**'] });
    expect(r!.config.comments.inline).toBe(false);
    expect(r!.sources).toEqual(['platform/shared:ml/lens.yml', 'acme/policies:.github/ml-lens.yml', 'acme/churn-model:.github/ml-lens.yml']);
  });

  it('reports loops, missing targets and bad _extends values as problems of the file', async () => {
    let gh = new GitHubMock().config('_extends: a\n').config('_extends: churn-model\n', { repo: 'a' });
    expect(await problems(loadRemoteConfig(octokit(), 'acme', 'churn-model'))).toEqual([
      'acme/a:.github/ml-lens.yml: _extends: acme/churn-model:.github/ml-lens.yml is already part of the chain (a loop)',
    ]);
    gh.assertDone();
    gh = new GitHubMock().config('_extends: nowhere\n').config(null, { repo: 'nowhere' });
    expect(await problems(loadRemoteConfig(octokit(), 'acme', 'churn-model'))).toEqual([
      '_extends: acme/nowhere:.github/ml-lens.yml does not exist (or the App cannot read it)',
    ]);
    gh.assertDone();
    gh = new GitHubMock().config('_extends: [1, 2]\n');
    expect(await problems(loadRemoteConfig(octokit(), 'acme', 'churn-model'))).toEqual(['_extends: expected "repo", "owner/repo" or "owner/repo:path.yml"']);
    gh.assertDone();
  });

  it('names every wrong key of every file, and YAML errors with their line', async () => {
    let gh = new GitHubMock().config('_extends: .github\ngate: { fail_on: urgent }\n').config('comments: { max_inline: 500 }\nbogus: 1\n', { repo: '.github' });
    expect(await problems(loadRemoteConfig(octokit(), 'acme', 'churn-model'))).toEqual([
      'acme/churn-model:.github/ml-lens.yml: gate.fail_on: expected one of critical|high|medium|low|info, got "urgent"',
      expect.stringMatching(/^acme\/\.github:\.github\/ml-lens\.yml: comments\.max_inline: expected a number <= 100/),
      expect.stringMatching(/^acme\/\.github:\.github\/ml-lens\.yml: bogus: unknown key/),
    ]);
    gh.assertDone();
    gh = new GitHubMock().config('gate: [\n');
    expect((await problems(loadRemoteConfig(octokit(), 'acme', 'churn-model')))[0]).toMatch(/^line \d+: /);
    gh.assertDone();
  });

  it('a folder at the path is a problem, and GitHub errors propagate', async () => {
    const gh = new GitHubMock();
    gh.scope.get('/repos/acme/churn-model/contents/.github%2Fml-lens.yml').reply(200, [{ name: 'x', type: 'file' }]);
    expect(await problems(loadRemoteConfig(octokit(), 'acme', 'churn-model'))).toEqual(['is a directory or a submodule, not a file']);
    gh.scope.get('/repos/acme/churn-model/contents/.github%2Fml-lens.yml').reply(500, { message: 'boom' });
    await expect(loadRemoteConfig(octokit(), 'acme', 'churn-model')).rejects.toMatchObject({ status: 500 });
    gh.assertDone();
  });
});

describe('mergeConfig', () => {
  it('merges mappings key by key and lets the extending side replace lists and values', () => {
    expect(mergeConfig({ a: { b: 1, c: [1] }, d: 1, _extends: 'x' }, { a: { c: [2] }, d: 2, _extends: 'y' })).toEqual({ a: { b: 1, c: [2] }, d: 2 });
  });
});
