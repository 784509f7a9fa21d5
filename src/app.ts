/**
 * The GitHub App: wiring only. Each webhook becomes a plain job on the queue and the handler
 * returns at once (GitHub waits at most 10 s for the answer; a review can take longer). The
 * worker (src/jobs) does the work.
 *
 * Events:
 * - `pull_request` opened, synchronize, reopened, ready_for_review, and edited when the base
 *   branch changed: review the pull request (drafts are skipped unless `ML_LENS_REVIEW_DRAFTS`);
 * - `check_run` rerequested (the "Re-run" button) and requested_action (our check's buttons);
 * - `push` to the default branch: reconcile the tracking issues of the touched files.
 * Events the App itself caused (its bot account as sender) are ignored.
 */
import type { Octokit } from '@octokit/rest';
import type { ApplicationFunction, Context, Probot } from 'probot';
import { packageVersion } from './cli.js';
import { createWorker, pullFromExternalId, toQueuedJob, type JobData } from './jobs/index.js';
import { ACTIONS, CHECK_NAME } from './publish/github/index.js';
import { InProcessQueue } from './queue/in-process.js';
import type { JobQueue } from './queue/types.js';

export interface AppOptions {
  /** Where jobs go; default: an in-process queue (per pull request serialised, latest head wins). */
  queue?: JobQueue<JobData>;
  /** Review draft pull requests too. Default: `ML_LENS_REVIEW_DRAFTS=true`, else false. */
  reviewDrafts?: boolean;
  /** The App's slug (its bot is `<slug>[bot]`); default `APP_SLUG`, else asked from GitHub once. */
  appSlug?: string;
  /** Quiet time before a pull request's job starts (ms), for the default queue. Default `ML_LENS_QUEUE_DELAY_MS`, else 1000. */
  queueDelayMs?: number;
  /** The clock (suppression expiry). */
  now?: () => Date;
}

export const PULL_REQUEST_EVENTS = [
  'pull_request.opened',
  'pull_request.synchronize',
  'pull_request.reopened',
  'pull_request.ready_for_review',
  'pull_request.edited',
] as const;
export const CHECK_RUN_EVENTS = ['check_run.rerequested', 'check_run.requested_action'] as const;

const ZERO_SHA = /^0+$/;
/** Push payloads list at most 20 commits; with more, the touched files are compared. */
const PUSH_PAYLOAD_COMMITS = 20;

function envNumber(value: string | undefined, fallback: number): number {
  const n = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function createApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot) => {
    const log = app.log.child({ name: 'ml-lens' });
    const queue =
      options.queue ??
      new InProcessQueue<JobData>({
        delayMs: options.queueDelayMs ?? envNumber(process.env['ML_LENS_QUEUE_DELAY_MS'], 1000),
        concurrency: envNumber(process.env['ML_LENS_CONCURRENCY'], 4) || 4,
        log,
      });
    queue.process(
      createWorker({
        octokitFor: async (installationId) => (await app.auth(installationId)) as unknown as Octokit,
        log,
        now: options.now ?? (() => new Date()),
        toolVersion: packageVersion(),
        reviewDrafts: options.reviewDrafts ?? process.env['ML_LENS_REVIEW_DRAFTS'] === 'true',
      }),
    );
    const own = ownEvents(app, options.appSlug ?? process.env['APP_SLUG']);

    const enqueue = async (context: Context, data: JobData | null, why?: string): Promise<void> => {
      if (!data) {
        if (why) context.log.debug({ event: context.name }, `ignored: ${why}`);
        return;
      }
      const result = await queue.enqueue(toQueuedJob(data));
      const action = (context.payload as { action?: string }).action;
      context.log.info({ event: action ? `${context.name}.${action}` : context.name, job: data.type, result }, 'queued');
    };

    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      if (await own(context)) return;
      const p = context.payload;
      const pr = p.pull_request;
      if (p.action === 'edited' && !p.changes.base) return enqueue(context, null, 'edited without a base change');
      if (pr.state !== 'open') return enqueue(context, null, 'the pull request is not open');
      if (!p.installation) return enqueue(context, null, 'no installation');
      await enqueue(context, {
        type: 'review',
        trigger: p.action,
        installationId: p.installation.id,
        owner: p.repository.owner.login,
        repo: p.repository.name,
        defaultBranch: p.repository.default_branch,
        deliveryId: context.id,
        pullNumber: pr.number,
        headSha: pr.head.sha,
        pr: {
          headSha: pr.head.sha,
          baseSha: pr.base.sha,
          changedFiles: pr.changed_files,
          title: pr.title,
          draft: pr.draft,
          state: pr.state,
        },
      });
    });

    app.on([...CHECK_RUN_EVENTS], async (context) => {
      if (await own(context)) return;
      const p = context.payload;
      const run = p.check_run;
      if (run.name !== CHECK_NAME) return enqueue(context, null, `not our check run (${run.name})`);
      if (!p.installation) return enqueue(context, null, 'no installation');
      const common = {
        installationId: p.installation.id,
        owner: p.repository.owner.login,
        repo: p.repository.name,
        defaultBranch: p.repository.default_branch,
        deliveryId: context.id,
        headSha: run.head_sha,
        pullNumber: pullFromExternalId(run.external_id) ?? run.pull_requests[0]?.number,
      };
      if (p.action === 'rerequested') {
        await enqueue(context, { type: 'review', trigger: 'rerequested', ...common });
        return;
      }
      const identifier = p.requested_action?.identifier;
      if (!identifier || !ACTIONS.some((a) => a.identifier === identifier)) {
        return enqueue(context, null, `unknown check run action ${JSON.stringify(identifier)}`);
      }
      await enqueue(context, { type: 'action', identifier, checkRunId: run.id, requestedBy: p.sender.login, ...common });
    });

    app.on('push', async (context) => {
      if (await own(context)) return;
      const p = context.payload;
      const defaultBranch = p.repository.default_branch;
      if (!defaultBranch || p.ref !== `refs/heads/${defaultBranch}`) return enqueue(context, null, 'not the default branch');
      if (p.deleted || ZERO_SHA.test(p.after)) return enqueue(context, null, 'branch deleted');
      if (!p.installation) return enqueue(context, null, 'no installation');
      const complete = !p.forced && p.commits.length < PUSH_PAYLOAD_COMMITS && !ZERO_SHA.test(p.before);
      const paths = complete ? [...new Set(p.commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]))] : undefined;
      await enqueue(context, {
        type: 'push',
        installationId: p.installation.id,
        owner: p.repository.owner?.login ?? p.repository.full_name.split('/')[0]!,
        repo: p.repository.name,
        defaultBranch,
        deliveryId: context.id,
        before: p.before,
        after: p.after,
        paths,
      });
    });
  };
}

/**
 * Whether an event was caused by the App itself: its bot (`<slug>[bot]`) is the sender. The slug
 * comes from the option or `APP_SLUG`, else from `GET /app` the first time a bot sends an event.
 */
function ownEvents(app: Probot, configured: string | undefined): (context: Context) => Promise<boolean> {
  let slug: Promise<string | undefined> | undefined = configured ? Promise.resolve(configured) : undefined;
  return async (context) => {
    const sender = (context.payload as { sender?: { type?: string; login?: string } }).sender;
    if (sender?.type !== 'Bot' || !sender.login) return false;
    slug ??= (async () => {
      try {
        const octokit = await app.auth();
        const { data } = await octokit.rest.apps.getAuthenticated();
        return data?.slug ?? undefined;
      } catch (e) {
        context.log.warn({ err: e }, 'cannot tell the App slug (set APP_SLUG); events from bots are handled');
        slug = undefined; // try again next time
        return undefined;
      }
    })();
    const mine = await slug;
    if (mine && sender.login === `${mine}[bot]`) {
      context.log.debug({ event: context.name }, 'ignored: caused by this App');
      return true;
    }
    return false;
  };
}

export default createApp();
