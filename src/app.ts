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
 * Events the App itself caused (its bot account as sender) are ignored, told from the payload with
 * no request (the acknowledgement never waits on GitHub).
 *
 * `payloadProblem` says what a payload lacks of what the handlers read: the HTTP layer answers such
 * a delivery 400 before it is acknowledged (src/http/webhooks.ts).
 */
import type { Octokit } from '@octokit/rest';
import type { RetryOptions } from './publish/github/retry.js';
import type { ApplicationFunction, Context, Logger, Probot } from 'probot';
import { z } from 'zod';
import { packageVersion } from './version.js';
import { createWorker, pullFromExternalId, toQueuedJob, type JobData } from './jobs/index.js';
import { ACTIONS, CHECK_NAME } from './publish/github/index.js';
import { InProcessQueue } from './queue/in-process.js';
import type { JobQueue, Worker } from './queue/types.js';
import { WorkerPool, type ReviewRunner } from './runner/index.js';
import type { HistoryWriter, ParseCacheStore } from './store/index.js';
import { redisQueueFromEnv } from './startup.js';

export interface AppOptions {
  /** Where jobs go; default: an in-process queue (per pull request serialised, latest head wins). */
  queue?: JobQueue<JobData>;
  /** Review draft pull requests too. Default: `ML_LENS_REVIEW_DRAFTS=true`, else false. */
  reviewDrafts?: boolean;
  /**
   * The App's slug (its bot is `<slug>[bot]`); default `APP_SLUG`, else read from the App object
   * GitHub puts in our check runs' payloads, else asked from GitHub (`GET /app`, once) by the job
   * of a bot's event, never before the acknowledgement.
   */
  appSlug?: string;
  /** The App's id, to recognise its App object in payloads; default: the one Probot was configured with. */
  appId?: number;
  /** Quiet time before a pull request's job starts (ms), for the default queue. Default `ML_LENS_QUEUE_DELAY_MS`, else 1000. */
  queueDelayMs?: number;
  /** The clock (suppression expiry). */
  now?: () => Date;
  /**
   * Where reviews run. Default: a pool of worker threads (one per core), so that the event loop
   * that answers webhooks is never held by a review, and each file has a time budget
   * (`ML_LENS_FILE_TIMEOUT_MS`).
   */
  runner?: ReviewRunner;
  /** How publishing retries what GitHub says to retry (waits, tries); tests shorten the waits. */
  retry?: RetryOptions;
  /**
   * The review history (src/store): published reviews are recorded there, and a repository's data
   * is deleted when the App is uninstalled from it. Default: none (src/server.ts opens one).
   */
  store?: HistoryWriter;
  /** The parse cache (src/store: the history's database); none: every review reads its context files. */
  parseCache?: ParseCacheStore;
}

/**
 * A handler's job that the queue did not take (Redis away). @octokit/webhooks attaches the whole
 * event to a handler's error and Probot logs the error with it: this error keeps only the event's
 * id and name (an accessor, not a property a logger copies), so a delivery's payload is never
 * written to the logs, once per delivery, while Redis is away.
 */
export class NotQueuedError extends Error {
  #event: { id?: unknown; name?: unknown } | undefined;
  get event(): { id?: unknown; name?: unknown } | undefined {
    return this.#event;
  }
  set event(e: { id?: unknown; name?: unknown } | undefined) {
    this.#event = e ? { id: e.id, name: e.name } : undefined;
  }
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
  return async (app: Probot) => {
    const log = app.log.child({ name: 'ml-lens' });
    // With REDIS_URL the jobs go to Redis, for the worker processes (`npm run worker`).
    const queue: JobQueue<JobData> =
      options.queue ??
      (process.env['REDIS_URL']
        ? await redisQueueFromEnv('web', log.child({ name: 'queue' }), { delayMs: options.queueDelayMs })
        : new InProcessQueue<JobData>({
            delayMs: options.queueDelayMs ?? envNumber(process.env['ML_LENS_QUEUE_DELAY_MS'], 1000),
            concurrency: envNumber(process.env['ML_LENS_CONCURRENCY'], 4) || 4,
            log,
          }));
    const identity = appIdentity(app, log, options);
    // A queue that only enqueues here still uses the worker's rules (which job folds or outdates which).
    queue.process(appWorker(app, log, identity, options, queue.retries === true));
    /** null for the App's own event (ignored); else what the job must know of the sender. */
    const senderOf = async (context: Context): Promise<{ botSender?: string } | null> => {
      const who = await identity.of(context.payload);
      if (who === 'mine') {
        context.log.debug({ event: context.name }, 'ignored: caused by this App');
        return null;
      }
      return typeof who === 'object' ? { botSender: who.bot } : {};
    };

    const enqueue = async (context: Context, data: JobData | null, why?: string): Promise<void> => {
      if (!data) {
        if (why) context.log.debug({ event: context.name }, `ignored: ${why}`);
        return;
      }
      let result;
      try {
        result = await queue.enqueue(toQueuedJob(data));
      } catch (e) {
        // The delivery is answered 503 (src/http/webhooks.ts) and can be redelivered.
        // The logger writes the cause's message after this one.
        throw new NotQueuedError('the job could not be queued', { cause: e });
      }
      const action = (context.payload as { action?: string }).action;
      context.log.info({ event: action ? `${context.name}.${action}` : context.name, job: data.type, result }, 'queued');
    };

    app.on([...PULL_REQUEST_EVENTS], async (context) => {
      const sender = await senderOf(context);
      if (!sender) return;
      const p = context.payload;
      const pr = p.pull_request;
      if (p.action === 'edited' && !p.changes?.base) return enqueue(context, null, 'edited without a base change');
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
        repositoryId: p.repository.id,
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
        ...sender,
      });
    });

    app.on([...CHECK_RUN_EVENTS], async (context) => {
      const sender = await senderOf(context);
      if (!sender) return;
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
        repositoryId: p.repository.id,
        headSha: run.head_sha,
        pullNumber: pullFromExternalId(run.external_id) ?? run.pull_requests[0]?.number,
        ...sender,
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
      const sender = await senderOf(context);
      if (!sender) return;
      const p = context.payload;
      const defaultBranch = p.repository.default_branch;
      if (!defaultBranch || p.ref !== `refs/heads/${defaultBranch}`) return enqueue(context, null, 'not the default branch');
      if (p.deleted || ZERO_SHA.test(p.after)) return enqueue(context, null, 'branch deleted');
      if (!p.installation) return enqueue(context, null, 'no installation');
      // The payload lists what the commits touched, but a rename only as a path removed and one
      // added: a push that does both is compared (one request) to learn its renames, so that the
      // risks of a moved file keep their tracking issues.
      const complete = !p.forced && p.commits.length < PUSH_PAYLOAD_COMMITS && !ZERO_SHA.test(p.before);
      const mayRename = p.commits.some((c) => (c.removed ?? []).length > 0) && p.commits.some((c) => (c.added ?? []).length > 0);
      const paths =
        complete && !mayRename ? [...new Set(p.commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]))] : undefined;
      await enqueue(context, {
        type: 'push',
        installationId: p.installation.id,
        owner: p.repository.owner?.login ?? p.repository.full_name.split('/')[0]!,
        repo: p.repository.name,
        defaultBranch,
        deliveryId: context.id,
        repositoryId: p.repository.id,
        before: p.before,
        after: p.after,
        paths,
        ...sender,
      });
    });

    // Uninstalled: what the history holds of those repositories is deleted (through the store's
    // outbox: kept, in order, if the database does not answer now). Not awaited: the delivery is
    // answered when its handlers settle, and a database that is away must not hold it up.
    const store = options.store;
    if (store) {
      app.on('installation.deleted', async (context) => {
        const installationId = context.payload.installation.id;
        void store.write({ type: 'forget-installation', installationId });
        context.log.info({ installation: installationId }, 'the App was uninstalled: its history is deleted');
      });
      app.on('installation_repositories.removed', async (context) => {
        const repoIds = context.payload.repositories_removed.map((r) => r.id);
        void store.write({ type: 'forget-repositories', repoIds });
        context.log.info({ installation: context.payload.installation.id, repositories: repoIds }, 'the App was removed from repositories: their history is deleted');
      });
    }
  };
}

/**
 * The worker that runs the App's jobs as `app` (installation tokens from its App id and key), for a
 * process that takes jobs from the queue on Redis (src/worker.ts). It tells the App's own events
 * from others' as the web process does (APP_SLUG, else `GET /app` once).
 */
export function createAppWorker(app: Probot, options: AppOptions & { retryable?: boolean } = {}): Worker<JobData> {
  const log = app.log.child({ name: 'ml-lens' });
  return appWorker(app, log, appIdentity(app, log, options), options, options.retryable ?? false);
}

/** `retryable`: the queue runs a job that throws again later, so a failure worth retrying is thrown. */
function appWorker(app: Probot, log: Logger, identity: ReturnType<typeof appIdentity>, options: AppOptions, retryable: boolean): Worker<JobData> {
  return createWorker({
    octokitFor: async (installationId) => (await app.auth(installationId)) as unknown as Octokit,
    log,
    now: options.now ?? (() => new Date()),
    toolVersion: packageVersion(),
    reviewDrafts: options.reviewDrafts ?? process.env['ML_LENS_REVIEW_DRAFTS'] === 'true',
    isOwnBot: (login) => identity.isOwnBot(login),
    runner: options.runner ?? new WorkerPool(),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.store ? { history: options.store } : {}),
    ...(options.parseCache ? { parseCache: options.parseCache } : {}),
    ...(retryable ? { retryable } : {}),
  });
}

type Ownership = 'mine' | 'other' | { bot: string };

interface AppObject {
  id?: unknown;
  slug?: unknown;
}

/** The App objects a payload carries: the App that owns a check run or suite, or acted for someone. */
function appObjects(payload: Record<string, unknown>): AppObject[] {
  const found: unknown[] = [];
  const run = payload['check_run'] as { app?: unknown; check_suite?: { app?: unknown } } | undefined;
  found.push(run?.app, run?.check_suite?.app, (payload['check_suite'] as { app?: unknown } | undefined)?.app);
  for (const v of Object.values(payload)) {
    if (v && typeof v === 'object') found.push((v as { performed_via_github_app?: unknown }).performed_via_github_app);
  }
  return found.filter((a): a is AppObject => typeof a === 'object' && a !== null);
}

/** The App id Probot signs its JWT with (no request: the token is made locally). */
async function configuredAppId(app: Probot): Promise<number | undefined> {
  try {
    const octokit = await app.auth();
    const auth = (await octokit.auth({ type: 'app' })) as { appId?: unknown };
    return typeof auth.appId === 'number' ? auth.appId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tells the App's own events from others. Only a bot can be the App, and the App's bot is
 * `<slug>[bot]`: the slug is the option or `APP_SLUG`, or it is read from the first payload with an
 * App object whose id is ours (`check_run.app`, `check_suite.app`, `performed_via_github_app`).
 * Until then a bot's event is queued with the bot's login and its job asks GitHub (`GET /app`,
 * once): the acknowledgement never waits on a request.
 */
function appIdentity(app: Probot, log: Logger, options: AppOptions) {
  let slug: string | undefined = options.appSlug || process.env['APP_SLUG'] || undefined;
  let appId: Promise<number | undefined> | undefined;
  let asking: Promise<string | undefined> | undefined;

  const ask = async (): Promise<string | undefined> => {
    try {
      const octokit = await app.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      return data?.slug ?? undefined;
    } catch (e) {
      log.warn({ err: e }, 'cannot tell the App slug (set APP_SLUG); events from bots are handled');
      asking = undefined; // ask again for the next bot's event
      return undefined;
    }
  };

  return {
    async of(payload: object): Promise<Ownership> {
      const p = payload as Record<string, unknown>;
      const apps = slug ? [] : appObjects(p);
      if (apps.length > 0) {
        // Any sender's event may carry it (a person re-running our check): learn it for the bots'.
        appId ??= options.appId !== undefined ? Promise.resolve(options.appId) : configuredAppId(app);
        const id = await appId;
        const ours = apps.find((a) => id !== undefined && a.id === id && typeof a.slug === 'string');
        if (ours) slug ??= ours.slug as string;
      }
      const sender = p['sender'] as { type?: unknown; login?: unknown } | undefined;
      if (sender?.type !== 'Bot' || typeof sender.login !== 'string') return 'other';
      if (!slug) return { bot: sender.login };
      return sender.login === `${slug}[bot]` ? 'mine' : 'other';
    },
    /** For the job of a bot's event queued before the slug was known. */
    async isOwnBot(login: string): Promise<boolean> {
      if (!slug) {
        asking ??= ask();
        slug ??= await asking;
      }
      return slug !== undefined && login === `${slug}[bot]`;
    },
  };
}

// --- what the handlers read of a payload --------------------------------------------------------

const int = z.number().int();
const installation = z.object({ id: int }).nullish();
const repository = z.object({ name: z.string(), owner: z.object({ login: z.string() }), default_branch: z.string() });
const paths = z.array(z.string()).nullish();

const PAYLOADS: Record<string, { actions?: readonly string[]; schema: z.ZodType }> = {
  pull_request: {
    actions: PULL_REQUEST_EVENTS.map((e) => e.split('.')[1]!),
    schema: z.object({
      action: z.string(),
      pull_request: z.object({
        number: int,
        state: z.string(),
        head: z.object({ sha: z.string() }),
        base: z.object({ sha: z.string() }),
        changed_files: z.number().optional(),
        title: z.string().optional(),
        draft: z.boolean().optional(),
      }),
      changes: z.object({}).optional(),
      repository,
      installation,
    }),
  },
  check_run: {
    actions: CHECK_RUN_EVENTS.map((e) => e.split('.')[1]!),
    schema: z.object({
      action: z.string(),
      check_run: z.object({
        id: int,
        name: z.string(),
        head_sha: z.string(),
        external_id: z.string().nullish(),
        pull_requests: z.array(z.object({ number: int })),
      }),
      requested_action: z.object({ identifier: z.string().optional() }).nullish(),
      sender: z.object({ login: z.string() }),
      repository,
      installation,
    }),
  },
  installation: {
    actions: ['deleted'],
    schema: z.object({ installation: z.object({ id: int }) }),
  },
  installation_repositories: {
    actions: ['removed'],
    schema: z.object({ installation: z.object({ id: int }), repositories_removed: z.array(z.object({ id: int })) }),
  },
  push: {
    schema: z.object({
      ref: z.string(),
      before: z.string(),
      after: z.string(),
      deleted: z.boolean().optional(),
      forced: z.boolean().optional(),
      commits: z.array(z.object({ added: paths, modified: paths, removed: paths })),
      repository: z.object({
        name: z.string(),
        full_name: z.string(),
        default_branch: z.string().optional(),
        owner: z.object({ login: z.string().optional() }).nullish(),
      }),
      installation,
    }),
  },
};

/**
 * What a payload of an event the App handles lacks of what its handler reads (the first problem:
 * the field's path and the expected type, nothing of the value), or undefined.
 */
export function payloadProblem(name: string, payload: Record<string, unknown>): string | undefined {
  const known = PAYLOADS[name];
  if (!known) return undefined;
  if (known.actions && !known.actions.includes(String(payload['action']))) return undefined;
  const result = known.schema.safeParse(payload);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  return issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'unexpected shape';
}

export default createApp();
