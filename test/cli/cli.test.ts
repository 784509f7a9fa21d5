import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempRepo, type TempRepo } from '../sources/git-helpers.js';
import { runCli, tempDirs } from './run.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** An endpoint configuration without a customer-managed key: sagemaker-endpoint-kms (high) fails. */
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

const { dir, later } = tempDirs('ml-lens-cli-');

function repo(): TempRepo {
  const r = tempRepo();
  later(() => r.cleanup());
  return r;
}

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ml-lens: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

interface JsonReport {
  gate: { conclusion: string };
  findings: { rule: string; path: string; status: string; severity: string }[];
}

describe('general', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('--help and help <command> print usage to stdout', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['review', 'scan', 'rules', 'explain', 'schema']) expect(help.stdout).toContain(`  ${c} `);
    expect(help.stdout).toContain('Exit codes');
    const review = await runCli(['help', 'review']);
    expect(review.code).toBe(0);
    expect(review.stdout).toContain('Usage: ml-lens review');
    expect(review.stdout).toContain('--base REF');
    expect((await runCli(['scan', '--help'])).stdout).toContain('Usage: ml-lens scan');
  });

  it('no command: usage on stderr, exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: ml-lens <command>');
  });

  it('a bad flag is a usage error: exit 2, one line, no stack', async () => {
    const r = await runCli(['scan', '.', '--frobnicate']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /unknown option --frobnicate/);
  });

  it('suggests the closest option or command', async () => {
    expectOneLineError((await runCli(['scan', '.', '--fromat', 'json'])).stderr, /did you mean "--format"/);
    expectOneLineError((await runCli(['reveiw'])).stderr, /unknown command "reveiw"; did you mean "review"/);
  });

  it('rejects options of other commands, missing values and bad formats', async () => {
    const base = await runCli(['scan', '.', '--base', 'main']);
    expect(base.code).toBe(2);
    expectOneLineError(base.stderr, /--base is not an option of "scan"/);
    const missing = await runCli(['scan', '.', '--format']);
    expect(missing.code).toBe(2);
    expectOneLineError(missing.stderr, /--format needs a value/);
    const bad = await runCli(['scan', '.', '--format', 'xml']);
    expect(bad.code).toBe(2);
    expectOneLineError(bad.stderr, /--format must be one of terminal, markdown, summary, json, sarif/);
    const noPath = await runCli(['scan']);
    expect(noPath.code).toBe(2);
    expectOneLineError(noPath.stderr, /scan needs at least one PATH/);
  });
});

describe('scan', () => {
  it('exits 1 when a new finding reaches gate.fail_on', async () => {
    const d = dir({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    const r = await runCli(['scan', '.', '--format', 'json'], { cwd: d });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.gate.conclusion).toBe('failure');
    expect(report.findings).toContainEqual(
      expect.objectContaining({ rule: 'sagemaker-endpoint-kms', path: 'infra/endpoint.tf', status: 'new', severity: 'high' }),
    );
  });

  it('exits 0 on a clean tree', async () => {
    const d = dir({ 'infra/variables.tf': 'variable "region" {\n  type = string\n}\n', 'src/train.py': 'print("hi")\n' });
    const r = await runCli(['scan', 'infra', 'src'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/\x1b\[/); // NO_COLOR
  });

  it('the example repository before the risky change passes the gate, after it fails', async () => {
    expect((await runCli(['scan', 'examples/before'], { cwd: ROOT })).code).toBe(0);
    expect((await runCli(['scan', 'examples/after'], { cwd: ROOT })).code).toBe(1);
  });

  it("uses the repository's .github/ml-lens.yml: a gate on critical only passes", async () => {
    const d = dir({ 'infra/endpoint.tf': ENDPOINT_NO_KMS, '.github/ml-lens.yml': 'gate:\n  fail_on: critical\n' });
    const r = await runCli(['scan', '.', '--format', 'json'], { cwd: d });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as JsonReport).gate.conclusion).not.toBe('failure');
  });

  it('--config points at another file', async () => {
    const d = dir({ 'infra/endpoint.tf': ENDPOINT_NO_KMS, 'lenient.yml': 'rules:\n  disable: [sagemaker-endpoint-kms]\n' });
    const r = await runCli(['scan', 'infra', '--config', 'lenient.yml', '--format', 'json'], { cwd: d });
    expect((JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.rule)).not.toContain('sagemaker-endpoint-kms');
  });

  it('an invalid configuration is exit 2 with every wrong key on its own line, no stack', async () => {
    const d = dir({
      'infra/endpoint.tf': ENDPOINT_NO_KMS,
      '.github/ml-lens.yml': 'gate:\n  fail_on: urgent\n  min_scor: 50\ncomments:\n  max_inline: many\n',
    });
    const r = await runCli(['scan', '.'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('ml-lens: invalid configuration in .github/ml-lens.yml:');
    expect(lines).toContain('  gate.fail_on: expected one of critical|high|medium|low|info, got "urgent"');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}gate\.min_scor: unknown key \(expected one of fail_on, min_score, only_new, fail_on_unreviewed\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}comments\.max_inline: expected (integer|number), got a string/));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing --config file is exit 2', async () => {
    const r = await runCli(['scan', '.', '--config', 'nope.yml'], { cwd: dir({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ml-lens: invalid configuration in nope\.yml:\n {2}the file does not exist\n$/);
  });

  it('a missing path is exit 2 with one line', async () => {
    const r = await runCli(['scan', 'nowhere'], { cwd: dir({}) });
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, /nowhere does not exist/);
  });

  it('--output writes the report to a file and notes it on stderr', async () => {
    const d = dir({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    const r = await runCli(['scan', 'infra', '--format', 'sarif', '--output', 'reports/ml-lens.sarif'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ml-lens: wrote sarif report (gate: failure) to reports/ml-lens.sarif\n');
    const sarif = JSON.parse(readFileSync(join(d, 'reports/ml-lens.sarif'), 'utf8')) as { version: string; runs: unknown[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
  });

  it('renders markdown, the pull-request summary and terminal formats', async () => {
    const d = dir({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    const md = await runCli(['scan', '.', '--format', 'markdown'], { cwd: d });
    expect(md.stdout).toContain('sagemaker-endpoint-kms');
    const summary = await runCli(['scan', '.', '--format', 'summary'], { cwd: d });
    expect(summary.stdout).toContain('<!-- ml-lens:summary -->');
    const term = await runCli(['scan', '.'], { cwd: d, env: { FORCE_COLOR: '1' } });
    expect(term.stdout).toMatch(/\x1b\[/);
    expect(term.stdout).toContain('infra/endpoint.tf');
  });

  it('shows progress on stderr only when stderr is a terminal', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++) files[`infra/v${i}.tf`] = `variable "v${i}" {}\n`;
    const d = dir(files);
    const tty = await runCli(['scan', '.'], { cwd: d, tty: true, env: { NO_COLOR: '1' } });
    expect(tty.stderr).toContain('read 100/120 files');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const piped = await runCli(['scan', '.'], { cwd: d });
    expect(piped.stderr).toBe('');
  });

  it('loads custom rules from rules.custom', async () => {
    const d = dir({
      'infra/bucket.tf': 'resource "aws_s3_bucket" "data" {\n  bucket = "acme-data"\n}\n',
      '.github/ml-lens/rules/team.yaml': CUSTOM_RULE,
    });
    const list = await runCli(['rules', '--format', 'json'], { cwd: d });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id)).toContain('acme-bucket-tags');
    const r = await runCli(['scan', '.', '--format', 'json'], { cwd: d });
    expect((JSON.parse(r.stdout) as JsonReport).findings).toContainEqual(expect.objectContaining({ rule: 'acme-bucket-tags', path: 'infra/bucket.tf' }));
  });

  it('a broken custom rule is exit 2 naming the file and the rule', async () => {
    const d = dir({ 'a.tf': '', '.github/ml-lens/rules/bad.yaml': CUSTOM_RULE.replace('severity: medium', 'severity: urgent') });
    const r = await runCli(['scan', '.'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ml-lens: cannot load the rules: .*bad\.yaml.*acme-bucket-tags.*severity/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--debug adds the stack to an error', async () => {
    const r = await runCli(['scan', 'nowhere', '--debug'], { cwd: dir({}) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ml-lens: nowhere does not exist\n/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

const CUSTOM_RULE = `- id: acme-bucket-tags
  title: Buckets carry a cost-centre tag
  practices: [MLCOST04-BP01]
  pillar: cost-optimization
  phase: data-processing
  severity: medium
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

describe('review', () => {
  it('reviews the changed files only; a renamed file keeps its findings as existing', async () => {
    const r = repo();
    r.write({
      'infra/old-name.tf': ENDPOINT_NO_KMS,
      'infra/untouched.tf': ENDPOINT_NO_KMS.replace('"churn"', '"other"').replace('churn-prod', 'other-prod'),
      'README.md': '# demo\n',
    });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'change');
    r.git('mv', 'infra/old-name.tf', 'infra/endpoint.tf');
    r.write({ 'infra/new.tf': ENDPOINT_NO_KMS.replace('"churn" {', '"fraud" {').replace('churn-prod', 'fraud-prod') });
    r.commit('rename and add');

    const res = await runCli(['review', '--repo', r.dir, '--base', 'main', '--format', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as JsonReport;
    const kms = report.findings.filter((f) => f.rule === 'sagemaker-endpoint-kms');
    expect(kms.map((f) => [f.path, f.status]).sort()).toEqual([
      ['infra/endpoint.tf', 'existing'],
      ['infra/new.tf', 'new'],
    ]);
    expect(report.findings.map((f) => f.path)).not.toContain('infra/untouched.tf');
  });

  it('exits 0 when the change brings no new finding (only the rename)', async () => {
    const r = repo();
    r.write({ 'infra/old-name.tf': ENDPOINT_NO_KMS });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'change');
    r.git('mv', 'infra/old-name.tf', 'infra/endpoint.tf');
    r.commit('rename');
    const res = await runCli(['review', '--format', 'json'], { cwd: r.dir });
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as JsonReport).findings.every((f) => f.status !== 'new')).toBe(true);
  });

  it('takes the configuration from the repository', async () => {
    const r = repo();
    r.write({ 'README.md': '# x\n', '.github/ml-lens.yml': 'gate: { fail_on: critical }\n' });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'change');
    r.write({ 'infra/endpoint.tf': ENDPOINT_NO_KMS });
    r.commit('add');
    expect((await runCli(['review', '--repo', r.dir])).code).toBe(0);
  });

  it('errors are one line: not a repository, bad ref, stray path', async () => {
    const plain = dir({});
    const notRepo = await runCli(['review', '--repo', plain]);
    expect(notRepo.code).toBe(2);
    expectOneLineError(notRepo.stderr, /is not a git repository/);

    const r = repo();
    r.write({ 'a.tf': '' });
    r.commit('a');
    const badRef = await runCli(['review', '--repo', r.dir, '--base', 'nope']);
    expect(badRef.code).toBe(2);
    expectOneLineError(badRef.stderr, /base ref "nope" does not name a commit/);

    const stray = await runCli(['review', 'infra']);
    expect(stray.code).toBe(2);
    expectOneLineError(stray.stderr, /review takes no paths/);

    const noDir = await runCli(['review', '--repo', join(plain, 'missing')]);
    expect(noDir.code).toBe(2);
    expectOneLineError(noDir.stderr, /not a directory/);
  });
});

describe('rules, explain, schema', () => {
  it('rules --format json is the catalogue as JSON', async () => {
    const r = await runCli(['rules', '--format', 'json'], { cwd: ROOT });
    expect(r.code).toBe(0);
    const rules = JSON.parse(r.stdout) as { id: string; pillar: string; severity: string; source: string }[];
    expect(rules.length).toBeGreaterThan(1);
    expect(rules.map((x) => x.id)).toContain('sagemaker-endpoint-kms');
    for (const rule of rules) expect(rule.source.startsWith('/')).toBe(false);
  });

  it('rules prints a Markdown table by pillar', async () => {
    const r = await runCli(['rules'], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('## Security');
    expect(r.stdout).toContain('| `sagemaker-endpoint-kms` | high |');
    expect((await runCli(['rules', '--format', 'sarif'])).code).toBe(2);
  });

  it('explain shows a rule, and exits 2 for an unknown rule', async () => {
    const ok = await runCli(['explain', 'sagemaker-endpoint-kms'], { cwd: ROOT });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('sagemaker-endpoint-kms: Endpoint storage is encrypted with a customer-managed KMS key');
    expect(ok.stdout).toContain('Remediation:');
    expect(ok.stdout).toContain('Fails on (');
    expect(ok.stdout).toContain('# ml-lens:ignore sagemaker-endpoint-kms <reason>');

    const unknown = await runCli(['explain', 'sagemaker-endpoint-kmz'], { cwd: ROOT });
    expect(unknown.code).toBe(2);
    expectOneLineError(unknown.stderr, /unknown rule "sagemaker-endpoint-kmz"; did you mean "sagemaker-endpoint-kms"\?/);
    expect((await runCli(['explain'])).code).toBe(2);
  });

  it('schema prints the configuration JSON Schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['paths', 'gate', 'rules', 'ignore']));
  });

  it('schema --output writes the file', async () => {
    const d = dir({});
    const r = await runCli(['schema', '--output', 'schema.json'], { cwd: d });
    expect(r.code).toBe(0);
    expect(existsSync(join(d, 'schema.json'))).toBe(true);
    expect(r.stderr).toBe('ml-lens: wrote config JSON Schema to schema.json\n');
  });
});
