/**
 * `ml-lens review --staged`: what is staged (the index) against HEAD, as the commit would record it,
 * with the configuration and custom rules as staged; never the working tree. And the pre-commit
 * hook that runs it (`.pre-commit-hooks.yaml`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { tempRepo, testGitEnv, type TempRepo } from '../sources/git-helpers.js';
import { runCli } from './run.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** An endpoint configuration without a customer-managed key: sagemaker-endpoint-kms (high) fails the gate. */
const ENDPOINT_NO_KMS = `resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn-prod"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }
}
`;

/** The same endpoint with its key: nothing at or above high. */
const ENDPOINT_KMS = ENDPOINT_NO_KMS.replace('  name = "churn-prod"\n', '  name        = "churn-prod"\n  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"\n');

const CUSTOM_RULE = `- id: acme-bucket-tags
  title: Buckets carry a cost-centre tag
  practices: [MLCOST04-BP01]
  pillar: cost-optimization
  phase: data-processing
  severity: high
  match:
    - kind: terraform
      resource: aws_s3_bucket
      require: { present: tags.CostCenter }
  message: "{{address}} has no CostCenter tag."
  remediation: Add tags = { CostCenter = "..." }.
  examples:
    pass:
      - path: main.tf
        content: |
          resource "aws_s3_bucket" "a" {
            tags = { CostCenter = "ml" }
          }
    fail:
      - path: main.tf
        content: |
          resource "aws_s3_bucket" "a" {
            bucket = "x"
          }
`;

interface JsonReport {
  gate: { conclusion: string };
  findings: { rule: string; path: string; status: string }[];
  extra?: { meta?: { source: string; base?: string; head?: string } };
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()!();
});

function repo(): TempRepo {
  const r = tempRepo();
  cleanup.push(() => r.cleanup());
  return r;
}

async function staged(r: TempRepo, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const res = await runCli(['review', '--staged', '--format', 'json', ...extra], { cwd: r.dir, env: { NO_COLOR: '1', ...env } });
  return { code: res.code, report: (res.stdout ? JSON.parse(res.stdout) : {}) as JsonReport, stderr: res.stderr };
}

const kms = (report: JsonReport) => report.findings.filter((f) => f.rule === 'sagemaker-endpoint-kms').map((f) => [f.path, f.status]);

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ml-lens: /);
  expect(lines[0]).toMatch(pattern);
}

describe('review --staged', () => {
  it('reviews the staged file and fails the gate; an unstaged fix changes nothing; the staged fix passes', async () => {
    const r = repo();
    r.write({ 'README.md': '# demo\n' });
    const head = r.commit('base');
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    r.git('add', 'infra/endpoint.tf');

    const risky = await staged(r);
    expect(risky.stderr).toBe('');
    expect(risky.code).toBe(1);
    expect(kms(risky.report)).toEqual([['infra/endpoint.tf', 'new']]);
    expect(risky.report.extra?.meta).toEqual({ source: 'git', base: head, head: 'index' });

    // The terminal report, as the hook prints it.
    const terminal = await runCli(['review', '--staged'], { cwd: r.dir });
    expect(terminal.code).toBe(1);
    expect(terminal.stdout).toMatch(/failing/);
    expect(terminal.stdout).toContain('sagemaker-endpoint-kms');

    // Fixed in the working tree only: the commit would still carry the risky file.
    r.write({ 'infra/endpoint.tf': ENDPOINT_KMS });
    const unstagedFix = await staged(r);
    expect(unstagedFix.code).toBe(1);
    expect(kms(unstagedFix.report)).toEqual([['infra/endpoint.tf', 'new']]);

    r.git('add', 'infra/endpoint.tf');
    const fixed = await staged(r);
    expect(fixed.code).toBe(0);
    expect(fixed.report.gate.conclusion).not.toBe('failure');
    expect(kms(fixed.report)).toEqual([]);

    // A staged file edited again (now risky) is reviewed as staged: still passes.
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    expect((await staged(r)).code).toBe(0);
  });

  it('a staged rename keeps its findings as existing', async () => {
    const r = repo();
    r.write({ 'infra/old-name.tf': ENDPOINT_NO_KMS });
    r.commit('base');
    r.git('mv', 'infra/old-name.tf', 'infra/endpoint.tf');
    const res = await staged(r);
    expect(res.code).toBe(0);
    expect(kms(res.report)).toEqual([['infra/endpoint.tf', 'existing']]);
    expect(res.report.findings.every((f) => f.status !== 'new')).toBe(true);
  });

  it('the first commit (no HEAD): every staged file is added', async () => {
    const r = repo();
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS, 'README.md': '# demo\n' });
    r.git('add', '-A');
    const res = await staged(r);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    expect(kms(res.report)).toEqual([['infra/endpoint.tf', 'new']]);
    expect(res.report.extra?.meta).toEqual({ source: 'git', head: 'index' });
  });

  it('nothing staged before the first commit passes', async () => {
    const r = repo();
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS }); // untracked: not reviewed
    const res = await staged(r);
    expect([res.code, res.report.findings]).toEqual([0, []]);
  });

  it('a file staged as deleted is not reviewed, though the working tree still has it', async () => {
    const r = repo();
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS, 'README.md': '# demo\n' });
    r.commit('base');
    r.git('rm', '-q', '--cached', 'infra/endpoint.tf');
    const res = await staged(r);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.report.findings.filter((f) => f.status === 'new')).toEqual([]);
    // What the deletion takes away is fixed, not new.
    expect(kms(res.report)).toEqual([['infra/endpoint.tf', 'fixed']]);
  });

  it('reads the configuration and custom rules as staged, not as in the working tree', async () => {
    const r = repo();
    r.write({ 'README.md': '# demo\n', '.github/ml-lens.yml': 'gate: { fail_on: critical }\n' });
    r.commit('base');
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    r.git('add', 'infra/endpoint.tf');
    expect((await staged(r)).code).toBe(0); // the gate is on critical only

    // Tightened in the working tree only: not what the commit carries.
    r.write({ '.github/ml-lens.yml': 'gate: { fail_on: high }\n' });
    expect((await staged(r)).code).toBe(0);
    r.git('add', '.github/ml-lens.yml');
    expect((await staged(r)).code).toBe(1);

    // A custom rule staged with the change applies to it.
    r.write({ 'infra/bucket.tf': 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n}\n', '.github/ml-lens/rules/acme.yml': CUSTOM_RULE });
    r.git('add', 'infra/bucket.tf');
    expect((await staged(r)).report.findings.map((f) => f.rule)).not.toContain('acme-bucket-tags');
    r.git('add', '.github/ml-lens/rules/acme.yml');
    expect((await staged(r)).report.findings.filter((f) => f.rule === 'acme-bucket-tags').map((f) => [f.path, f.status])).toEqual([['infra/bucket.tf', 'new']]);
  });

  it('refuses a staged configuration that is a symbolic link', async () => {
    const r = repo();
    r.write({ 'README.md': '# demo\n', 'elsewhere.yml': 'gate: { fail_on: critical }\n' });
    r.commit('base');
    r.write({ '.github/keep': '' });
    symlinkSync('../elsewhere.yml', join(r.dir, '.github', 'ml-lens.yml'));
    r.git('add', '.github/ml-lens.yml');
    const res = await staged(r);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/\.github\/ml-lens\.yml as staged/);
    expect(res.stderr).toMatch(/symbolic link/);
  });

  it('reads the index GIT_INDEX_FILE names (git commit -a and git commit PATH commit a temporary index)', async () => {
    const r = repo();
    r.write({ 'README.md': '# demo\n' });
    r.commit('base');
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS }); // not in the repository's index
    const other = mkdtempSync(join(tmpdir(), 'ml-lens-index-'));
    cleanup.push(() => rmSync(other, { recursive: true, force: true }));
    const index = join(other, 'index');
    const env = { ...testGitEnv(), GIT_INDEX_FILE: index };
    execFileSync('git', ['read-tree', 'HEAD'], { cwd: r.dir, env });
    execFileSync('git', ['add', 'infra/endpoint.tf'], { cwd: r.dir, env });

    expect((await staged(r)).code).toBe(0);
    const res = await staged(r, [], { GIT_INDEX_FILE: index });
    expect(res.code).toBe(1);
    expect(kms(res.report)).toEqual([['infra/endpoint.tf', 'new']]);
  });

  it('an index with unmerged paths is an error, as git commit refuses it', async () => {
    const r = repo();
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'other');
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS.replace('ml.m5.large', 'ml.m5.2xlarge') });
    r.commit('other');
    r.git('checkout', '-q', 'main');
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS.replace('ml.m5.large', 'ml.m5.xlarge') });
    r.commit('main');
    try {
      r.git('merge', '-q', 'other');
    } catch {
      // the conflict
    }
    const res = await runCli(['review', '--staged'], { cwd: r.dir });
    expect(res.code).toBe(2);
    expectOneLineError(res.stderr, /the index has unmerged paths \(infra\/endpoint\.tf\)/);
  });

  it('not a git repository: exit 2, one line', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'ml-lens-plain-'));
    cleanup.push(() => rmSync(plain, { recursive: true, force: true }));
    const res = await runCli(['review', '--staged'], { cwd: plain });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expectOneLineError(res.stderr, /is not a git repository/);
  });

  it('cannot be combined with --base, --head or --github', async () => {
    for (const extra of [['--base', 'main'], ['--head', 'HEAD'], ['--github', 'acme/ml#1']]) {
      const res = await runCli(['review', '--staged', ...extra]);
      expect(res.code).toBe(2);
      expectOneLineError(res.stderr, new RegExp(`--staged cannot be combined with ${extra[0]}`));
    }
    expect((await runCli(['scan', '.', '--staged'])).stderr).toMatch(/--staged is not an option of "scan"/);
    expect((await runCli(['help', 'review'])).stdout).toContain('--staged');
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parseYaml(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

  it('declares the ml-lens hook: a node hook that reviews what is staged, once per commit', () => {
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook).toMatchObject({
      id: 'ml-lens',
      entry: 'ml-lens review --staged',
      language: 'node',
      pass_filenames: false,
      always_run: true,
      require_serial: true,
      stages: ['pre-commit'],
      // The first pre-commit that installs a node hook with a build step from git, on npm 11 too.
      minimum_pre_commit_version: '4.6.2',
    });
    expect(typeof hook.name).toBe('string');
    // The entry runs the package's own bin, which pre-commit puts on the PATH when it installs it.
    expect(Object.keys(pkg.bin)).toContain(String(hook.entry).split(' ')[0]);
    // pre-commit does not pass file names, and the review picks its own files: no filter to drift.
    expect(hook).not.toHaveProperty('files');
    expect(hook).not.toHaveProperty('types');
  });

  it('its entry is a command line the CLI accepts', async () => {
    const args = String(hooks[0]!.entry).split(' ').slice(1);
    const res = await runCli([...args, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('--staged');
  });
});
