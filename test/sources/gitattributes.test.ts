/**
 * Every source reads the head's `.gitattributes` files that bear on the change (the top one and
 * those of folders above a changed file, never through a symbolic link), so that what they mark
 * `linguist-generated` or `linguist-vendored` is left out of the review (src/generated.ts). Over
 * the GitHub API they ride in the query that reads the contents: no request of their own.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeSet, Review } from '../../src/model.js';
import type { ReviewPlan } from '../../src/plan.js';
import { dirChangeSet } from '../../src/sources/dir.js';
import { gitChangeSet } from '../../src/sources/git.js';
import { buildChangeSet, pullRequestChangeSet, pushChangeSet } from '../../src/sources/github.js';
import { GitHubMock } from '../app/github-mock.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { listedFiles, sha, type Files } from '../github/fixtures/repo.js';
import { reviewer, type TestReviewOptions } from '../helpers/engine.js';
import { defaultPlan, tempRepo } from './git-helpers.js';

const TEMPLATE = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Data:\n    Type: AWS::S3::Bucket\n';
const ROOT_ATTRIBUTES = '# tool output\ninfra/gen/** linguist-generated\n';
const MODELS_ATTRIBUTES = 'third/** linguist-vendored\n';

let plan: ReviewPlan;
let review: (changeSet: ChangeSet, options?: TestReviewOptions) => Review;
beforeAll(async () => {
  nock.disableNetConnect();
  plan = await defaultPlan();
  review = await reviewer();
});
afterAll(() => nock.enableNetConnect());

const excluded = (r: Review) => r.stats.notReviewed.map((n) => [n.path, n.reason, n.excluded]);
const EXPECTED = [
  ['infra/gen/stack.yaml', 'left out by default: marked linguist-generated in .gitattributes; name it in paths.include to review it', true],
  ['models/third/stack.yaml', 'left out by default: marked linguist-vendored in models/.gitattributes; name it in paths.include to review it', true],
];

describe('the git source', () => {
  it('reads the top file and those above changed files, not others nor a link, from the head commit', async () => {
    const repo = tempRepo();
    try {
      repo.write({ 'README.md': '# x\n', 'docs/.gitattributes': '*.yaml linguist-generated\n' });
      repo.commit('base');
      repo.git('checkout', '-q', '-b', 'change');
      repo.write({
        '.gitattributes': ROOT_ATTRIBUTES,
        'models/.gitattributes': MODELS_ATTRIBUTES,
        'infra/gen/stack.yaml': TEMPLATE,
        'models/third/stack.yaml': TEMPLATE,
        'infra/own/stack.yaml': TEMPLATE,
        'linked/stack.yaml': TEMPLATE,
      });
      symlinkSync('../docs/.gitattributes', join(repo.dir, 'linked/.gitattributes'));
      repo.commit('change');
      // The working tree is not read: only what is committed.
      writeFileSync(join(repo.dir, '.gitattributes'), '* linguist-generated\n');
      const cs = await gitChangeSet(repo.dir, { base: 'main', head: 'change', plan });
      expect(cs.attributes).toEqual({
        files: [
          { path: '.gitattributes', text: ROOT_ATTRIBUTES },
          { path: 'models/.gitattributes', text: MODELS_ATTRIBUTES },
        ],
      });
      const r = review(cs);
      expect(excluded(r)).toEqual(EXPECTED);
      expect(new Set(r.findings.map((f) => f.path))).toEqual(new Set(['infra/own/stack.yaml', 'linked/stack.yaml']));
    } finally {
      repo.cleanup();
    }
  });
});

describe('the directory source', () => {
  const dirs: string[] = [];
  const tree = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-attr-dir-'));
    dirs.push(dir);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return dir;
  };
  afterEach(() => {
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  });
  const files = {
    '.gitattributes': ROOT_ATTRIBUTES,
    'models/.gitattributes': MODELS_ATTRIBUTES,
    'docs/.gitattributes': '*.yaml linguist-generated\n',
    'infra/gen/stack.yaml': TEMPLATE,
    'infra/own/stack.yaml': TEMPLATE,
    'models/third/stack.yaml': TEMPLATE,
  };

  it('a scan of the repository reads the files above what it reads', async () => {
    const dir = tree(files);
    const cs = await dirChangeSet(['.'], { cwd: dir });
    expect(cs.attributes).toEqual({
      files: [
        { path: '.gitattributes', text: ROOT_ATTRIBUTES },
        { path: 'docs/.gitattributes', text: '*.yaml linguist-generated\n' },
        { path: 'models/.gitattributes', text: MODELS_ATTRIBUTES },
      ],
    });
    expect(cs.scanned).toBeUndefined();
    const r = review(cs);
    expect(excluded(r)).toEqual(EXPECTED);
    expect(r.findings.map((f) => f.path)).toContain('infra/own/stack.yaml');
  });

  it('a scan from a folder of a git repository reads the files above it, up to the top', async () => {
    const dir = tree({ ...files, '.git/HEAD': 'ref: refs/heads/main\n' });
    const cs = await dirChangeSet(['.'], { cwd: join(dir, 'infra') });
    expect(cs.attributes).toEqual({ files: [{ path: '.gitattributes', text: ROOT_ATTRIBUTES }], under: 'infra' });
    expect(cs.files.map((f) => f.path).sort()).toEqual(['gen/stack.yaml', 'own/stack.yaml']);
    expect(excluded(review(cs))).toEqual([['gen/stack.yaml', EXPECTED[0]![1], true]]);
  });

  it('a folder named: its name does not leave it out, its attributes still do; a linked .gitattributes is not read', async () => {
    const dir = tree({ ...files, 'cdk.out/Stack.template.yaml': TEMPLATE, 'cdk.out/gen/x.yaml': TEMPLATE, 'elsewhere.txt': 'cdk.out/** linguist-generated\n' });
    symlinkSync('../elsewhere.txt', join(dir, 'cdk.out/.gitattributes'));
    const cs = await dirChangeSet(['cdk.out', 'infra/gen'], { cwd: dir });
    expect(cs.scanned).toEqual(['cdk.out', 'infra/gen']);
    expect(cs.attributes).toEqual({ files: [{ path: '.gitattributes', text: ROOT_ATTRIBUTES }] });
    const r = review(cs);
    expect(excluded(r)).toEqual([EXPECTED[0]]);
    expect(new Set(r.findings.map((f) => f.path))).toEqual(new Set(['cdk.out/Stack.template.yaml', 'cdk.out/gen/x.yaml']));
  });
});

describe('the GitHub source', () => {
  const HEAD = sha('attributes-head');
  const BASE = sha('attributes-base');
  const target = () => ({ octokit: new Octokit({ auth: 'test', log: { debug() {}, info() {}, warn() {}, error() {} } }), owner: 'acme', repo: 'churn-model' });
  let rec: Recorder | undefined;
  afterEach(() => {
    rec?.stop();
    nock.cleanAll();
  });
  const expressions = (gh: GitHubMock) => gh.graphql.map((q) => Object.entries(q.variables).filter(([k]) => /^e\d+$/.test(k)).map(([, v]) => v.slice(41)));

  it('reads them in the query that reads the contents: no request of their own', async () => {
    const base: Files = { 'README.md': '# x\n', 'docs/.gitattributes': '*.yaml linguist-generated\n' };
    const head: Files = {
      ...base,
      '.gitattributes': ROOT_ATTRIBUTES,
      'models/.gitattributes': MODELS_ATTRIBUTES,
      'linked/.gitattributes': '../docs/.gitattributes',
      'infra/gen/stack.yaml': TEMPLATE,
      'models/third/stack.yaml': TEMPLATE,
      'infra/own/stack.yaml': TEMPLATE,
      'linked/stack.yaml': TEMPLATE,
    };
    const files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
    const gh = new GitHubMock().commit(HEAD, head, { 'linked/.gitattributes': '120000' }).commit(BASE, base).listFiles(1, files).tree(HEAD).objects(1);
    rec = recordRequests();
    const { changeSet } = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan });
    gh.assertDone();
    rec.assertAllValid();
    // listFiles, the tree, one query (the attributes first, then the changed files, then context): as without a .gitattributes.
    expect(rec.count()).toBe(3);
    expect(expressions(gh)).toEqual([['.gitattributes', 'models/.gitattributes', 'infra/gen/stack.yaml', 'infra/own/stack.yaml', 'linked/stack.yaml', 'models/third/stack.yaml', 'README.md']]);
    expect(changeSet.attributes).toEqual({
      files: [
        { path: '.gitattributes', text: ROOT_ATTRIBUTES },
        { path: 'models/.gitattributes', text: MODELS_ATTRIBUTES },
      ],
    });
    const r = review(changeSet);
    expect(excluded(r)).toEqual(EXPECTED);
    expect(new Set(r.findings.map((f) => f.path))).toEqual(new Set(['infra/own/stack.yaml', 'linked/stack.yaml']));
  });

  it('a change of no file a review would list reads none; one whose only listed file is not fetched (too large) costs one query', async () => {
    const head: Files = { '.gitattributes': ROOT_ATTRIBUTES, Dockerfile: 'FROM x\n' };
    let gh = new GitHubMock().commit(HEAD, head).listFiles(1, listedFiles({}, { Dockerfile: head['Dockerfile']! }, { headSha: HEAD })).tree(HEAD);
    rec = recordRequests();
    let r = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan });
    gh.assertDone(); // no GraphQL query at all
    expect(rec.count()).toBe(2);
    expect(r.changeSet.attributes).toBeUndefined();
    rec.stop();

    const big = { ...head, 'infra/gen/big.yaml': `# ${'x'.repeat(1024 * 1024)}\n` };
    gh = new GitHubMock().commit(HEAD, big).listFiles(1, listedFiles({}, { 'infra/gen/big.yaml': big['infra/gen/big.yaml']! }, { headSha: HEAD })).tree(HEAD).objects(1);
    rec = recordRequests();
    r = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan });
    gh.assertDone();
    expect(rec.count()).toBe(3);
    expect(expressions(gh)).toEqual([['.gitattributes']]);
    // Marked generated: left out, rather than a file too large to review that fails the gate.
    expect(excluded(review(r.changeSet))).toEqual([['infra/gen/big.yaml', EXPECTED[0]![1], true]]);
  });

  it('a truncated tree that does not list the top file: it is asked for all the same, in the same query', async () => {
    const head: Files = { '.gitattributes': ROOT_ATTRIBUTES, 'infra/gen/stack.yaml': TEMPLATE };
    const gh = new GitHubMock().commit(HEAD, head).objects(1);
    const tree = { entries: new Map([['infra/gen/stack.yaml', { mode: '100644', type: 'blob', sha: 'x', size: TEMPLATE.length }]]), truncated: true };
    const files = listedFiles({}, { 'infra/gen/stack.yaml': TEMPLATE }, { headSha: HEAD });
    const { changeSet } = await buildChangeSet(target(), { files, headSha: HEAD, tree }, { plan });
    gh.assertDone();
    expect(expressions(gh)).toEqual([['.gitattributes', 'infra/gen/stack.yaml']]);
    expect(changeSet.attributes).toEqual({ files: [{ path: '.gitattributes', text: ROOT_ATTRIBUTES }] });
  });

  it('a push reads them the same way', async () => {
    const head: Files = { '.gitattributes': ROOT_ATTRIBUTES, 'infra/gen/stack.yaml': TEMPLATE };
    const gh = new GitHubMock().commit(HEAD, head).tree(HEAD).objects(1);
    const { changeSet } = await pushChangeSet(target(), { after: HEAD, before: BASE, paths: ['infra/gen/stack.yaml'] }, { plan });
    gh.assertDone();
    expect(expressions(gh)).toEqual([['.gitattributes', 'infra/gen/stack.yaml']]);
    expect(excluded(review(changeSet))).toEqual([EXPECTED[0]]);
  });
});
