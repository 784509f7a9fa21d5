/**
 * The pull request job: configuration, the change, the catalogue, `review()`, then (if the head has
 * not moved meanwhile) publishing. Shared by the App's queue worker and `ml-lens review --github`.
 *
 * The check run is the job's report: it is created `in_progress` once the repository is known to
 * be configured, and every way out ends it — completed with the gate, `neutral` when a newer head
 * superseded the run or the process stopped before the review finished (the queue's
 * `control.signal`, honoured between steps and while waiting on a long one), `failure` with the
 * reason for an invalid configuration, unusable custom rules or templates, or any error (caught
 * here, at the job boundary, and logged).
 */
import { ConfigError } from '../config/load.js';
import { loadRemoteConfig, type RemoteConfig } from '../config/remote.js';
import type { Config } from '../config/schema.js';
import type { Catalogue, Review, Severity } from '../model.js';
import {
  failCheckRun,
  findOpenCheckRun,
  handleRequestedAction,
  neutralCheckRun,
  publishReview,
  startCheckRun,
  Superseded,
  type GitHubTarget,
  type PublishInput,
  type TrackedIssue,
} from '../publish/github/index.js';
import type { RetryOptions } from '../publish/github/retry.js';
import { inlineRunner, type ReviewRunner } from '../runner/index.js';
import { pullRequestChangeSet } from '../sources/github.js';
import { findPullRequest, readPullRequest } from '../sources/github-pulls.js';
import { describeError } from './errors.js';
import { coveredPaths } from './history.js';
import { createEngine } from '../engine.js';
import { planInput, repoSetup, setupRequest, SetupError, sourcePlan } from './setup.js';
import { silentLog, type JobLog, type PullRequestFacts } from './types.js';
import type { ContextCache } from './context-cache.js';
import type { LearntFact } from '../parse-cache.js';

export interface PullRequestRequest {
  /** Unknown only when a check run re-run did not name it: found from the head commit. */
  pullNumber?: number | undefined;
  /** The commit to review; default: the pull request's head. */
  headSha?: string | undefined;
  /** From the webhook payload; otherwise the pull request is read. */
  pr?: PullRequestFacts | undefined;
  defaultBranch?: string | undefined;
  /** What asked for the review, for logs. */
  trigger: string;
  /** A pressed check run button: run the action on the review instead of publishing it. */
  action?: { identifier: string; checkRunId: number } | undefined;
}

export interface JobEnv {
  log?: JobLog;
  now?: () => Date;
  toolVersion?: string;
  reviewDrafts?: boolean;
  /**
   * Set by the queue: `superseded` when a newer job for the same pull request arrived, `signal`
   * aborted when the process is stopping (the check run is then ended at once).
   */
  control?: { readonly superseded: boolean; readonly signal?: AbortSignal | undefined; readonly resumed?: boolean | undefined };
  /** Where the review runs: the App's worker pool (a time budget per file); default: this thread. */
  runner?: ReviewRunner;
  /** How publishing retries what GitHub says to retry. */
  retry?: RetryOptions;
  /** The gate's severity instead of the configuration's `gate.fail_on` (the command line's `--fail-on`). */
  failOn?: Severity;
  /** What earlier reviews of the repository remember of its unchanged files (jobs/context-cache.ts). */
  contextCache?: ContextCache | undefined;
  /** An interrupted job goes back to a queue another process takes it from (Redis): the check run says so. */
  resumes?: boolean | undefined;
}

/**
 * How a review job ended. A published review carries what it published (no `!` needed to reach
 * it); every other end says why in one line.
 */
export type ReviewOutcome =
  | {
      outcome: 'published';
      pullNumber: number;
      checkRunId: number;
      review: Review;
      catalogue: Catalogue;
      config: Config;
      /** Requests the publishing made (the rest of the API budget is counted by the caller). */
      publishRequests: number;
      /** The changed paths the review covered (a renamed file's old path too), for the history. */
      paths: string[];
      /** The tracking issues as the publish left them, when it synced them. */
      issues?: TrackedIssue[] | undefined;
    }
  | { outcome: 'action-done'; pullNumber: number; checkRunId: number; review: Review; issues?: TrackedIssue[] | undefined }
  | {
      outcome: 'superseded' | 'not-configured' | 'draft' | 'closed' | 'no-pull-request' | 'invalid-config' | 'setup-error' | 'failed' | 'interrupted';
      pullNumber?: number | undefined;
      checkRunId?: number | undefined;
      /** Why, in one line. */
      reason?: string | undefined;
    };

/** Why a job ended without publishing, if it did (for the log line). */
export function reasonOf(outcome: ReviewOutcome): string | undefined {
  return 'reason' in outcome ? outcome.reason : undefined;
}

export const externalId = (pullNumber: number): string => `pr:${pullNumber}`;

/** The pull request number a check run's `external_id` carries (ours: `pr:<n>`). */
export function pullFromExternalId(id: string | null | undefined): number | undefined {
  const m = /^pr:(\d+)$/.exec(id ?? '');
  return m ? Number(m[1]) : undefined;
}

const short = (sha: string): string => sha.slice(0, 7);

export const INTERRUPTED = 'Interrupted: the reviewer restarted before this review finished; re-run the check';
export const INTERRUPTED_RESUMED = 'Interrupted: the reviewer restarted before this review finished; another reviewer takes it up on a new check run';

/** The queue told the job to stop: the process is shutting down. */
class Interrupted extends Error {
  constructor() {
    super('interrupted: the reviewer is stopping');
    this.name = 'Interrupted';
  }
}

/** Between steps: stop once told to. */
function checkpoint(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Interrupted();
}

/**
 * A long step raced against the signal: once told to stop, the job stops waiting for it (the step
 * is abandoned; the process exits right after) and ends its check run instead.
 */
function untilInterrupted<T>(signal: AbortSignal | undefined, step: Promise<T>): Promise<T> {
  if (!signal) return step;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new Interrupted());
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    step.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e);
      },
    );
  });
}

/** Reads the configuration; an invalid one is reported on a failing check run. */
async function configuration(
  gh: GitHubTarget,
  log: JobLog,
  checkRun: () => Promise<number>,
): Promise<{ remote: RemoteConfig } | { outcome: ReviewOutcome }> {
  try {
    const remote = await loadRemoteConfig(gh.octokit, gh.owner, gh.repo);
    if (!remote) return { outcome: { outcome: 'not-configured', reason: 'no .github/ml-lens.yml in the repository or its organisation' } };
    return { remote };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const reason = `Invalid configuration${e.file ? ` in ${e.file}` : ''}`;
    log.warn({ problems: e.problems }, reason);
    const checkRunId = await checkRun();
    await failCheckRun(gh, checkRunId, { reason, details: e.problems });
    return { outcome: { outcome: 'invalid-config', checkRunId, reason } };
  }
}

/**
 * Reviews a pull request and publishes the result. Never throws for what happens after the check
 * run exists (the check run says it); errors before that (reading the pull request or the
 * configuration) propagate to the caller, which logs them.
 */
export async function reviewPullRequest(gh: GitHubTarget, request: PullRequestRequest, env: JobEnv = {}): Promise<ReviewOutcome> {
  const log = env.log ?? silentLog;
  const control = env.control ?? { superseded: false };
  const signal = env.control?.signal;
  const action = request.action;

  const pullNumber = request.pullNumber ?? (request.headSha ? await findPullRequest(gh, request.headSha) : undefined);
  if (pullNumber === undefined) {
    log.info({ sha: request.headSha }, 'no open pull request has this commit as its head: nothing to review');
    return { outcome: 'no-pull-request' };
  }
  let facts = request.pr;
  let defaultBranch = request.defaultBranch;
  if (!facts || defaultBranch === undefined) {
    const read = await readPullRequest(gh, pullNumber);
    facts ??= read;
    defaultBranch ??= read.defaultBranch;
  }
  const headSha = request.headSha ?? facts.headSha;

  if (facts.state === 'closed' && !action) return { outcome: 'closed', pullNumber, reason: 'the pull request is closed' };
  if (facts.draft && !env.reviewDrafts && !action && request.trigger !== 'rerequested') {
    log.info({ pullNumber }, 'draft pull request: skipped until it is ready for review');
    return { outcome: 'draft', pullNumber, reason: 'draft pull request' };
  }

  const start = async (): Promise<number> => {
    if (action) return action.checkRunId;
    // A run of this job whose worker died left its check run in progress: this run takes it over.
    if (env.control?.resumed) {
      const open = await findOpenCheckRun(gh, headSha, externalId(pullNumber));
      if (open !== undefined) {
        log.info({ pullNumber, headSha, checkRunId: open }, 'resumed: taking over the check run a stopped reviewer left in progress');
        return open;
      }
    }
    return startCheckRun(gh, headSha, { externalId: externalId(pullNumber) });
  };
  const configured = await configuration(gh, log, start);
  if ('outcome' in configured) return { ...configured.outcome, pullNumber };
  const { sources } = configured.remote;
  const config = env.failOn ? { ...configured.remote.config, gate: { ...configured.remote.config.gate, fail_on: env.failOn } } : configured.remote.config;

  if (control.superseded && !action) {
    log.info({ pullNumber, headSha }, 'superseded by a newer head before it started: dropped');
    return { outcome: 'superseded', pullNumber, reason: 'superseded before it started' };
  }

  if (signal?.aborted) {
    log.info({ pullNumber, headSha }, 'interrupted before its check run was created: nothing to hand back');
    return { outcome: 'interrupted', pullNumber, reason: 'interrupted before it started' };
  }
  const checkRunId = await start();
  const interrupted = async (): Promise<ReviewOutcome> => {
    log.warn({ pullNumber, headSha, checkRunId }, 'interrupted: the reviewer is stopping; the check run is ended for a re-run');
    // A button's run is already completed with its review: the interrupted action leaves it as it is.
    if (!action) await neutralCheckRun(gh, checkRunId, { why: 'interrupted', resumed: env.resumes });
    return { outcome: 'interrupted', pullNumber, checkRunId, reason: env.resumes ? INTERRUPTED_RESUMED : INTERRUPTED };
  };
  const superseded = async (newHead: string | undefined): Promise<ReviewOutcome> => {
    const reason = newHead
      ? `Superseded: the pull request's head moved from ${short(headSha)} to ${short(newHead)}; the newer commit is reviewed instead.`
      : `Superseded: a newer event for this pull request (a new commit or a new base) is reviewed instead of ${short(headSha)}.`;
    log.info({ pullNumber, headSha, newHead }, 'superseded');
    await neutralCheckRun(gh, checkRunId, { why: 'superseded', headSha, newHead });
    return { outcome: 'superseded', pullNumber, checkRunId, reason };
  };

  /** The parse cache's write of what the review learnt: done before the job ends, never failing it. */
  let learning: Promise<void> | undefined;
  try {
    if (!action && facts.headSha !== headSha) return await superseded(facts.headSha);

    checkpoint(signal);
    const engine = await createEngine();
    const plan = sourcePlan(engine, config, env.now?.() ?? new Date());
    const source = await untilInterrupted(
      signal,
      pullRequestChangeSet(
        gh,
        { number: pullNumber, headSha, baseSha: facts.baseSha, changedFiles: facts.changedFiles, title: facts.title },
        { plan, extras: setupRequest(config, defaultBranch), known: env.contextCache?.known(plan.context) },
      ),
    );
    const setup = repoSetup(engine, source.extras, config);
    const runner = env.runner ?? inlineRunner;
    const reviewInput = planInput(env, config, setup.catalogue, sources);
    // The same plan the review is made with (the runner builds it from the same input).
    const reviewPlan = engine.plan(reviewInput);
    // What the review learns of the context files it read is remembered while it publishes.
    const cache = env.contextCache;
    const learn = cache ? (facts: LearntFact[]) => void (learning = cache.learn(reviewPlan.context, facts)) : undefined;
    const result = await untilInterrupted(signal, runner.review(source.changeSet, reviewInput, { toolVersion: env.toolVersion, signal, learn }));

    checkpoint(signal);

    const input: PublishInput = {
      checkRunId,
      review: result,
      catalogue: setup.catalogue,
      settings: reviewPlan.publish,
      pullNumber,
      headSha,
      baseSha: facts.baseSha,
      patches: source.patches,
      defaultBranch,
      codeowners: setup.codeowners,
    };
    if (setup.templates) input.templates = setup.templates;

    if (action) {
      const done = await untilInterrupted(signal, handleRequestedAction(gh, action.identifier, input));
      log.info({ pullNumber, action: action.identifier }, 'check run action done');
      return { outcome: 'action-done', pullNumber, checkRunId, review: result, ...(done.issues ? { issues: done.issues } : {}) };
    }

    // The guard that holds across processes: publish only for the current head.
    if (control.superseded) return await superseded(undefined);
    const now = await untilInterrupted(signal, readPullRequest(gh, pullNumber));
    if (now.headSha !== headSha) return await superseded(now.headSha);

    // A head that moves while publishing (a force push) ends the run superseded, at whatever step.
    input.head = { known: () => control.superseded, read: async () => (await readPullRequest(gh, pullNumber)).headSha };
    if (env.retry) input.retry = env.retry;
    const published = await untilInterrupted(signal, publishReview(gh, input));
    if (published.unpublished.length > 0) log.warn({ pullNumber, headSha, unpublished: published.unpublished }, 'review published in part');
    log.info(
      { pullNumber, headSha, conclusion: result.gate.conclusion, findings: result.findings.length, publishRequests: published.requests },
      'review published',
    );
    return {
      outcome: 'published',
      pullNumber,
      checkRunId,
      review: result,
      catalogue: setup.catalogue,
      config,
      publishRequests: published.requests,
      paths: coveredPaths(source.changeSet),
      ...(published.issues ? { issues: published.issues } : {}),
    };
  } catch (e) {
    if (e instanceof Interrupted) return await interrupted();
    if (e instanceof Superseded) return await superseded(e.newHead);
    const setupError = e instanceof SetupError;
    const reason = setupError ? e.title : describeError(e);
    log.error({ err: e, pullNumber, headSha }, `review failed: ${reason}`);
    await failCheckRun(gh, checkRunId, { reason, details: setupError ? e.problems : undefined, action: action?.identifier });
    return { outcome: setupError ? 'setup-error' : 'failed', pullNumber, checkRunId, reason };
  } finally {
    await learning;
  }
}
