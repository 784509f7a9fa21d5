/**
 * Where the command line takes the repository's configuration and custom rules from: `review` from
 * the base branch (a change cannot relax its own gate), `scan`/`rules` from the working tree; never
 * through a symbolic link or from outside the repository, and errors never quote what such a file
 * holds.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '../sources/git-helpers.js';
import { runCli } from './run.js';

const SECRET = 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const insecure = 'resource "aws_sagemaker_endpoint_configuration" "x" {\n  production_variants {\n    variant_name = "a"\n    model_name = "m"\n    instance_type = "ml.m5.large"\n    initial_instance_count = 2\n  }\n}\n';

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

function workTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ml-lens-settings-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** A file outside the repository holding a secret, as a hostile repository would point at. */
function secretFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ml-lens-secret-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'token'), `${SECRET}\n`);
  return join(dir, 'token');
}

describe('scan and rules read the working tree, never through a link', () => {
  it('a configuration that is a symbolic link is an error that names it and quotes nothing', async () => {
    const dir = workTree({ 'infra/a.tf': insecure });
    mkdirSync(join(dir, '.github'), { recursive: true });
    symlinkSync(secretFile(), join(dir, '.github/ml-lens.yml'));
    const r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ml-lens: invalid configuration in .github/ml-lens.yml:\n  symbolic link (not followed)\n');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('a custom rules folder outside the repository, or a linked rule file, is refused', async () => {
    const outside = workTree({ 'team.yaml': `${SECRET}\n` });
    const dir = workTree({ '.github/ml-lens.yml': `rules:\n  custom: ../${outside.split('/').pop()}\n`, 'infra/a.tf': insecure });
    const r = await runCli(['rules'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a path inside the repository');
    expect(r.stderr).not.toContain(SECRET);

    const linked = workTree({ 'infra/a.tf': insecure });
    mkdirSync(join(linked, '.github/ml-lens/rules'), { recursive: true });
    symlinkSync(secretFile(), join(linked, '.github/ml-lens/rules/team.yaml'));
    const s = await runCli(['scan', '.'], { cwd: linked });
    expect(s.code).toBe(2);
    expect(s.stderr).toBe('ml-lens: cannot load the rules: .github/ml-lens/rules/team.yaml: symbolic link (not followed)\n');
  });

  it('a rules folder that is a link is refused', async () => {
    const target = workTree({ 'team.yaml': '[]\n' });
    const dir = workTree({ 'infra/a.tf': insecure });
    mkdirSync(join(dir, '.github/ml-lens'), { recursive: true });
    symlinkSync(target, join(dir, '.github/ml-lens/rules'));
    const r = await runCli(['scan', '.'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.github/ml-lens/rules: symbolic link (not followed)');
  });
});

describe('review reads the base branch', () => {
  let repo: TempRepo;
  afterEach(() => repo?.cleanup());

  it('ignores a configuration the change adds to relax its own gate', async () => {
    repo = tempRepo();
    repo.write({ 'README.md': '# x\n' });
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'change');
    repo.write({ '.github/ml-lens.yml': "ignore:\n  - rule: '*'\n    reason: not today\n", 'infra/a.tf': insecure });
    repo.commit('relax');
    const r = await runCli(['review', '--repo', repo.dir, '--base', 'main', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).gate.conclusion).toBe('failure');
    // --config stays explicit: the user's own choice.
    const relaxed = await runCli(['review', '--repo', repo.dir, '--base', 'main', '--config', join(repo.dir, '.github/ml-lens.yml')]);
    expect(relaxed.code).toBe(0);
  });

  it('uses the base branch\'s configuration and custom rules, and refuses a linked one there', async () => {
    repo = tempRepo();
    repo.write({ '.github/ml-lens.yml': 'gate:\n  fail_on: critical\n' });
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'change');
    repo.write({ '.github/ml-lens.yml': 'gate:\n  fail_on: low\n', 'infra/a.tf': insecure });
    repo.commit('change');
    // The base's `fail_on: critical` decides: the high finding does not fail.
    const r = await runCli(['review', '--repo', repo.dir, '--base', 'main']);
    expect(r.code).toBe(0);

    repo.git('checkout', '-q', 'main');
    repo.remove('.github/ml-lens.yml');
    symlinkSync(secretFile(), join(repo.dir, '.github/ml-lens.yml'));
    repo.commit('link');
    repo.git('checkout', '-q', 'change');
    const linked = await runCli(['review', '--repo', repo.dir, '--base', 'main']);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/^ml-lens: invalid configuration in \.github\/ml-lens\.yml on main \([0-9a-f]{7}\):\n {2}symbolic link \(not followed\)\n$/);
    expect(linked.stderr).not.toContain(SECRET);
  });
});
