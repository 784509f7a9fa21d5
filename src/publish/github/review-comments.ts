/**
 * Inline review comments: one review per run with a comment for each new, unsuppressed finding on
 * a line the diff shows, deduplicated against our comments already on the PR and capped per run
 * (the rest stays in the summary); threads of ours whose finding is gone are resolved. Reads what
 * the PR has, plans with `planInlineChanges` (inline-plan.ts, pure), applies the plan.
 */
import { listAll, step, type GitHubTarget } from './common.js';
import {
  planInlineChanges,
  postedFingerprints,
  type InlineChanges,
  type InlineInput,
  type InlinePlan,
  type InlineState,
  type ListedReviewComment,
} from './inline-plan.js';
import { listThreads, resolveThreads } from './review-threads.js';

export interface InlineResult extends InlinePlan {
  /** Threads of ours resolved because their finding is gone. */
  resolved: number;
}

/**
 * The PR's review comments, and its review threads only when some comment is ours (a PR we never
 * commented on has no thread of ours to resolve).
 */
export async function readInlineState(gh: GitHubTarget, pullNumber: number): Promise<InlineState> {
  const comments = await step('listing the review comments', () =>
    listAll<ListedReviewComment>(gh, gh.octokit.rest.pulls.listReviewComments, { owner: gh.owner, repo: gh.repo, pull_number: pullNumber }),
  );
  const threads = postedFingerprints(comments).size > 0 ? await listThreads(gh, pullNumber) : [];
  return { comments, threads };
}

/** Posts the planned review, then resolves the stale threads; returns how many were resolved. */
export async function applyInlineChanges(gh: GitHubTarget, input: InlineInput, changes: InlineChanges): Promise<number> {
  const { review } = changes;
  if (review) {
    await step(`posting the review (${review.comments.length} inline comments)`, () =>
      gh.octokit.rest.pulls.createReview({
        owner: gh.owner,
        repo: gh.repo,
        pull_number: input.pullNumber,
        commit_id: input.headSha,
        event: 'COMMENT',
        body: review.body,
        comments: review.comments,
      }),
    );
  }
  return resolveThreads(gh, changes.resolve);
}

/**
 * Requests: the comment list (1 a hundred), the threads query (only when the PR has comments of
 * ours; 1 a hundred threads), the review (1, only when there is something new), one mutation a 25
 * threads to resolve. None when inline comments are off.
 */
export async function publishInline(gh: GitHubTarget, input: InlineInput): Promise<InlineResult> {
  if (!input.settings.comments.inline) return { comments: [], folded: [], outOfDiff: [], alreadyPosted: [], resolved: 0 };
  const changes = planInlineChanges(input, await readInlineState(gh, input.pullNumber));
  const resolved = await applyInlineChanges(gh, input, changes);
  const { comments, folded, outOfDiff, alreadyPosted } = changes;
  return { comments, folded, outOfDiff, alreadyPosted, resolved };
}
