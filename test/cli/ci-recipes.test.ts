/**
 * The CI recipes, tried end to end on local git repositories as a CI job would run them: the
 * installed command (`node bin/ml-lens.js`, from dist/: `npm test` builds first) in a child process,
 * its working directory the checkout, its exit code the job's. Nothing touches the network: the
 * "remote" is a bare repository on disk.
 *
 * (a) GitLab CI. `review --base <target> --format gitlab --output gl-code-quality-report.json`
 *     from the change branch writes the report of the changed files and exits with the gate.
 *     GitLab, though, shows a merge request what is new and what is resolved by comparing its
 *     report with the target branch's latest one, by fingerprint, and needs that one to exist: a
 *     report of the changed files alone, compared with the target branch's, lists the findings of
 *     every untouched file as resolved. So the job the README gives writes the whole repository's
 *     report (`scan . --format gitlab`, its exit code not the gate) on the default branch and on
 *     merge requests, and gates merge requests with `review`; its script is run here as the
 *     runner would, and GitLab's comparison is made as GitLab makes it.
 * (b) Any CI: a clone of "origin", `review --base origin/main` exits 1 on a failing change and 0 on
 *     a clean one, also once main has moved on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateCodeQuality } from '../helpers/code-quality.js';
import { tempClone, tempRepo, testGitEnv, type TempRepo } from '../sources/git-helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'ml-lens.js');
const REPORT = 'gl-code-quality-report.json';
/** Each test runs the command a few times in a child process: room for a loaded machine. */
const SLOW = 120_000;

/** sagemaker-endpoint-kms (high) fails: the gate fails. */
const RISKY_ENDPOINT = `resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn-prod"

  production_variants {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }
}
`;

/** The same with a customer-managed key: only medium findings (autoscaling, data capture), the gate passes. */
const SAFE_ENDPOINT = RISKY_ENDPOINT.replace(
  '  name = "churn-prod"\n',
  '  name        = "churn-prod"\n  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"\n',
);

/** Already on main, untouched by the changes: medium and low findings only. */
const BUCKET = `resource "aws_s3_bucket" "training_data" {
  bucket = "acme-training-data"
}
`;

interface Entry {
  check_name: string;
  fingerprint: string;
  severity: string;
  location: { path: string; lines: { begin: number } };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `ml-lens ARGS...` as a CI job runs it: a child process in the checkout. */
function mlLens(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...testGitEnv(), NO_COLOR: '1' }, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report a run wrote, checked; the file is removed so that no commit of the test picks it up. */
function readReport(dir: string): Entry[] {
  const text = readFileSync(join(dir, REPORT), 'utf8');
  rmSync(join(dir, REPORT));
  const report = JSON.parse(text) as unknown;
  validateCodeQuality(report);
  return report as Entry[];
}

/** What GitLab's merge request widget shows: entries of the head report not in the base's (new), and the reverse (resolved). */
function compare(base: Entry[], head: Entry[]): { added: Entry[]; resolved: Entry[] } {
  const baseFps = new Set(base.map((e) => e.fingerprint));
  const headFps = new Set(head.map((e) => e.fingerprint));
  return { added: head.filter((e) => !baseFps.has(e.fingerprint)), resolved: base.filter((e) => !headFps.has(e.fingerprint)) };
}

const fps = (entries: Entry[]) => entries.map((e) => e.fingerprint).sort();

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first (npm test does)');
});

describe('CI recipe (a): GitLab CI, Code Quality report and gate', { timeout: SLOW }, () => {
  let repo: TempRepo;
  let mainSha: string;
  let baseReport: Entry[];

  beforeAll(() => {
    repo = tempRepo();
    repo.write({ 'infra/data.tf': BUCKET });
    mainSha = repo.commit('training data bucket');
    // The target branch's pipeline: the whole repository's report, which merge requests are compared with.
    const onMain = mlLens(repo.dir, 'scan', '.', '--format', 'gitlab', '--output', REPORT);
    expect(onMain.stderr).toBe(`ml-lens: wrote gitlab report (gate: neutral) to ${REPORT}\n`);
    expect(onMain.code).toBe(0);
    baseReport = readReport(repo.dir);
    expect(baseReport.map((e) => e.location.path)).toContain('infra/data.tf');
  }, SLOW);
  afterAll(() => repo.cleanup());

  it('a risky merge request: the review writes the report of its changed files and exits 1', () => {
    repo.git('checkout', '-q', '-b', 'drop-endpoint-key', 'main');
    repo.write({ 'infra/endpoint.tf': RISKY_ENDPOINT });
    repo.commit('endpoint without a key');

    const r = mlLens(repo.dir, 'review', '--base', 'main', '--format', 'gitlab', '--output', REPORT);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ml-lens: wrote gitlab report (gate: failure) to ${REPORT}\n`);
    expect(r.code).toBe(1);
    const report = readReport(repo.dir);
    expect(report.find((e) => e.check_name === 'sagemaker-endpoint-kms')).toMatchObject({ severity: 'critical', location: { path: 'infra/endpoint.tf', lines: { begin: 1 } } });
    // Only the change is reviewed: nothing on the untouched bucket file.
    expect(new Set(report.map((e) => e.location.path))).toEqual(new Set(['infra/endpoint.tf']));
    // The base as a commit (GitLab's $CI_MERGE_REQUEST_DIFF_BASE_SHA) gives the same report.
    const bySha = mlLens(repo.dir, 'review', '--base', mainSha, '--format', 'gitlab');
    expect(bySha.code).toBe(1);
    expect(JSON.parse(bySha.stdout)).toEqual(report);

    // GitLab's comparison with the target branch's whole-repository report: the recipe writes the
    // merge request's report with `scan .` too, so GitLab shows as new exactly what the review calls
    // new, and nothing as resolved.
    const json = JSON.parse(mlLens(repo.dir, 'review', '--base', 'main', '--format', 'json').stdout) as { findings: { status: string; fingerprint: string }[] };
    const reviewNew = json.findings.filter((f) => f.status === 'new').map((f) => f.fingerprint).sort();
    expect(reviewNew.length).toBeGreaterThan(0);
    const scanned = mlLens(repo.dir, 'scan', '.', '--format', 'gitlab', '--output', REPORT);
    expect(scanned.code).toBe(1); // a scan's gate counts every finding as new: the recipe does not gate on it
    const { added, resolved } = compare(baseReport, readReport(repo.dir));
    expect(fps(added)).toEqual(reviewNew);
    expect(resolved).toEqual([]);
    // Why the whole-repository report: the review's alone would make GitLab list the untouched
    // file's findings as resolved.
    expect(compare(baseReport, report).resolved.map((e) => e.location.path)).toContain('infra/data.tf');
  });

  it('a clean merge request: exit 0, a report of what is below the gate', () => {
    repo.git('checkout', '-q', '-b', 'endpoint-with-key', 'main');
    repo.write({ 'infra/endpoint.tf': SAFE_ENDPOINT });
    repo.commit('endpoint with a key');

    const r = mlLens(repo.dir, 'review', '--base', 'main', '--format', 'gitlab', '--output', REPORT);
    expect(r.stderr).toMatch(new RegExp(`^ml-lens: wrote gitlab report \\(gate: (success|neutral)\\) to ${REPORT}\\n$`));
    expect(r.code).toBe(0);
    const report = readReport(repo.dir);
    expect(report.length).toBeGreaterThan(0);
    expect(report.map((e) => e.check_name)).not.toContain('sagemaker-endpoint-kms');
    for (const e of report) expect(['major', 'minor', 'info']).toContain(e.severity); // below the default gate (high → critical)
  });

  it('an invalid base is exit 2, one line, and no report', () => {
    const r = mlLens(repo.dir, 'review', '--base', 'no-such-branch', '--format', 'gitlab', '--output', REPORT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ml-lens: [^\n]*no-such-branch[^\n]*\n$/);
    expect(existsSync(join(repo.dir, REPORT))).toBe(false);
  });
});

/**
 * The README's `.gitlab-ci.yml` job, word for word. Its script is run by `sh -e` (as the runner runs
 * the lines, stopping at the first that fails) with `ml-lens` on PATH and GitLab's variables set;
 * the file itself is committed, so the scans read it too (a `gitlab-ci` artifact).
 */
const GITLAB_CI_YML = `ml-lens:
  stage: test
  image: node:22
  variables:
    GIT_DEPTH: "0"  # the review needs the commit the merge request branched from
  before_script:
    - npm install --global --no-audit --no-fund "$ML_LENS_PACKAGE"
  script:
    # The whole repository's report, on the default branch and on merge requests: GitLab compares
    # the two to show what a merge request adds and resolves. A scan counts every finding as new,
    # so its exit code 1 is not the gate (2, an error, still fails the job).
    - ml-lens scan . --format gitlab --output gl-code-quality-report.json || [ $? -eq 1 ]
    # The gate, on merge requests: exit 1 when the change adds a finding at or above gate.fail_on.
    - if [ "$CI_PIPELINE_SOURCE" = "merge_request_event" ]; then ml-lens review --base "$CI_MERGE_REQUEST_DIFF_BASE_SHA"; fi
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`;

const GITLAB_JOB = (parseYaml(GITLAB_CI_YML) as { 'ml-lens': { script: string[]; artifacts: { reports: { codequality: string } } } })['ml-lens'];

describe('CI recipe (a): the .gitlab-ci.yml job script', { timeout: SLOW }, () => {
  let repo: TempRepo;
  let shimDir: string;
  let mainSha: string;

  beforeAll(() => {
    shimDir = mkdtempSync(join(tmpdir(), 'ml-lens-bin-'));
    writeFileSync(join(shimDir, 'ml-lens'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
    repo = tempRepo();
    repo.write({ 'infra/data.tf': BUCKET, '.gitlab-ci.yml': GITLAB_CI_YML });
    mainSha = repo.commit('training data bucket, CI');
  });
  afterAll(() => {
    repo.cleanup();
    rmSync(shimDir, { recursive: true, force: true });
  });

  it('the job is what GitLab reads: the script, and the report it writes as the codequality artifact', () => {
    expect(GITLAB_JOB.artifacts.reports.codequality).toBe(REPORT);
    expect(GITLAB_JOB.script).toHaveLength(2);
    expect(GITLAB_JOB.script.join('\n')).toContain(`--output ${REPORT}`);
  });

  function job(vars: Record<string, string>): Run {
    rmSync(join(repo.dir, REPORT), { force: true });
    const env = { ...testGitEnv(), NO_COLOR: '1', PATH: `${shimDir}:${process.env.PATH ?? ''}`, ...vars };
    const r = spawnSync('sh', ['-e', '-c', GITLAB_JOB.script.join('\n')], { cwd: repo.dir, env, encoding: 'utf8', timeout: 120_000 });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('default branch: writes the base report, passes although main has findings; merge requests: the gate decides', () => {
    const onMain = job({ CI_PIPELINE_SOURCE: 'push' });
    expect(onMain.code).toBe(0);
    const base = readReport(repo.dir);
    expect(base.length).toBeGreaterThan(0);

    repo.git('checkout', '-q', '-b', 'mr-risky', 'main');
    repo.write({ 'infra/endpoint.tf': RISKY_ENDPOINT });
    repo.commit('endpoint without a key');
    repo.git('checkout', '-q', '--detach'); // as the runner checks a merge request out
    const risky = job({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_DIFF_BASE_SHA: mainSha });
    expect(risky.code).toBe(1);
    expect(risky.stdout).toContain('sagemaker-endpoint-kms'); // the review's report, in the job log
    const { added, resolved } = compare(base, readReport(repo.dir)); // the artifact is written though the job fails
    expect(added.map((e) => e.check_name)).toContain('sagemaker-endpoint-kms');
    expect(new Set(added.map((e) => e.location.path))).toEqual(new Set(['infra/endpoint.tf']));
    expect(resolved).toEqual([]);

    repo.git('checkout', '-q', '-b', 'mr-clean', 'main');
    repo.write({ 'infra/endpoint.tf': SAFE_ENDPOINT });
    repo.commit('endpoint with a key');
    const clean = job({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_DIFF_BASE_SHA: mainSha });
    expect(clean.code).toBe(0);
    expect(compare(base, readReport(repo.dir)).added.map((e) => e.severity)).not.toContain('critical');
  });

  it('an error is not taken for a failed gate: with a bad configuration the scan (exit 2) fails the job', () => {
    repo.git('checkout', '-q', 'main');
    repo.write({ '.github/ml-lens.yml': 'gate:\n  fail_on: sometimes\n' });
    const r = job({ CI_PIPELINE_SOURCE: 'push' });
    expect(r.code).not.toBe(0); // 1: the status of `[ 2 -eq 1 ]`; GitLab fails the job on any
    expect(r.stderr).toMatch(/^ml-lens: invalid configuration/);
    expect(existsSync(join(repo.dir, REPORT))).toBe(false);
    rmSync(join(repo.dir, '.github'), { recursive: true, force: true });
  });
});

describe('CI recipe (b): any CI, a clone of origin', { timeout: SLOW }, () => {
  let parent: string;
  let origin: string;
  let seed: TempRepo;
  const clones: TempRepo[] = [];

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'ml-lens-origin-'));
    origin = join(parent, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin], { env: testGitEnv() });
    seed = tempRepo();
    seed.write({ 'infra/data.tf': BUCKET });
    seed.commit('training data bucket');
    seed.git('remote', 'add', 'origin', origin);
    seed.git('push', '-q', 'origin', 'main');
  });
  afterAll(() => {
    for (const c of clones) c.cleanup();
    seed.cleanup();
    rmSync(parent, { recursive: true, force: true });
  });

  /** A fresh clone of origin, as a CI job's checkout, with one commit of `files` on a branch. */
  function change(branch: string, files: Record<string, string>): TempRepo {
    const clone = tempClone(origin);
    clones.push(clone);
    clone.git('checkout', '-q', '-b', branch);
    clone.write(files);
    clone.commit(branch);
    return clone;
  }

  it('a failing change: `review --base origin/main` exits 1 (and so does the default base, origin/HEAD)', () => {
    const clone = change('drop-endpoint-key', { 'infra/endpoint.tf': RISKY_ENDPOINT });
    const r = mlLens(clone.dir, 'review', '--base', 'origin/main');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('sagemaker-endpoint-kms');
    expect(r.stdout).toContain('infra/endpoint.tf');
    expect(mlLens(clone.dir, 'review').code).toBe(1);
  });

  it('a clean change: exit 0, also after main moved on with a risk of its own', () => {
    // main gets a risky file after the branch point: not the change's, not reviewed.
    const clone = change('endpoint-with-key', { 'infra/endpoint.tf': SAFE_ENDPOINT });
    seed.write({ 'infra/legacy-endpoint.tf': RISKY_ENDPOINT.replace('"churn"', '"legacy"') });
    seed.commit('legacy endpoint');
    seed.git('push', '-q', 'origin', 'main');
    clone.git('fetch', '-q', '--no-tags', 'origin', '+refs/heads/main:refs/remotes/origin/main'); // the README's step

    const r = mlLens(clone.dir, 'review', '--base', 'origin/main', '--format', 'json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { gate: { conclusion: string }; findings: { rule: string; path: string }[] };
    expect(report.gate.conclusion).not.toBe('failure');
    expect(report.findings.map((f) => f.path)).not.toContain('infra/legacy-endpoint.tf');
    expect(report.findings.map((f) => f.rule)).not.toContain('sagemaker-endpoint-kms');
  });
});
