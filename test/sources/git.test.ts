import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { ReviewPlan } from '../../src/plan.js';
import { BINARY_REASON } from '../../src/sources/files.js';
import { defaultBranch, GitError, gitChangeSet, parseRaw, splitPatch } from '../../src/sources/git.js';
import { defaultPlan, tempRepo, testGitEnv, type TempRepo } from './git-helpers.js';

/** The plan of the built-in catalogue and the default configuration. */
let plan: ReviewPlan;
beforeAll(async () => {
  plan = await defaultPlan();
});

const ENDPOINT = `resource "aws_sagemaker_endpoint_configuration" "main" {
  name = "churn"

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = "churn"
    instance_type          = "ml.m5.xlarge"
    initial_instance_count = 2
  }
}
`;

const repos: TempRepo[] = [];
function repo(branch = 'main'): TempRepo {
  const r = tempRepo(branch);
  repos.push(r);
  return r;
}
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
});

describe('gitChangeSet', () => {
  it('lists added, modified and removed files with head and base texts and patches', async () => {
    const r = repo();
    r.write({ 'infra/endpoint.tf': ENDPOINT, 'old.yaml': 'a: 1\n', 'README.md': '# x\n' });
    const base = r.commit('base');
    r.git('checkout', '-q', '-b', 'change');
    r.write({ 'infra/endpoint.tf': ENDPOINT.replace('= 2', '= 1'), 'new.json': '{"a": 1}\n' });
    r.remove('old.yaml');
    const head = r.commit('change');

    const cs = await gitChangeSet(r.dir, { plan });
    expect(cs.meta).toEqual({ source: 'git', base, head });
    const byPath = new Map(cs.files.map((f) => [f.path, f]));
    expect([...byPath.keys()].sort()).toEqual(['infra/endpoint.tf', 'new.json', 'old.yaml']);

    const mod = byPath.get('infra/endpoint.tf')!;
    expect(mod.status).toBe('modified');
    expect(mod.base).toBe(ENDPOINT);
    expect(mod.head).toContain('initial_instance_count = 1');
    expect(mod.patch).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(mod.patch).toContain('-    initial_instance_count = 2');
    expect(mod.patch).toContain('+    initial_instance_count = 1');

    expect(byPath.get('new.json')).toMatchObject({ status: 'added', base: null, head: '{"a": 1}\n' });
    expect(byPath.get('old.yaml')).toMatchObject({ status: 'removed', head: null, base: 'a: 1\n' });
    expect([...cs.trees.head].sort()).toEqual(['README.md', 'infra/endpoint.tf', 'new.json']);
    // The base side's tree: what the change added is not there, what it removed is.
    expect([...cs.trees.base].sort()).toEqual(['README.md', 'infra/endpoint.tf', 'old.yaml']);
  });

  it('detects renames: previousPath set, base text from the old path', async () => {
    const r = repo();
    r.write({ 'infra/endpoint.tf': ENDPOINT });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'rename');
    r.git('mv', 'infra/endpoint.tf', 'infra/sagemaker.tf');
    r.write({ 'infra/sagemaker.tf': ENDPOINT.replace('"churn"\n', '"churn-v2"\n') });
    r.commit('rename');

    const cs = await gitChangeSet(r.dir, { plan, base: 'main' });
    expect(cs.files).toHaveLength(1);
    const f = cs.files[0]!;
    expect(f).toMatchObject({ path: 'infra/sagemaker.tf', previousPath: 'infra/endpoint.tf', status: 'renamed', base: ENDPOINT });
    expect(f.head).toContain('churn-v2');
  });

  it('skips binary and oversized files and says why', async () => {
    const r = repo();
    r.write({ 'keep.tf': 'variable "x" {}\n' });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'big');
    const binary = Buffer.concat([Buffer.from('weights'), Buffer.alloc(16), Buffer.from('more')]);
    r.write({
      'model/model.bin': binary,
      'data/huge.json': `[${'1,'.repeat(600_000)}1]`,
      'small.tf': 'variable "y" {}\n',
    });
    r.commit('add');

    const cs = await gitChangeSet(r.dir, { plan });
    const byPath = new Map(cs.files.map((f) => [f.path, f]));
    expect(byPath.get('model/model.bin')).toMatchObject({ skipped: BINARY_REASON, head: null, base: null });
    expect(byPath.get('data/huge.json')?.skipped).toMatch(/^larger than 1 MB/);
    expect(byPath.get('data/huge.json')?.head).toBeNull();
    expect(byPath.get('small.tf')).toMatchObject({ head: 'variable "y" {}\n' });
    expect(byPath.get('small.tf')?.skipped).toBeUndefined();
  });

  it('defaults the base to the merge base with the default branch, like a pull request', async () => {
    const r = repo();
    r.write({ 'a.tf': 'variable "a" {}\n' });
    const forkPoint = r.commit('base');
    r.git('checkout', '-q', '-b', 'feature');
    r.write({ 'feature.tf': 'variable "f" {}\n' });
    r.commit('feature');
    // main moves on after the branch was cut: its changes are not part of the pull request.
    r.git('checkout', '-q', 'main');
    r.write({ 'a.tf': 'variable "a2" {}\n', 'main-only.tf': 'variable "m" {}\n' });
    r.commit('main moves');
    r.git('checkout', '-q', 'feature');

    const cs = await gitChangeSet(r.dir, { plan });
    expect(cs.meta.base).toBe(forkPoint);
    expect(cs.files.map((f) => [f.path, f.status])).toEqual([['feature.tf', 'added']]);
    // Explicit base: the same three-dot semantics.
    const explicit = await gitChangeSet(r.dir, { plan, base: 'main', head: 'feature' });
    expect(explicit.files.map((f) => f.path)).toEqual(['feature.tf']);
    expect(explicit.meta.base).toBe(forkPoint);
  });

  it('finds the default branch: origin/HEAD, else main, else master, else a one-line error', async () => {
    const m = repo('master');
    m.write({ 'x.tf': '' });
    m.commit('x');
    expect(await defaultBranch(m.dir)).toBe('master');

    const o = repo('trunk');
    o.write({ 'x.tf': '' });
    o.commit('x');
    await expect(defaultBranch(o.dir)).rejects.toThrow(/no default branch found .*pass --base REF/);
    o.git('update-ref', 'refs/remotes/origin/trunk', 'HEAD');
    o.git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    expect(await defaultBranch(o.dir)).toBe('origin/trunk');
  });

  it('gives unchanged files of the kinds repository rules read as context, and says when it had to cut', async () => {
    const r = repo();
    r.write({
      'infra/monitoring.tf': 'resource "aws_sagemaker_monitoring_schedule" "m" {}\n',
      'pipelines/p.json': '{}\n',
      'src/train.py': 'print(1)\n',
      'MLproject': 'name: x\n',
    });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'c');
    r.write({ 'infra/endpoint.tf': ENDPOINT });
    r.commit('c');

    const cs = await gitChangeSet(r.dir, { plan });
    // MLproject is not read: no repository rule of the catalogue reads an MLflow project.
    expect(cs.context.files.map((c) => c.path)).toEqual(['infra/monitoring.tf', 'pipelines/p.json']);
    expect(cs.context.complete).toBe(true);
    expect(cs.context.kinds).toEqual([...plan.context.kinds]);
    expect(cs.context.files.find((c) => c.path === 'infra/monitoring.tf')!.text).toContain('aws_sagemaker_monitoring_schedule');

    const capped = await gitChangeSet(r.dir, { plan: { ...plan, context: { ...plan.context, maxFiles: 1 } } });
    expect(capped.context.files).toHaveLength(1);
    expect(capped.context.complete).toBe(false);

    // A plan whose rules read nothing beyond the change reads no context, and misses nothing.
    const none = await gitChangeSet(r.dir, { plan: { ...plan, context: { ...plan.context, kinds: new Set() } } });
    expect(none.context).toEqual({ kinds: [], files: [], complete: true });
  });

  it('applies paths.include / paths.exclude of the configuration', async () => {
    const r = repo();
    r.write({ 'x.tf': '' });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'c');
    r.write({ 'vendor/mod/main.tf': 'variable "v" {}\n', 'infra/main.tf': 'variable "i" {}\n', '.github/workflows/ci.yml': 'on: push\n' });
    r.commit('c');
    const config = configSchema.parse({ paths: { exclude: ['vendor/**'] } });
    const cs = await gitChangeSet(r.dir, { plan: await defaultPlan(config) });
    expect(cs.files.map((f) => f.path).sort()).toEqual(['.github/workflows/ci.yml', 'infra/main.tf']);
    // The tree still lists every path.
    expect(cs.trees.head).toContain('vendor/mod/main.tf');
  });

  it('reads committed content only, never the working tree', async () => {
    const r = repo();
    r.write({ 'a.tf': 'variable "a" {}\n' });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'c');
    r.write({ 'a.tf': 'variable "committed" {}\n' });
    r.commit('c');
    r.write({ 'a.tf': 'variable "uncommitted" {}\n' });
    const cs = await gitChangeSet(r.dir, { plan });
    expect(cs.files[0]!.head).toBe('variable "committed" {}\n');
  });

  it('does not run repository-configured programs (external diff, textconv, hooks)', async () => {
    const r = repo();
    r.write({ 'a.tf': 'variable "a" {}\n', '.gitattributes': '*.tf diff=evil\n' });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'c');
    r.write({ 'a.tf': 'variable "b" {}\n' });
    r.commit('c');
    const marker = `${r.dir}/pwned`;
    r.git('config', 'diff.external', `touch ${marker}`);
    r.git('config', 'diff.evil.textconv', `touch ${marker}; cat`);
    r.git('config', 'core.fsmonitor', `touch ${marker}`);
    const cs = await gitChangeSet(r.dir, { plan });
    expect(cs.files[0]!.patch).toContain('+variable "b" {}');
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('does not run programs configured for submodule diffs, diff drivers, filters or the pager', async () => {
    const inner = repo();
    inner.write({ 'x.txt': 'one\n' });
    inner.commit('one');
    const r = repo();
    r.write({ 'a.tf': 'variable "a" {}\n', '.gitattributes': '*.tf diff=evil filter=evil\n' });
    r.git('-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', inner.dir, 'sub');
    const base = r.commit('base');
    inner.write({ 'x.txt': 'two\n' });
    inner.commit('two');
    r.git('-C', 'sub', '-c', 'protocol.file.allow=always', 'pull', '-q', 'origin', 'main');
    r.write({ 'a.tf': 'variable "b" {}\n' });
    const head = r.commit('c');
    const marker = `${r.dir}/pwned`;
    // `diff.submodule=diff` runs git diff inside the submodule, with the submodule's configuration.
    r.git('config', 'diff.submodule', 'diff');
    r.git('-C', 'sub', 'config', 'diff.external', `sh -c 'touch ${marker}'`);
    r.git('config', 'diff.evil.command', `touch ${marker}`);
    r.git('config', 'filter.evil.clean', `touch ${marker}; cat`);
    r.git('config', 'filter.evil.smudge', `touch ${marker}; cat`);
    r.git('config', 'core.pager', `touch ${marker}; cat`);
    r.git('config', 'pager.diff', `touch ${marker}; cat`);

    const { spawnSync } = await import('node:child_process');
    const { existsSync, rmSync } = await import('node:fs');
    spawnSync('git', ['diff', base, head], { cwd: r.dir, env: testGitEnv() });
    expect(existsSync(marker)).toBe(true); // the attack is real with plain git
    rmSync(marker);

    const cs = await gitChangeSet(r.dir, { plan, base, head });
    expect(cs.files.map((f) => f.path).sort()).toEqual(['a.tf', 'sub']);
    expect(cs.files.find((f) => f.path === 'a.tf')!.patch).toContain('+variable "b" {}');
    expect(cs.files.find((f) => f.path === 'sub')!.skipped).toBe('submodule');
    expect(existsSync(marker)).toBe(false);
  });

  it('fails with one-line reasons', async () => {
    const r = repo();
    await expect(gitChangeSet(r.dir, { plan, base: 'main' })).rejects.toThrow(GitError); // no commits yet
    r.write({ 'a.tf': '' });
    r.commit('a');
    await expect(gitChangeSet(r.dir, { plan, base: 'nope' })).rejects.toThrow('base ref "nope" does not name a commit');
    await expect(gitChangeSet(r.dir, { plan, base: '--output=/tmp/x' })).rejects.toThrow('is not a valid ref');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { rmSync } = await import('node:fs');
    const plain = mkdtempSync(join(tmpdir(), 'ml-lens-plain-'));
    try {
      await expect(gitChangeSet(plain, { plan })).rejects.toThrow(/is not a git repository/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    r.git('checkout', '-q', '--orphan', 'other');
    r.commit('unrelated');
    await expect(gitChangeSet(r.dir, { plan, base: 'main' })).rejects.toThrow('main and HEAD have no common ancestor');
  });
});

describe('git output parsers', () => {
  it('parses --raw -z output including renames', () => {
    const sha = (c: string) => c.repeat(40);
    const out =
      `:100644 100644 ${sha('a')} ${sha('b')} M\0m.tf\0` +
      `:000000 100644 ${sha('0')} ${sha('c')} A\0new file.tf\0` +
      `:100644 100644 ${sha('d')} ${sha('e')} R087\0old.tf\0ne\tw.tf\0`;
    expect(parseRaw(out)).toEqual([
      { srcMode: '100644', dstMode: '100644', srcSha: sha('a'), dstSha: sha('b'), status: 'modified', path: 'm.tf' },
      { srcMode: '000000', dstMode: '100644', srcSha: sha('0'), dstSha: sha('c'), status: 'added', path: 'new file.tf' },
      { srcMode: '100644', dstMode: '100644', srcSha: sha('d'), dstSha: sha('e'), status: 'renamed', path: 'ne\tw.tf', previousPath: 'old.tf' },
    ]);
  });

  it('splits a multi-file patch into hunks per file', () => {
    const patch = [
      'diff --git a/a b/a',
      'index 1..2 100644',
      '--- a/a',
      '+++ b/a',
      '@@ -1 +1 @@',
      '-x',
      '+y',
      'diff --git a/bin b/bin',
      'Binary files a/bin and b/bin differ',
      '',
    ].join('\n');
    expect(splitPatch(patch, 2)).toEqual(['@@ -1 +1 @@\n-x\n+y', undefined]);
    expect(splitPatch(patch, 3)).toBeUndefined();
  });
});
