/**
 * The jobs the App queues, as plain data (a queue in Redis could hold them): what the webhook
 * said, never a request context. A worker turns the installation id back into a client.
 */
import type { RetryOptions } from '../publish/github/retry.js';
import type { Octokit } from '@octokit/rest';
import type { ReviewRunner } from '../runner/index.js';
import type { HistoryWriter, ParseCacheStore } from '../store/index.js';

interface RepoJob {
  installationId: number;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** The webhook delivery that asked for the job (`X-GitHub-Delivery`), for logs. */
  deliveryId: string;
  /** GitHub's id of the repository (the payload's `repository.id`): the history's key. Unknown: not recorded. */
  repositoryId?: number | undefined;
  /**
   * A bot sent the event and the payload could not tell whether it is this App's: the job asks
   * (`JobDeps.isOwnBot`) before doing anything, so the webhook's acknowledgement did not wait.
   */
  botSender?: string | undefined;
}

/** What the pull_request payload already says, so the job does not ask again. */
export interface PullRequestFacts {
  headSha: string;
  baseSha: string;
  changedFiles?: number | undefined;
  title?: string | undefined;
  draft?: boolean | undefined;
  state?: string | undefined;
}

/** Review a pull request and publish the result (check run, summary comment, inline review). */
export interface ReviewJob extends RepoJob {
  type: 'review';
  /** The event that asked: `opened`, `synchronize`, ..., `rerequested`. */
  trigger: string;
  /** Unknown only for a re-run of a check whose pull request GitHub did not name (a fork's). */
  pullNumber?: number | undefined;
  /** The commit to review. */
  headSha: string;
  /** From the pull_request payload; re-runs read the pull request instead. */
  pr?: PullRequestFacts | undefined;
}

/** A button of the check run was pressed (`check_run.requested_action`). */
export interface ActionJob extends RepoJob {
  type: 'action';
  identifier: string;
  checkRunId: number;
  headSha: string;
  pullNumber?: number | undefined;
  /** Who pressed it, for the log. */
  requestedBy?: string | undefined;
}

/** Reconcile tracking issues with what a push to the default branch changed. */
export interface PushJob extends RepoJob {
  type: 'push';
  before: string;
  after: string;
  /** Paths the pushed commits touched; undefined when the payload cannot say (then compared). */
  paths?: string[] | undefined;
}

export type JobData = ReviewJob | ActionJob | PushJob;

/** A pino-compatible logger (Probot's `context.log`/`app.log`, or the command line's). */
export interface JobLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): JobLog;
}

export interface JobDeps {
  /** An authenticated client for the installation. */
  octokitFor(installationId: number): Promise<Octokit>;
  log: JobLog;
  now(): Date;
  toolVersion: string;
  /** Review draft pull requests too (default: skipped until they are ready for review). */
  reviewDrafts?: boolean;
  /** Whether a bot's login is this App's (its events are ignored). Default: never. */
  isOwnBot?(login: string): Promise<boolean>;
  /** Where reviews run: a worker pool, so no file holds the event loop (default: this thread). */
  runner?: ReviewRunner;
  /** How publishing retries what GitHub says to retry (tests shorten the waits). */
  retry?: RetryOptions;
  /**
   * The queue runs a job that throws again later (the Redis queue): a failure before anything was
   * published that GitHub says is worth retrying is thrown as a RetryableError instead of logged.
   */
  retryable?: boolean;
  /** Where published reviews are recorded (src/store); none: nothing is. Written after publishing, never failing a job. */
  history?: HistoryWriter;
  /** The parse cache (src/store); none: every review fetches and parses its context files. */
  parseCache?: ParseCacheStore;
}

export const silentLog: JobLog = { debug() {}, info() {}, warn() {}, error() {} };
