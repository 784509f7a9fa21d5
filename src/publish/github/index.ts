/**
 * Publishing a review to GitHub: the check run (the merge gate), the sticky summary comment, inline
 * review comments and tracking issues. Every surface is reconciled against what already exists
 * (found by hidden markers), so running twice changes nothing the second time.
 *
 * Errors of the API are rethrown as `PublishError` naming the step, the HTTP status and GitHub's
 * request id; `publishReview`'s caller turns them into a failing check with `failCheckRun`, which
 * itself never throws.
 */
import type { Catalogue, Review } from '../../model.js';
import type { PublishSettings } from '../../plan.js';
import { renderSummary } from '../../render/index.js';
import { completeCheckRun } from './checks.js';
import { blobUrl, type GitHubTarget } from './common.js';
import { withRetry, type RetryOptions } from './retry.js';
import { describeError } from '../../jobs/errors.js';
import type { TrackedIssue } from './issue-plan.js';
import { syncIssues, type SyncOptions } from './issues.js';
import { countRequests } from './request-count.js';
import { publishInline } from './review-comments.js';
import { upsertSummaryComment } from './summary-comment.js';

export type { GitHubTarget } from './common.js';
export { PublishError } from './common.js';
export { countRequests } from './request-count.js';
export { CHECK_NAME, failCheckRun, neutralCheckRun, findOpenCheckRun, startCheckRun } from './checks.js';
export { ACTIONS, actionsFor, planCheckCompletion, type CheckRunUpdate } from './check-plan.js';
export { annotationsFor, type Annotation } from './annotations.js';
export type { CheckFailure, NeutralEnd } from './texts.js';
export { ISSUE_LABEL } from './issue-text.js';
export { reconcileIssues, resetLabelCache, type IssuesInput } from './issues.js';
export { planIssues, riskItems, type IssueOp, type IssuePlan, type TrackedIssue } from './issue-plan.js';
export { canAnchor, parsePatch, type PatchLines } from './patch.js';
export { ownersOf, parseCodeowners } from './codeowners.js';
export { planInline, planInlineChanges, type InlineChanges, type InlinePlan } from './inline-plan.js';
export { planSummaryComment, type SummaryPlan } from './summary-comment.js';

export interface PublishInput {
  checkRunId: number;
  review: Review;
  catalogue: Catalogue;
  settings: PublishSettings;
  pullNumber: number;
  headSha: string;
  baseSha: string;
  /** Unified diff of each changed file by head path (`pulls.listFiles`' `patch`); files without one get no inline comment. */
  patches: Map<string, string>;
  defaultBranch: string;
  /** The repository's template overrides (`.github/ml-lens/templates/`), by name. */
  templates?: Record<string, string>;
  /** The text of the repository's CODEOWNERS file, for assigning tracking issues. */
  codeowners?: string | null;
  /**
   * Whether the review is still for the pull request's head, asked before each group of writes:
   * `known` is free (the queue knows of a newer event), `read` asks GitHub (used only after a
   * write failed, to tell a moved head from a failure).
   */
  head?: HeadWatch;
  /** How surfaces are retried (default: 3 tries, waits of at most 60 s). */
  retry?: RetryOptions;
}

/** How a publish learns its head moved: see `PublishInput.head`. */
export interface HeadWatch {
  /** True when a newer event for the pull request is already known. */
  known: () => boolean;
  /** The pull request's head now. */
  read: () => Promise<string>;
}

/** The head moved while publishing: nothing more is published, and the check run ends neutral. */
export class Superseded extends Error {
  constructor(readonly newHead: string | undefined) {
    super(newHead ? `superseded by ${newHead}` : 'superseded by a newer event');
    this.name = 'Superseded';
  }
}

export interface PublishResult {
  /** HTTP requests made (REST and GraphQL; each page of a list counts). */
  requests: number;
  /** Surfaces that could not be published after their retries, each with why (the check run says so too). */
  unpublished: string[];
  /** The tracking issues as the publish left them, when it synced them (`issues.create: on-pr`). */
  issues?: TrackedIssue[];
}

/** Whether a review says anything worth a new comment on the PR (one that touched no ML file does not). */
function worthAComment(review: Review): boolean {
  return review.findings.length > 0 || review.stats.artifacts > 0 || review.suppressionProblems.length > 0 || review.stats.parseErrors > 0;
}

/**
 * Publishes a pull request's review: the summary comment, the inline review (and resolves threads
 * whose finding is gone), tracking issues when `issues.create` is `on-pr` (never closing any: that
 * is for reviews of the default branch), and last the check run, completed with the gate.
 *
 * Requests for a PR with N findings (n of them new on changed lines): summary 1 list + at most 1
 * write; inline 1 list + 1 review + (only when the PR has comments of ours) 1 threads query + 1
 * mutation a 25 stale threads; issues (only with `on-pr`) 1 list a hundred + writes for what
 * changed; check ceil(annotations / 50), at least 1. `requests` is every request the client made
 * for this publish, counted by its request hook (request-count.ts).
 */
export async function publishReview(gh: GitHubTarget, input: PublishInput): Promise<PublishResult> {
  let published: Published = { unpublished: [] };
  const { requests } = await countRequests(gh.octokit, async () => {
    published = await publishAll(gh, input);
  });
  return { requests, ...published };
}

type Published = Omit<PublishResult, 'requests'>;

/**
 * Each surface is published on its own: one that still fails after its retries (a 502 on the
 * summary, a secondary rate limit on the review) does not cost the others, and the check run,
 * published last, concludes with the gate's own verdict and says what is missing. A failure
 * because the head moved (GitHub refuses a review on a commit that is no longer the head) is a
 * superseded run, not a failure. Returns what could not be published.
 */
async function publishAll(gh: GitHubTarget, input: PublishInput): Promise<Published> {
  const { review, settings } = input;
  const fileUrl = blobUrl(gh, input.headSha);
  const templates = input.templates ? { templates: input.templates } : {};
  const unpublished: string[] = [];
  const guard = () => {
    if (input.head?.known()) throw new Superseded(undefined);
  };
  const surface = async (name: string, publish: () => Promise<unknown>) => {
    guard();
    try {
      await withRetry(publish, input.retry);
    } catch (err) {
      if (input.head) {
        const now = await input.head.read().catch(() => input.headSha);
        if (now !== input.headSha) throw new Superseded(now);
      }
      // The step, the status or the network's reason, and GitHub's request id; the documentation link is noise here.
      unpublished.push(`${name}: ${describeError(err).replace(/ - https:\/\/docs\.github\.com\S*/, '')}`);
    }
  };

  await surface('the summary comment', () => {
    const summary = settings.comments.summary
      ? renderSummary(review, { failOn: settings.gate.fail_on, minScore: settings.gate.min_score, groupFrom: settings.comments.group_from, fileUrl, ...(input.templates ? { overrides: input.templates } : {}) })
      : null;
    return upsertSummaryComment(gh, input.pullNumber, summary, { createIfMissing: worthAComment(review) });
  });

  await surface('the inline review', () =>
    publishInline(gh, { review, settings, pullNumber: input.pullNumber, headSha: input.headSha, patches: input.patches, fileUrl, ...templates }),
  );

  let issues: TrackedIssue[] | undefined;
  if (settings.issues.create === 'on-pr') await surface('the tracking issues', async () => (issues = (await syncIssues(gh, issueScope(input)))?.issues));

  guard();
  // Each of its updates is retried on its own (annotations are appended: the whole must not be sent twice).
  await completeCheckRun(gh, { checkRunId: input.checkRunId, review, settings, fileUrl, unpublished, ...templates, ...(input.retry ? { retry: input.retry } : {}) });
  return { unpublished, ...(issues ? { issues } : {}) };
}

/** The tracking issues of a pull request: its new findings, linked at its head; none closed (that is for the default branch). */
function issueScope(input: PublishInput): SyncOptions {
  return {
    review: input.review,
    settings: input.settings,
    defaultBranch: input.defaultBranch,
    sha: input.headSha,
    scopePaths: [],
    onlyNew: true,
    codeowners: input.codeowners ?? null,
    ...(input.templates ? { templates: input.templates } : {}),
  };
}

/**
 * A button of the check run was pressed (`check_run.requested_action`). `open-issues` opens (or
 * updates) the tracking issues of the PR's new findings now, linked at the PR's head; it closes
 * nothing. Throws on an identifier it does not know.
 */
export async function handleRequestedAction(gh: GitHubTarget, identifier: string, input: PublishInput): Promise<{ issues?: TrackedIssue[] }> {
  switch (identifier) {
    case 'open-issues': {
      if (input.settings.issues.create === 'never') return {};
      const synced = await syncIssues(gh, { ...issueScope(input), force: true });
      return synced ? { issues: synced.issues } : {};
    }
    default:
      throw new Error(`unknown check run action "${identifier}"`);
  }
}
