import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { isArtifactPath } from '../../src/formats/index.js';
import { KINDS } from '../../src/model.js';
import { pathFilter } from '../../src/plan.js';
import { dirChangeSet, SourceError } from '../../src/sources/dir.js';
import { isBinary, readableText } from '../../src/sources/files.js';

const dirs: string[] = [];
function tree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ml-lens-dir-'));
  dirs.push(dir);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return dir;
}
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

describe('dirChangeSet', () => {
  it('reads every file as added, skipping .git, node_modules, binaries and large files', async () => {
    const dir = tree({
      'infra/main.tf': 'variable "x" {}\n',
      '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
      '.git/config': '[core]\n',
      'node_modules/pkg/index.json': '{}',
      'web/node_modules/pkg/a.yaml': 'a: 1',
      'model/weights.bin': Buffer.from([1, 2, 0, 3]),
      'data/big.json': 'x'.repeat(1024 * 1024 + 1),
    });
    const cs = await dirChangeSet(['.'], { cwd: dir });
    expect(cs.meta).toEqual({ source: 'dir' });
    expect(cs.context).toEqual({ kinds: [...KINDS], files: [], complete: true });
    // Every file of the scan is added: the base side had none of them.
    expect(cs.trees).toEqual({ head: ['.github/workflows/ci.yml', 'data/big.json', 'infra/main.tf', 'model/weights.bin'], base: [] });
    const byPath = new Map(cs.files.map((f) => [f.path, f]));
    expect(byPath.get('infra/main.tf')).toEqual({ path: 'infra/main.tf', status: 'added', head: 'variable "x" {}\n', base: null });
    expect(byPath.get('model/weights.bin')).toMatchObject({ skipped: 'binary file', head: null });
    expect(byPath.get('data/big.json')?.skipped).toMatch(/^larger than 1 MB \(1\.0 MB\)$/);
  });

  it('skips virtual environments, installed packages, caches and the CDK\'s asset copies, never the synthesized templates', async () => {
    const dir = tree({
      'app.py': 'import aws_cdk as cdk\n',
      'env/pyvenv.cfg': 'home = /usr/bin\n',
      'env/lib/python3.12/site-packages/sagemaker/estimator.py': 'class Estimator: ...\n',
      '.venv/lib/x.py': 'x = 1\n',
      'build/lib/site-packages/pkg/mod.py': 'y = 1\n',
      'pipelines/__pycache__/p.cpython-312.pyc': 'x',
      'cdk.out/asset.3f2a/handler.py': 'import boto3\n',
      'cdk.out/MlStack.template.json': '{"Resources": {}}',
      'venv-notes/readme.md': '# not a virtual environment: no pyvenv.cfg\n',
    });
    const cs = await dirChangeSet(['.'], { cwd: dir });
    expect(cs.trees.head).toEqual(['app.py', 'cdk.out/MlStack.template.json', 'venv-notes/readme.md']);
  });

  it('makes paths relative to the current directory when the scanned paths are under it', async () => {
    const dir = tree({ 'repo/infra/a.tf': 'a', 'repo/model/README.md': '# m' });
    const cs = await dirChangeSet(['repo/infra', 'repo/model/README.md'], { cwd: dir });
    expect(cs.files.map((f) => f.path)).toEqual(['repo/infra/a.tf', 'repo/model/README.md']);
  });

  it('uses the deepest common directory when the paths are outside the current directory', async () => {
    const dir = tree({ 'repo/infra/a.tf': 'a', 'repo/infra/b.tf': 'b', 'elsewhere/x': '' });
    const cs = await dirChangeSet([join(dir, 'repo')], { cwd: join(dir, 'elsewhere') });
    expect(cs.files.map((f) => f.path)).toEqual(['infra/a.tf', 'infra/b.tf']);
  });

  it('does not follow symbolic links out of the tree', async () => {
    const outside = tree({ 'secret.tf': 'variable "secret" {}\n' });
    const dir = tree({ 'a.tf': '' });
    symlinkSync(outside, join(dir, 'link'));
    symlinkSync(join(outside, 'secret.tf'), join(dir, 'secret-link.tf'));
    const cs = await dirChangeSet(['.'], { cwd: dir });
    expect(cs.files.map((f) => f.path)).toEqual(['a.tf']);
  });

  it('applies paths.include / paths.exclude', async () => {
    const dir = tree({ 'vendor/x.tf': '', 'infra/a.tf': '', 'docs/x.md': '' });
    const config = configSchema.parse({ paths: { include: ['infra/**', 'vendor/**'], exclude: ['vendor/**'] } });
    const cs = await dirChangeSet(['.'], { cwd: dir, wanted: pathFilter(config.paths) });
    expect(cs.files.map((f) => f.path)).toEqual(['infra/a.tf']);
    expect(cs.trees.head).toHaveLength(3);
    expect(cs.trees.base).toEqual(['docs/x.md', 'vendor/x.tf']);
  });

  it('reports a missing path', async () => {
    const dir = tree({});
    await expect(dirChangeSet(['nope'], { cwd: dir })).rejects.toThrow(SourceError);
    await expect(dirChangeSet(['nope'], { cwd: dir })).rejects.toThrow('nope does not exist');
  });
});

describe('shared file checks', () => {
  it('treats a NUL in the first 8 KB as binary', () => {
    expect(isBinary(Buffer.from('plain text'))).toBe(false);
    expect(isBinary(Buffer.from('a\0b'))).toBe(true);
    expect(isBinary(Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.from([0])]))).toBe(false);
  });

  it('reads text, or says why not', () => {
    expect(readableText(Buffer.from('héllo'))).toEqual({ text: 'héllo' });
    expect(readableText(Buffer.from('x'), 2_000_000)).toEqual({ skipped: 'larger than 1 MB (1.9 MB)' });
  });

  it('filters with picomatch globs, dot files included', () => {
    const f = pathFilter(configSchema.parse({}).paths);
    expect(f('.github/workflows/ci.yml')).toBe(true);
    expect(f('vendor/a.tf')).toBe(false);
    expect(f('node_modules/a.json')).toBe(false);
  });

  it('recognises context artifacts', () => {
    for (const p of ['a/b.tf', 'x.yaml', 'x.yml', 'p.json', 'README.md', 'MLproject', 'pipeline.json.tpl']) {
      expect(isArtifactPath(p)).toBe(true);
    }
    for (const p of ['model.bin', 'Dockerfile']) expect(isArtifactPath(p)).toBe(false);
  });
});
