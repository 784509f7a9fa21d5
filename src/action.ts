/**
 * The GitHub Action's entry point (action.yml runs `node dist/action.js` after building the
 * package in the action's folder): it reads the inputs and the environment GitHub sets for a job,
 * and runs the command line, in-process, with the arguments they call for.
 *
 * - `mode: review` (a `pull_request` or `pull_request_target` event): `ml-lens review --github
 *   OWNER/REPO#N`, which publishes the check run, summary comment, inline review and (if the
 *   configuration asks) tracking issues as the App does, with the job's token. The configuration
 *   is the default branch's, as for the App: a pull request cannot loosen its own gate.
 * - `mode: sarif`: SARIF for `github/codeql-action/upload-sarif`. On a pull request event, the
 *   change (`review --base <base sha> --head <head sha>`, which needs the history: checkout with
 *   `fetch-depth: 0`); on any other event, every file of the workspace (`scan`).
 *
 * The job fails when the gate fails (exit code 1), unless `soft-fail` is set; a usage or setup
 * error always fails it (exit code 2). The outputs `result` (passed, failed or error) and, in
 * sarif mode, `sarif-file` are written to GITHUB_OUTPUT.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT, main, type Io } from './cli.js';
import { SEVERITIES } from './model.js';

export const ACTION_MODES = ['review', 'sarif'] as const;
export type ActionMode = (typeof ACTION_MODES)[number];

/** What the action was asked for, and by which event: the command line's arguments, or why not. */
export type ActionPlan = { argv: string[]; sarifFile?: string; softFail: boolean } | { error: string };

/** An input as action.yml passes it: `INPUT_<NAME>` (GitHub's own convention), blank meaning unset. */
function input(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[`INPUT_${name.toUpperCase()}`]?.trim();
  return v ? v : undefined;
}

interface PullRequestEvent {
  number: number;
  baseSha: string;
  headSha: string;
}

/** The pull request of a `pull_request` / `pull_request_target` event payload, or null. */
function pullRequestOf(eventName: string | undefined, eventPath: string | undefined): PullRequestEvent | null | { error: string } {
  if (eventName !== 'pull_request' && eventName !== 'pull_request_target') return null;
  if (!eventPath) return { error: 'GITHUB_EVENT_PATH is not set: run the action in a GitHub Actions job' };
  let payload: { pull_request?: { number?: unknown; base?: { sha?: unknown }; head?: { sha?: unknown } } };
  try {
    payload = JSON.parse(readFileSync(eventPath, 'utf8')) as typeof payload;
  } catch (e) {
    return { error: `cannot read the event payload (${eventPath}): ${e instanceof Error ? e.message : String(e)}` };
  }
  const pr = payload.pull_request;
  if (!pr || typeof pr.number !== 'number' || typeof pr.base?.sha !== 'string' || typeof pr.head?.sha !== 'string') {
    return { error: `the ${eventName} event payload has no pull request number and commits` };
  }
  return { number: pr.number, baseSha: pr.base.sha, headSha: pr.head.sha };
}

/** The command line for the inputs and the job's environment. Pure but for reading the event file. */
export function planAction(env: Record<string, string | undefined>): ActionPlan {
  const mode = (input(env, 'mode') ?? 'review') as ActionMode;
  if (!ACTION_MODES.includes(mode)) return { error: `mode: expected review or sarif, got "${mode}"` };
  const failOn = input(env, 'fail-on');
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn)) return { error: `fail-on: expected one of ${SEVERITIES.join(', ')}, got "${failOn}"` };
  const softFail = input(env, 'soft-fail') === 'true';
  const config = input(env, 'config');
  const format = input(env, 'format');
  const output = input(env, 'output');
  const repository = env['GITHUB_REPOSITORY'];
  const workspace = env['GITHUB_WORKSPACE'] ?? '.';
  const pr = pullRequestOf(env['GITHUB_EVENT_NAME'], env['GITHUB_EVENT_PATH']);
  if (pr && 'error' in pr) return pr;
  const common = [...(failOn ? ['--fail-on', failOn] : []), ...(format ? ['--format', format] : []), ...(output ? ['--output', output] : [])];

  if (mode === 'review') {
    if (!pr) return { error: `mode: review needs a pull_request or pull_request_target event (this is ${env['GITHUB_EVENT_NAME'] ?? 'no event'}); use mode: sarif for pushes and schedules` };
    if (!repository) return { error: 'GITHUB_REPOSITORY is not set: run the action in a GitHub Actions job' };
    if (config) return { error: 'config: in mode review the configuration is the default branch\'s .github/ml-lens.yml, as for the App (a pull request cannot change its own gate); config applies to mode sarif' };
    return { argv: ['review', '--github', `${repository}#${pr.number}`, ...common], softFail };
  }

  // sarif: a file upload-sarif reads; relative to the workspace, as the next step sees it.
  const sarif = output ?? 'ml-lens.sarif';
  const sarifFile = isAbsolute(sarif) ? sarif : join(workspace, sarif);
  if (format !== undefined && format !== 'sarif') return { error: `format: mode sarif writes SARIF (got "${format}")` };
  const rest = [...(failOn ? ['--fail-on', failOn] : []), '--format', 'sarif', '--output', sarifFile, ...(config ? ['--config', config] : [])];
  const argv = pr ? ['review', '--repo', workspace, '--base', pr.baseSha, '--head', pr.headSha, ...rest] : ['scan', workspace, ...rest];
  return { argv, sarifFile, softFail };
}

/** Runs the action: the plan, the command line, the outputs. Returns the process's exit code. */
export async function runAction(env: Record<string, string | undefined>, io: Partial<Io> = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const plan = planAction(env);
  const outputs: Record<string, string> = {};
  let code: number;
  if ('error' in plan) {
    stderr.write(`ml-lens: ${plan.error}\n`);
    code = EXIT.error;
  } else {
    stderr.write(`ml-lens ${plan.argv.join(' ')}\n`);
    code = await main(plan.argv, { ...io, env });
    if (plan.sarifFile && code !== EXIT.error) outputs['sarif-file'] = plan.sarifFile;
  }
  outputs['result'] = code === EXIT.pass ? 'passed' : code === EXIT.fail ? 'failed' : 'error';
  const file = env['GITHUB_OUTPUT'];
  if (file) appendFileSync(file, Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join(''));
  if (code === EXIT.fail && !('error' in plan) && plan.softFail) {
    stderr.write('ml-lens: the gate failed; soft-fail is set, so the job does not\n');
    return EXIT.pass;
  }
  return code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runAction(process.env);
}
