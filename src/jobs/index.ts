/**
 * The worker: runs queued jobs, and tells the queue which jobs make others pointless.
 *
 * - Reviews of one pull request share a key; a newer review absorbs queued ones (latest head
 *   wins) and marks a running one superseded when the head or base differs. Button presses
 *   (`action`) share the key, so they never run beside a review of the same pull request, but are
 *   never dropped.
 * - Pushes of one repository share a key; a newer push absorbs a queued one (the touched paths
 *   are united, the newest commit is read), so no touched file is forgotten.
 */
import type { Octokit } from '@octokit/rest';
import { countRequests } from '../publish/github/request-count.js';
import { retryDelay } from '../publish/github/retry.js';
import { RetryableError } from '../queue/retryable.js';
import type { QueuedJob, Worker } from '../queue/types.js';
import type { StoreOp } from '../store/index.js';
import { contextCache } from './context-cache.js';
import { describeError } from './errors.js';
import { branchRef, pullRef, reviewOp, type ReviewFacts } from './history.js';
import { reconcilePush } from './push.js';
import { reasonOf, reviewPullRequest } from './review-pull-request.js';
import type { JobData, JobDeps, JobLog, PushJob } from './types.js';

export type { ActionJob, JobData, JobDeps, JobLog, PullRequestFacts, PushJob, ReviewJob } from './types.js';
export { reviewPullRequest, pullFromExternalId, externalId, type ReviewOutcome, type PullRequestRequest } from './review-pull-request.js';
export { reconcilePush, type PushRequest } from './push.js';

/** Jobs with the same key run one at a time. */
export function jobKey(d: JobData): string {
  const repo = `${d.owner}/${d.repo}`.toLowerCase();
  if (d.type === 'push') return `${repo}:push`;
  return d.pullNumber !== undefined ? `${repo}#${d.pullNumber}` : `${repo}@${d.headSha}`;
}

/** The job for a webhook delivery: its id is the delivery id, so a redelivery is ignored. */
export function toQueuedJob(d: JobData): QueuedJob<JobData> {
  return { key: jobKey(d), id: `${d.deliveryId}:${d.type}`, data: d };
}

function mergePush(queued: PushJob, incoming: PushJob): PushJob {
  const paths = queued.paths === undefined || incoming.paths === undefined ? undefined : [...new Set([...queued.paths, ...incoming.paths])];
  return { ...incoming, before: queued.before, paths };
}

interface Measured<T> {
  result: T;
  /** The job's requests to GitHub, every page of a list (and the installation token's, when the job fetched one). */
  apiCalls: number;
  durationMs: number;
}

async function measured<T>(octokit: Octokit, fn: () => Promise<T>): Promise<Measured<T>> {
  const start = performance.now();
  const { result, requests } = await countRequests(octokit, fn);
  return { result, apiCalls: requests, durationMs: Math.round(performance.now() - start) };
}

/**
 * With a queue that retries (`deps.retryable`), a failure GitHub says is worth trying again (a 5xx,
 * no answer, a rate limit) is thrown for the queue to run the job again later: after GitHub's
 * rate-limit reset or `retry-after` when it names one. Otherwise the caller logs it and the job ends.
 */
function throwIfRetryable(deps: JobDeps, e: unknown, what: string): void {
  if (!deps.retryable) return;
  const wait = retryDelay(e, 1, Date.now());
  if (wait !== null) throw new RetryableError(`${what}: ${describeError(e)}`, wait, { cause: e });
}

export function createWorker(deps: JobDeps): Worker<JobData> {
  return {
    absorb(queued, incoming) {
      if (queued.type === 'review' && incoming.type === 'review') return incoming;
      if (queued.type === 'push' && incoming.type === 'push') return mergePush(queued, incoming);
      return undefined;
    },
    outdates(running, incoming) {
      if (running.type !== 'review' || incoming.type !== 'review') return false;
      if (running.headSha !== incoming.headSha || incoming.trigger === 'edited') return true;
      // A base change: only when both know their base (a re-run reads it when it starts).
      return running.pr !== undefined && incoming.pr !== undefined && running.pr.baseSha !== incoming.pr.baseSha;
    },
    async run(job, control) {
      const d = job.data;
      const bindings: Record<string, unknown> = { name: 'ml-lens', id: d.deliveryId, job: d.type, repo: `${d.owner}/${d.repo}` };
      if (d.type !== 'push' && d.pullNumber !== undefined) bindings['pull'] = d.pullNumber;
      const log: JobLog = deps.log.child?.(bindings) ?? deps.log;
      if (d.botSender && (await deps.isOwnBot?.(d.botSender))) {
        log.debug({ sender: d.botSender }, `${d.type} job dropped: the event was caused by this App`);
        return;
      }
      let octokit: Octokit;
      try {
        octokit = await deps.octokitFor(d.installationId);
      } catch (e) {
        throwIfRetryable(deps, e, 'cannot authenticate as the installation');
        log.error({ err: e }, `cannot authenticate as the installation: ${describeError(e)}`);
        return;
      }
      const gh = { octokit, owner: d.owner, repo: d.repo };
      /** What the history keeps of a job: its repository, its time and its requests (see remember()). */
      const facts = (m: Measured<unknown>) => ({
        repository: { id: d.repositoryId!, fullName: `${d.owner}/${d.repo}`, installationId: d.installationId },
        durationMs: m.durationMs,
        apiCalls: m.apiCalls,
        toolVersion: deps.toolVersion,
        at: deps.now(),
      });
      /** After publishing: never fails the job, and never runs before the publish is done. */
      const remember = async (op: () => StoreOp): Promise<void> => {
        if (!deps.history) return;
        if (d.repositoryId === undefined) {
          log.debug({}, 'not recorded in the history: the job does not know the repository id');
          return;
        }
        try {
          await deps.history.write(op());
        } catch (e) {
          log.error({ err: e }, `recording the review in the history failed: ${describeError(e)}`);
        }
      };
      // The parse cache is per repository: a job that does not know the repository's id reads everything.
      const cache = deps.parseCache && d.repositoryId !== undefined ? contextCache(deps.parseCache, { id: d.repositoryId, fullName: `${d.owner}/${d.repo}`, installationId: d.installationId }) : undefined;
      const env = { log, now: deps.now, toolVersion: deps.toolVersion, ...(deps.runner ? { runner: deps.runner } : {}), ...(deps.retry ? { retry: deps.retry } : {}), contextCache: cache, resumes: deps.retryable === true };
      try {
        switch (d.type) {
          case 'review': {
            const m = await measured(octokit, () =>
              reviewPullRequest(
                gh,
                { pullNumber: d.pullNumber, headSha: d.headSha, pr: d.pr, defaultBranch: d.defaultBranch, trigger: d.trigger },
                { ...env, reviewDrafts: deps.reviewDrafts ?? false, control },
              ),
            );
            const r = m.result;
            log.info({ outcome: r.outcome, reason: reasonOf(r), checkRunId: r.checkRunId }, `review job: ${r.outcome}`);
            if (r.outcome === 'published') {
              await remember(() => {
                const pr: ReviewFacts = {
                  ...facts(m),
                  kind: 'pr',
                  number: r.pullNumber,
                  ref: pullRef(r.pullNumber),
                  headSha: r.review.meta.head ?? d.headSha,
                  baseSha: r.review.meta.base ?? null,
                  paths: r.paths,
                };
                return reviewOp(r.review, pr, r.issues);
              });
            }
            return;
          }
          case 'action': {
            const m = await measured(octokit, () =>
              reviewPullRequest(
                gh,
                {
                  pullNumber: d.pullNumber,
                  headSha: d.headSha,
                  defaultBranch: d.defaultBranch,
                  trigger: 'requested_action',
                  action: { identifier: d.identifier, checkRunId: d.checkRunId },
                },
                env,
              ),
            );
            const r = m.result;
            log.info({ outcome: r.outcome, reason: reasonOf(r), requestedBy: d.requestedBy }, `action job: ${r.outcome}`);
            // A button opens issues without a new review to record: only where they stand is kept.
            if (r.outcome === 'action-done' && r.issues?.length) {
              const { repository, at } = facts(m);
              await remember(() => ({ type: 'issues', repository, issues: r.issues!, at }));
            }
            return;
          }
          case 'push': {
            const m = await measured(octokit, () => reconcilePush(gh, { before: d.before, after: d.after, defaultBranch: d.defaultBranch, paths: d.paths }, env));
            const r = m.result;
            log.info({ outcome: r.outcome, reason: r.reason }, `push job: ${r.outcome}`);
            const done = r.reconciled;
            if (done) {
              await remember(() => {
                const push: ReviewFacts = { ...facts(m), kind: 'push', number: null, ref: branchRef(d.defaultBranch), headSha: d.after, baseSha: d.before, paths: done.paths };
                return reviewOp(done.review, push, done.issues);
              });
            }
            return;
          }
        }
      } catch (e) {
        // Before a check run exists (reading the pull request or the configuration failed).
        throwIfRetryable(deps, e, `${d.type} job failed`);
        log.error({ err: e }, `${d.type} job failed: ${describeError(e)}`);
      }
    },
  };
}
