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
import type { QueuedJob, Worker } from '../queue/types.js';
import { describeError } from './errors.js';
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
        log.error({ err: e }, `cannot authenticate as the installation: ${describeError(e)}`);
        return;
      }
      const gh = { octokit, owner: d.owner, repo: d.repo };
      const env = { log, now: deps.now, toolVersion: deps.toolVersion, ...(deps.runner ? { runner: deps.runner } : {}), ...(deps.retry ? { retry: deps.retry } : {}) };
      try {
        switch (d.type) {
          case 'review': {
            const r = await reviewPullRequest(
              gh,
              { pullNumber: d.pullNumber, headSha: d.headSha, pr: d.pr, defaultBranch: d.defaultBranch, trigger: d.trigger },
              { ...env, reviewDrafts: deps.reviewDrafts ?? false, control },
            );
            log.info({ outcome: r.outcome, reason: reasonOf(r), checkRunId: r.checkRunId }, `review job: ${r.outcome}`);
            return;
          }
          case 'action': {
            const r = await reviewPullRequest(
              gh,
              {
                pullNumber: d.pullNumber,
                headSha: d.headSha,
                defaultBranch: d.defaultBranch,
                trigger: 'requested_action',
                action: { identifier: d.identifier, checkRunId: d.checkRunId },
              },
              env,
            );
            log.info({ outcome: r.outcome, reason: reasonOf(r), requestedBy: d.requestedBy }, `action job: ${r.outcome}`);
            return;
          }
          case 'push': {
            const r = await reconcilePush(gh, { before: d.before, after: d.after, defaultBranch: d.defaultBranch, paths: d.paths }, env);
            log.info({ outcome: r.outcome, reason: r.reason }, `push job: ${r.outcome}`);
            return;
          }
        }
      } catch (e) {
        // Before a check run exists (reading the pull request or the configuration failed).
        log.error({ err: e }, `${d.type} job failed: ${describeError(e)}`);
      }
    },
  };
}
