/**
 * The GitHub source on its own (an `@octokit/rest` client and nock): what is fetched, in how many
 * requests, and what is reported instead of silently dropped.
 */
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { isArtifactPath } from '../../src/formats/index.js';
import type { ReviewPlan } from '../../src/plan.js';
import { buildChangeSet, objectsQuery, pullRequestChangeSet, readTree } from '../../src/sources/github.js';
import { validateGraphql, recordRequests, type Recorder } from '../github/contract.js';
import { listedFiles, sha, type Files } from '../github/fixtures/repo.js';
import { defaultPlan } from '../sources/git-helpers.js';
import { GitHubMock, GRAPHQL_TEXT_LIMIT } from './github-mock.js';

/** The plan of the built-in catalogue and the default configuration. */
let plan: ReviewPlan;
beforeAll(async () => {
  nock.disableNetConnect();
  plan = await defaultPlan();
});
let rec: Recorder | undefined;
afterEach(() => {
  rec?.stop();
  nock.cleanAll();
});

const HEAD = sha('src-head');
const BASE = sha('src-base');
const octokit = () => new Octokit({ auth: 'test', log: { debug() {}, info() {}, warn() {}, error() {} } });
const target = () => ({ octokit: octokit(), owner: 'acme', repo: 'churn-model' });
const tf = (name: string) => `resource "aws_s3_bucket" "${name}" {\n  bucket = "${name}"\n}\n`;

describe('pullRequestChangeSet', () => {
  it('reports binary, oversized, symlinked and submodule files instead of dropping them, and reads truncated texts as blobs', async () => {
    const big = `# ${'x'.repeat(1024 * 1024)}\n`;
    const mid = `# model card\n${'y'.repeat(GRAPHQL_TEXT_LIMIT + 10)}\n`;
    const head: Files = {
      'infra/a.tf': tf('a'),
      'models/weights.json': `{"w": "\0\0\0"}`,
      'data/huge.json': big,
      'infra/link.tf': '../shared/main.tf',
      'vendor/lib.yaml': 'x: 1\n',
      'modules/shared': 'submodule',
      'model/MODEL_CARD.md': mid,
      'src/train.py': 'print(1)\n',
    };
    const base: Files = { 'infra/a.tf': tf('a0'), 'model/MODEL_CARD.md': '# card\n', 'src/train.py': 'print(0)\n' };
    const files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
    const gh = new GitHubMock()
      .commit(HEAD, head, { 'infra/link.tf': '120000', 'modules/shared': '160000' })
      .commit(BASE, base)
      .listFiles(1, files)
      .tree(HEAD)
      .objects(1)
      .blob(mid);
    rec = recordRequests();
    const config = configSchema.parse({ paths: { exclude: ['vendor/**'] } });
    const { changeSet, patches } = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan: await defaultPlan(config) });
    gh.assertDone();
    rec.assertAllValid();
    const by = new Map(changeSet.files.map((f) => [f.path, f]));
    expect(by.get('infra/a.tf')).toMatchObject({ status: 'modified', head: tf('a'), base: tf('a0') });
    expect(by.get('models/weights.json')).toMatchObject({ skipped: 'binary file', head: null });
    expect(by.get('data/huge.json')!.skipped).toMatch(/^larger than 1 MB/);
    expect(by.get('infra/link.tf')!.skipped).toBe('symbolic link');
    expect(by.get('modules/shared')!.skipped).toBe('submodule');
    expect(by.get('model/MODEL_CARD.md')!.head).toBe(mid); // read again through git.getBlob
    expect(by.has('vendor/lib.yaml')).toBe(false); // paths.exclude
    // Python is read (boto3 SageMaker calls are a kind; other ML code not read yet is said), both sides.
    expect(by.get('src/train.py')).toMatchObject({ head: 'print(1)\n', base: 'print(0)\n' });
    expect(by.get('src/train.py')!.skipped).toBeUndefined();
    expect(patches.get('infra/a.tf')).toMatch(/^@@ /);
    // What was fetched: nothing oversized, symlinked, excluded or a submodule.
    const fetched = gh.graphql.flatMap((q) => Object.entries(q.variables).filter(([k]) => /^e\d+$/.test(k)).map(([, v]) => v.slice(41)));
    expect(fetched.sort()).toEqual(['infra/a.tf', 'infra/a.tf', 'model/MODEL_CARD.md', 'model/MODEL_CARD.md', 'models/weights.json', 'src/train.py', 'src/train.py']);
  });

  it('reads renamed files\' base under the old name, removed files from the base only', async () => {
    const base: Files = { 'infra/old.tf': tf('x'), 'infra/gone.tf': tf('g') };
    const head: Files = { 'infra/new.tf': tf('x') + '# moved\n' };
    const files = listedFiles(base, head, { headSha: HEAD, renames: { 'infra/old.tf': 'infra/new.tf' }, patch: 'whole' });
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).listFiles(1, files).tree(HEAD).objects(1);
    const { changeSet } = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan });
    gh.assertDone();
    const by = new Map(changeSet.files.map((f) => [f.path, f]));
    expect(by.get('infra/new.tf')).toMatchObject({ status: 'renamed', previousPath: 'infra/old.tf', base: tf('x'), head: tf('x') + '# moved\n' });
    expect(by.get('infra/gone.tf')).toMatchObject({ status: 'removed', head: null, base: tf('g') });
    // Each side's tree: the base had the old name and the removed file, not the new name.
    expect(changeSet.trees).toEqual({ head: ['infra/new.tf'], base: ['infra/gone.tf', 'infra/old.tf'] });
  });

  it('batches contents: at most 300 files (head and base) a query, and never one request a file', async () => {
    const base: Files = {};
    const head: Files = {};
    for (let i = 0; i < 720; i++) {
      base[`infra/b${i}.tf`] = tf(`b${i}`);
      head[`infra/b${i}.tf`] = tf(`h${i}`);
    }
    const files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
    const gh = new GitHubMock().commit(HEAD, head).commit(BASE, base).commit('main', base).listFiles(1, files).tree(HEAD).objects(3);
    rec = recordRequests();
    const { changeSet, extras } = await pullRequestChangeSet(
      target(),
      { number: 1, headSha: HEAD, baseSha: BASE },
      { plan, extras: { ref: 'main', dirs: ['.github/ml-lens/rules'], files: ['CODEOWNERS'] } },
    );
    gh.assertDone();
    rec.assertAllValid();
    expect(rec.count()).toBe(8 + 1 + 3); // 8 pages of the file list, the tree, 3 queries
    expect(gh.graphql.map((q) => Object.keys(q.variables).filter((k) => /^e\d+$/.test(k)).length)).toEqual([2 + 600, 600, 240]);
    expect(changeSet.files.every((f) => f.head !== null && f.base !== null)).toBe(true);
    expect(extras.dirs.get('.github/ml-lens/rules')).toBeNull();
    expect(extras.files.get('CODEOWNERS')).toBeNull();
  });

  it('reads unchanged files of the kinds repository rules read as context, capped; context.complete says whether all were read', async () => {
    const head: Files = { 'infra/changed.tf': tf('c') };
    for (let i = 0; i < 30; i++) head[`infra/ctx${String(i).padStart(2, '0')}.tf`] = tf(`ctx${i}`);
    head['src/app.py'] = 'x = 1\n';
    const files = listedFiles({}, { 'infra/changed.tf': head['infra/changed.tf']! }, { headSha: HEAD, patch: 'whole' });

    let gh = new GitHubMock().commit(HEAD, head).listFiles(1, files).tree(HEAD).objects(1);
    let r = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan });
    gh.assertDone();
    expect(r.changeSet.context.files).toHaveLength(30);
    expect(r.changeSet.context.complete).toBe(true);
    expect(r.changeSet.trees.head).toContain('src/app.py');

    gh = new GitHubMock().commit(HEAD, head).listFiles(1, files).tree(HEAD).objects(1);
    r = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE }, { plan: { ...plan, context: { ...plan.context, maxRemoteFiles: 10 } } });
    gh.assertDone();
    expect(r.changeSet.context.files.map((c) => c.path)).toEqual(Array.from({ length: 10 }, (_, i) => `infra/ctx${String(i).padStart(2, '0')}.tf`));
    expect(r.changeSet.context.complete).toBe(false);
  });

  it('counts the files GitHub did not list as truncated, and then cannot claim a complete context', async () => {
    const head: Files = { 'infra/a.tf': tf('a') };
    const files = listedFiles({}, head, { headSha: HEAD, patch: 'whole' });
    const gh = new GitHubMock().commit(HEAD, head).listFiles(1, files).tree(HEAD).objects(1);
    const { changeSet } = await pullRequestChangeSet(target(), { number: 1, headSha: HEAD, baseSha: BASE, changedFiles: 3100 }, { plan });
    gh.assertDone();
    expect(changeSet.truncated).toBe(3099);
    expect(changeSet.context.complete).toBe(false);
  });

  it('a truncated tree makes the context incomplete', async () => {
    const head: Files = { 'infra/a.tf': tf('a') };
    const gh = new GitHubMock().commit(HEAD, head).tree(HEAD, { truncated: true });
    const tree = await readTree(target(), HEAD);
    gh.assertDone();
    const gh2 = new GitHubMock().commit(HEAD, head).objects(1);
    const { changeSet } = await buildChangeSet(target(), { files: [], headSha: HEAD, tree }, { plan });
    gh2.assertDone();
    expect(changeSet.context.complete).toBe(false);
    expect(changeSet.context.files.map((c) => c.path)).toEqual(['infra/a.tf']);
  });
});

describe('the GraphQL document', () => {
  it('is valid against GitHub\'s schema, with blob and folder objects, and passes expressions as variables', () => {
    const specs = [{ expression: `${HEAD}:infra/a "b".tf` }, { expression: 'main:.github/ml-lens/rules', tree: true }];
    const query = objectsQuery(specs);
    expect(query).not.toContain('infra/a');
    expect(validateGraphql(query, { owner: 'acme', name: 'churn-model', e0: specs[0]!.expression, e1: specs[1]!.expression })).toEqual([]);
  });

  it('kinds: only paths an artifact kind could accept, or ML code it must say it did not read, are fetched', () => {
    for (const p of ['main.tf', 'x.tf.json', 'a.yaml', 'b.yml', 'c.json', 'pipeline.json.tpl', 'README.md', 'MLproject', 'stack.template', 'flow.asl']) {
      expect(isArtifactPath(p)).toBe(true);
    }
    for (const p of ['train.py', 'notebook.ipynb', 'cdk/stack.ts', 'scripts/train.sh']) expect(isArtifactPath(p)).toBe(true);
    for (const p of ['Dockerfile', 'model.pkl', 'requirements.txt', 'logo.png', 'types.d.ts']) expect(isArtifactPath(p)).toBe(false);
  });
});
