/**
 * `ml-lens review --github OWNER/REPO#N`: the App's review and publishing of one pull request,
 * run from any CI through `@octokit/rest` with the token in `GITHUB_TOKEN` (`GITHUB_API_URL` for
 * GitHub Enterprise Server). The configuration, custom rules and templates are read from the
 * repository's default branch, as the App reads them; the check run, summary comment and inline
 * review are published the same way (the token needs checks, pull requests and issues write
 * access: the `GITHUB_TOKEN` of a workflow with those permissions has it).
 */
import { Octokit } from '@octokit/rest';
import type { Config } from '../config/schema.js';
import type { Catalogue, Review, Severity } from '../model.js';
import { describeError } from './errors.js';
import { reviewPullRequest } from './review-pull-request.js';
import type { JobLog } from './types.js';
import { WorkerPool, type ReviewRunner } from '../runner/index.js';

/** The review could not be run or published; the message says why in one line. */
export class GitHubReviewError extends Error {
  override readonly name = 'GitHubReviewError';
}

/** `OWNER/REPO#N` (also `OWNER/REPO/pull/N` and a pull request URL). */
export function parsePullRequestRef(value: string): { owner: string; repo: string; pullNumber: number } | null {
  const m =
    /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([\w.-]+)#(\d+)$/.exec(value) ??
    /^(?:https?:\/\/[^/]+\/)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([\w.-]+)\/pulls?\/(\d+)\/?$/.exec(value);
  if (!m) return null;
  const pullNumber = Number(m[3]);
  return pullNumber > 0 ? { owner: m[1]!, repo: m[2]!, pullNumber } : null;
}

export interface CommandLineReview {
  review: Review;
  catalogue: Catalogue;
  config: Config;
  checkRunId: number;
}

export async function reviewGitHubPullRequest(
  ref: string,
  options: {
    env: Record<string, string | undefined>;
    now: () => Date;
    version: string;
    log?: JobLog;
    octokit?: Octokit;
    runner?: ReviewRunner;
    /** The gate's severity instead of the configuration's `gate.fail_on` (`--fail-on`). */
    failOn?: Severity;
  },
): Promise<CommandLineReview> {
  const target = parsePullRequestRef(ref);
  if (!target) throw new GitHubReviewError(`--github takes OWNER/REPO#NUMBER (got "${ref}")`);
  let octokit = options.octokit;
  if (!octokit) {
    const token = options.env['GITHUB_TOKEN'];
    if (!token) throw new GitHubReviewError('--github needs a token in the GITHUB_TOKEN environment variable');
    const baseUrl = options.env['GITHUB_API_URL'];
    // Failed requests are reported once, by the review, not logged by Octokit as well (a 404 is
    // how a missing configuration file is found).
    const quiet = () => {};
    octokit = new Octokit({
      auth: token,
      userAgent: `ml-lens/${options.version}`,
      log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      ...(baseUrl ? { baseUrl } : {}),
    });
  }
  const gh = { octokit, owner: target.owner, repo: target.repo };
  const name = `${target.owner}/${target.repo}#${target.pullNumber}`;
  let outcome;
  // As in the App: the review runs in a worker thread, each file held to the time budget.
  const runner = options.runner ?? new WorkerPool({ size: 1, env: options.env });
  try {
    outcome = await reviewPullRequest(
      gh,
      { pullNumber: target.pullNumber, trigger: 'command-line' },
      { now: options.now, toolVersion: options.version, reviewDrafts: true, runner, ...(options.log ? { log: options.log } : {}), ...(options.failOn ? { failOn: options.failOn } : {}) },
    );
  } catch (e) {
    throw new GitHubReviewError(`${name}: ${describeError(e)}`);
  } finally {
    if (!options.runner) await runner.close();
  }
  switch (outcome.outcome) {
    case 'published':
      return { review: outcome.review, catalogue: outcome.catalogue, config: outcome.config, checkRunId: outcome.checkRunId };
    case 'not-configured':
      throw new GitHubReviewError(`${name}: the repository has no .github/ml-lens.yml on its default branch (nor has its organisation's .github repository); add one (an empty file gives the defaults)`);
    case 'action-done':
      throw new GitHubReviewError(`${name}: a button action, not a review`);
    default:
      throw new GitHubReviewError(`${name}: ${outcome.reason ?? outcome.outcome}${outcome.checkRunId !== undefined ? ' (the check run says so too)' : ''}`);
  }
}
