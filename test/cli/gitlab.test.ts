/**
 * `--format gitlab` through the command line: `scan` and `review` write a GitLab Code Quality report
 * (a JSON array) that GitLab's parser takes, with the gate's exit code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCodeQuality } from '../helpers/code-quality.js';
import { tempRepo } from '../sources/git-helpers.js';
import { runCli, tempDirs } from './run.js';

interface Entry {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number; end?: number } };
}

interface JsonReport {
  findings: { rule: string; path: string; status: string; severity: string; fingerprint: string; address: string }[];
}

/** sagemaker-endpoint-kms (high) fails on `churn`; `dev` fails it too but is suppressed inline. */
const ENDPOINTS = `resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn-prod"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }
}

# ml-lens:ignore sagemaker-endpoint-kms dev stack without customer data until=2099-01-01
resource "aws_sagemaker_endpoint_configuration" "dev" {
  name = "churn-dev"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 1
    instance_type          = "ml.m5.large"
  }
}
`;

const { dir, later } = tempDirs('ml-lens-gitlab-');

function parse(text: string): Entry[] {
  const report = JSON.parse(text) as unknown;
  validateCodeQuality(report);
  return report as Entry[];
}

describe('ml-lens scan --format gitlab', () => {
  it('writes a valid Code Quality array to stdout, without suppressed findings, and exits 1 when the gate fails', async () => {
    const d = dir({ 'infra/endpoints.tf': ENDPOINTS });
    const r = await runCli(['scan', 'infra', '--format', 'gitlab'], { cwd: d });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const entries = parse(r.stdout);
    const kms = entries.filter((e) => e.check_name === 'sagemaker-endpoint-kms');
    expect(kms).toHaveLength(1);
    expect(kms[0]).toMatchObject({
      severity: 'critical', // high
      description: expect.stringMatching(/^aws_sagemaker_endpoint_configuration\.churn .*customer-managed KMS key$/),
      location: { path: 'infra/endpoints.tf', lines: { begin: 1 } },
    });
    expect(entries.filter((e) => e.check_name === 'sagemaker-endpoint-kms').map((e) => e.description).join('\n')).not.toContain('aws_sagemaker_endpoint_configuration.dev ');

    // The same findings and fingerprints as the JSON report, less the suppressed one.
    const json = JSON.parse((await runCli(['scan', 'infra', '--format', 'json'], { cwd: d })).stdout) as JsonReport;
    const shown = json.findings.filter((f) => f.status !== 'suppressed');
    expect(json.findings.some((f) => f.status === 'suppressed' && f.rule === 'sagemaker-endpoint-kms')).toBe(true);
    expect(entries.map((e) => e.fingerprint).sort()).toEqual(shown.map((f) => f.fingerprint).sort());
  });

  it('paths are relative and POSIX: to the working directory above the scan, else to the scanned folder', async () => {
    const d = dir({ 'infra/endpoints.tf': ENDPOINTS });
    const paths = async (cwd: string, target: string) => {
      const r = await runCli(['scan', target, '--format', 'gitlab'], { cwd });
      expect(r.code).toBe(1);
      return [...new Set(parse(r.stdout).map((e) => e.location.path))];
    };
    // From the repository's top, as a GitLab job runs: repository paths.
    expect(await paths(d, '.')).toEqual(['infra/endpoints.tf']);
    expect(await paths(d, join(d, 'infra'))).toEqual(['infra/endpoints.tf']);
    // An absolute path from a working directory outside it: relative to the folder scanned.
    expect(await paths(dir({}), d)).toEqual(['infra/endpoints.tf']);
  });

  it('--output writes the file GitLab picks up and says so on stderr', async () => {
    const d = dir({ 'infra/endpoints.tf': ENDPOINTS });
    const r = await runCli(['scan', '.', '--format', 'gitlab', '--output', 'gl-code-quality-report.json'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ml-lens: wrote gitlab report (gate: failure) to gl-code-quality-report.json\n');
    const text = readFileSync(join(d, 'gl-code-quality-report.json'), 'utf8');
    expect(text.charCodeAt(0)).toBe('['.charCodeAt(0)); // no byte order mark
    expect(parse(text).length).toBeGreaterThan(0);
  });

  it('nothing to report: an empty array and exit 0', async () => {
    const d = dir({ 'notes.txt': 'nothing here\n' });
    const r = await runCli(['scan', '.', '--format', 'gitlab'], { cwd: d });
    expect(r).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('gitlab is among the formats of help and of the usage error', async () => {
    expect((await runCli(['help', 'scan'])).stdout).toMatch(/gitlab \(a GitLab Code Quality report/);
    expect((await runCli(['help', 'review'])).stdout).toMatch(/gitlab \(a GitLab Code Quality report/);
    expect((await runCli(['--help'])).stdout).toMatch(/review\/scan: terminal, markdown, summary, json, sarif, gitlab;/);
    const bad = await runCli(['scan', '.', '--format', 'codequality'], { cwd: dir({}) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of terminal, markdown, summary, json, sarif, gitlab \(got "codequality"\)/);
  });
});

describe('ml-lens review --format gitlab', () => {
  it('reports new and existing findings of the changed files, with the fingerprints of the JSON report', async () => {
    const repo = tempRepo();
    later(() => repo.cleanup());
    repo.write({ 'infra/endpoints.tf': ENDPOINTS.replace('name = "churn-prod"', 'name = "churn-prod"\n  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/abc"') });
    repo.commit('endpoints with a key');
    repo.git('checkout', '-q', '-b', 'drop-key');
    repo.write({ 'infra/endpoints.tf': ENDPOINTS });
    repo.commit('drop the key');

    const r = await runCli(['review', '--repo', repo.dir, '--base', 'main', '--format', 'gitlab']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const entries = parse(r.stdout);
    const json = JSON.parse((await runCli(['review', '--repo', repo.dir, '--base', 'main', '--format', 'json'])).stdout) as JsonReport;
    const statuses = new Set(json.findings.map((f) => f.status));
    expect(statuses).toEqual(new Set(['new', 'existing', 'suppressed']));
    expect(entries.map((e) => e.fingerprint).sort()).toEqual(
      json.findings
        .filter((f) => f.status === 'new' || f.status === 'existing')
        .map((f) => f.fingerprint)
        .sort(),
    );
    expect(entries.find((e) => e.check_name === 'sagemaker-endpoint-kms')?.location.path).toBe('infra/endpoints.tf');
  });
});
