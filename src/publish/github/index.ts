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
import { syncIssues, type SyncOptions } from './issues.js';
import { countRequests } from './request-count.js';
import { publishInline } from './review-comments.js';
import { upsertSummaryComment } from './summary-comment.js';

export type { GitHubTarget } from './common.js';
export { PublishError } from './common.js';
export { countRequests } from './request-count.js';
export { CHECK_NAME, failCheckRun, neutralCheckRun, startCheckRun } from './checks.js';
export { ACTIONS, actionsFor, planCheckCompletion, type CheckRunUpdate } from './check-plan.js';
export { annotationsFor, type Annotation } from './annotations.js';
export type { CheckFailure, NeutralEnd } from './texts.js';
export { ISSUE_LABEL } from './issue-text.js';
export { reconcileIssues, resetLabelCache, type IssuesInput } from './issues.js';
export { planIssues, riskItems, type IssueOp, type IssuePlan } from './issue-plan.js';
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
}

export interface PublishResult {
  /** HTTP requests made (REST and GraphQL; each page of a list counts). */
  requests: number;
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
  const { requests } = await countRequests(gh.octokit, () => publishAll(gh, input));
  return { requests };
}

async function publishAll(gh: GitHubTarget, input: PublishInput): Promise<void> {
  const { review, settings } = input;
  const fileUrl = blobUrl(gh, input.headSha);
  const templates = input.templates ? { templates: input.templates } : {};

  const summary = settings.comments.summary
    ? renderSummary(review, { failOn: settings.gate.fail_on, minScore: settings.gate.min_score, fileUrl, ...(input.templates ? { overrides: input.templates } : {}) })
    : null;
  await upsertSummaryComment(gh, input.pullNumber, summary, { createIfMissing: worthAComment(review) });

  await publishInline(gh, { review, settings, pullNumber: input.pullNumber, headSha: input.headSha, patches: input.patches, fileUrl, ...templates });

  if (settings.issues.create === 'on-pr') await syncIssues(gh, issueScope(input));

  await completeCheckRun(gh, { checkRunId: input.checkRunId, review, settings, fileUrl, ...templates });
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
export async function handleRequestedAction(gh: GitHubTarget, identifier: string, input: PublishInput): Promise<void> {
  switch (identifier) {
    case 'open-issues':
      if (input.settings.issues.create === 'never') return;
      await syncIssues(gh, { ...issueScope(input), force: true });
      return;
    default:
      throw new Error(`unknown check run action "${identifier}"`);
  }
}
