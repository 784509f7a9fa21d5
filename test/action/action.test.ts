/**
 * The GitHub Action's entry point (src/action.ts), run with the environment GitHub sets for a job:
 * the inputs as INPUT_*, GITHUB_EVENT_NAME and GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
 * GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_TOKEN. Mode review publishes through the API (nock, no
 * network); mode sarif reviews a local repository and writes SARIF.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planAction, runAction } from '../../src/action.js';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { GitHubMock } from '../app/github-mock.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { tempRepo, type TempRepo } from '../sources/git-helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HEAD = sha('after');
const BASE = sha('before');
let dir: string;
let rec: Recorder | undefined;

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  resetLabelCache();
  dir = mkdtempSync(join(tmpdir(), 'ml-lens-action-'));
});
afterEach(() => {
  rec?.stop();
  rec = undefined;
  nock.cleanAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment of a job run by `event`, with the inputs given. */
function jobEnv(event: string, payload: unknown, inputs: Record<string, string>, over: Record<string, string> = {}): Record<string, string> {
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  const outputPath = join(dir, 'output.txt');
  writeFileSync(outputPath, '');
  return {
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/churn-model',
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: outputPath,
    NO_COLOR: '1',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...over,
  };
}

const prEvent = (n = 7, base = BASE, head = HEAD) => ({ action: 'synchronize', number: n, pull_request: { number: n, base: { sha: base }, head: { sha: head } } });

function quiet() {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => void (out += s), isTTY: false }, stderr: { write: (s: string) => void (err += s), isTTY: false } }, out: () => out, err: () => err };
}

const outputs = (env: Record<string, string>) =>
  Object.fromEntries(
    readFileSync(env['GITHUB_OUTPUT']!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('=') as [string, string]),
  );

describe('action.yml', () => {
  it('runs the built entry point with every input it declares', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
      outputs: Record<string, unknown>;
      runs: { using: string; steps: { run?: string; env?: Record<string, string> }[] };
    };
    expect(action.runs.using).toBe('composite');
    const step = action.runs.steps.find((s) => s.run?.includes('dist/action.js'))!;
    for (const name of Object.keys(action.inputs).filter((n) => n !== 'github-token')) {
      expect(step.env?.[`INPUT_${name.toUpperCase()}`], name).toBe(`\${{ inputs.${name} }}`);
    }
    expect(step.env?.['GITHUB_TOKEN']).toBe('${{ inputs.github-token }}');
    expect(Object.keys(action.outputs).sort()).toEqual(['result', 'sarif-file']);
    expect(action.inputs['mode']!.default).toBe('review');
  });
});

describe('planAction', () => {
  it('mode review on a pull request: review --github OWNER/REPO#N, with fail-on and format', () => {
    const env = jobEnv('pull_request', prEvent(12), { mode: 'review', 'fail-on': 'critical', format: 'markdown' });
    expect(planAction(env)).toEqual({ argv: ['review', '--github', 'acme/churn-model#12', '--fail-on', 'critical', '--format', 'markdown'], softFail: false });
  });

  it('mode sarif: the pull request\'s range, or every file on other events', () => {
    const pr = planAction(jobEnv('pull_request', prEvent(), { mode: 'sarif' }));
    expect(pr).toEqual({ argv: ['review', '--repo', dir, '--base', BASE, '--head', HEAD, '--format', 'sarif', '--output', join(dir, 'ml-lens.sarif')], sarifFile: join(dir, 'ml-lens.sarif'), softFail: false });
    const push = planAction(jobEnv('push', { after: HEAD }, { mode: 'sarif', config: 'ci/ml-lens.yml', output: 'out/x.sarif' }));
    expect(push).toEqual({ argv: ['scan', dir, '--format', 'sarif', '--output', join(dir, 'out/x.sarif'), '--config', 'ci/ml-lens.yml'], sarifFile: join(dir, 'out/x.sarif'), softFail: false });
  });

  it('says what is wrong with the inputs or the event', () => {
    const err = (event: string, payload: unknown, inputs: Record<string, string>) => (planAction(jobEnv(event, payload, inputs)) as { error?: string }).error;
    expect(err('push', {}, { mode: 'review' })).toMatch(/^mode: review needs a pull_request or pull_request_target event \(this is push\)/);
    expect(err('pull_request', prEvent(), { mode: 'lint' })).toBe('mode: expected review or sarif, got "lint"');
    expect(err('pull_request', prEvent(), { 'fail-on': 'urgent' })).toBe('fail-on: expected one of critical, high, medium, low, info, got "urgent"');
    expect(err('pull_request', prEvent(), { config: 'x.yml' })).toMatch(/^config: in mode review the configuration is the default branch's/);
    expect(err('pull_request', {}, {})).toBe('the pull_request event payload has no pull request number and commits');
    expect(err('pull_request', prEvent(), { mode: 'sarif', format: 'json' })).toBe('format: mode sarif writes SARIF (got "json")');
  });
});

describe('runAction', () => {
  let files: ListedFile[];
  const { base, head } = exampleRepo();
  beforeAll(() => {
    files = listedFiles(base, head, { headSha: HEAD, patch: 'whole' });
  });

  it('mode review: publishes as the App does with the job token, the check concluding with the fail-on gate; result in GITHUB_OUTPUT', async () => {
    const checks: { conclusion?: string }[] = [];
    const gh = new GitHubMock()
      .commit(HEAD, head)
      .commit(BASE, base)
      .commit('main', base)
      .pull({ number: 7, head: HEAD, base: BASE, changedFiles: files.length }, 2)
      .config(base['.github/ml-lens.yml']!)
      .checkCreate(31)
      .listFiles(7, files)
      .tree(HEAD)
      .objects(1)
      .comments(7)
      .createComment(7)
      .reviewComments(7)
      .createReview(7);
    gh.scope.patch(`${gh.base}/check-runs/31`, (b: { conclusion?: string }) => !!checks.push(b)).reply(200, { id: 31 });
    rec = recordRequests();
    const env = jobEnv('pull_request', prEvent(), { mode: 'review', 'fail-on': 'critical' }, { GITHUB_TOKEN: 'ghs_job_token' });
    const q = quiet();
    const code = await runAction(env, q.io);
    gh.assertDone();
    rec.assertAllValid();
    // The example's findings are high at most: with fail-on critical the gate passes (with notes).
    expect(code).toBe(0);
    expect(checks[0]).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(q.err()).toContain('ml-lens review --github acme/churn-model#7 --fail-on critical');
    expect(outputs(env)).toEqual({ result: 'passed' });
    expect(rec.requests.some((r) => r.pathname.includes('access_tokens'))).toBe(false);
  });

  describe('mode sarif on a local repository', () => {
    let repo: TempRepo;
    let baseSha: string;
    let headSha: string;
    beforeAll(() => {
      repo = tempRepo();
      repo.copyTree(join(ROOT, 'examples', 'before'));
      repo.commit('before');
      baseSha = repo.git('rev-parse', 'HEAD').trim();
      repo.copyTree(join(ROOT, 'examples', 'after'));
      repo.commit('after');
      headSha = repo.git('rev-parse', 'HEAD').trim();
    });
    afterAll(() => repo.cleanup());

    it('writes SARIF of the pull request\'s change, fails the job on the gate, and names the file', async () => {
      const env = jobEnv('pull_request', prEvent(7, baseSha, headSha), { mode: 'sarif' }, { GITHUB_WORKSPACE: repo.dir });
      const code = await runAction(env, quiet().io);
      expect(code).toBe(1);
      const sarif = JSON.parse(readFileSync(join(repo.dir, 'ml-lens.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string; baselineState?: string; partialFingerprints?: Record<string, string> }[] }[] };
      expect(sarif.version).toBe('2.1.0');
      const results = sarif.runs[0]!.results;
      expect(results.map((r) => r.ruleId)).toContain('sagemaker-endpoint-kms');
      expect(results.every((r) => r.partialFingerprints && Object.keys(r.partialFingerprints).length > 0)).toBe(true);
      expect(outputs(env)).toEqual({ 'sarif-file': join(repo.dir, 'ml-lens.sarif'), result: 'failed' });
      rmSync(join(repo.dir, 'ml-lens.sarif'));
    });

    it('soft-fail: the same failing gate does not fail the job', async () => {
      const env = jobEnv('pull_request', prEvent(7, baseSha, headSha), { mode: 'sarif', 'soft-fail': 'true' }, { GITHUB_WORKSPACE: repo.dir });
      const q = quiet();
      expect(await runAction(env, q.io)).toBe(0);
      expect(outputs(env)['result']).toBe('failed');
      expect(q.err()).toContain('soft-fail is set');
      rmSync(join(repo.dir, 'ml-lens.sarif'));
    });

    it('a push: every file of the workspace, as new', async () => {
      const env = jobEnv('push', { after: headSha }, { mode: 'sarif', output: 'scan.sarif' }, { GITHUB_WORKSPACE: repo.dir });
      expect(await runAction(env, quiet().io)).toBe(1);
      const sarif = JSON.parse(readFileSync(join(repo.dir, 'scan.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
      expect(sarif.runs[0]!.results.length).toBeGreaterThan(10);
      rmSync(join(repo.dir, 'scan.sarif'));
    });
  });

  it('a bad input: exit code 2, the reason on one line, result error', async () => {
    const env = jobEnv('push', {}, { mode: 'review' });
    const q = quiet();
    expect(await runAction(env, q.io)).toBe(2);
    expect(q.err()).toMatch(/^ml-lens: mode: review needs a pull_request/);
    expect(outputs(env)).toEqual({ result: 'error' });
  });
});
