/**
 * The sticky summary comment: one per pull request, found again by the hidden marker on its first
 * line, edited in place only when its text changed; duplicates (from concurrent runs) deleted.
 * `planSummaryComment` decides from the listed comments (pure); `upsertSummaryComment` lists,
 * plans and applies.
 */
import { SUMMARY_MARKER } from '../../render/index.js';
import { listAll, sameText, step, type GitHubTarget } from './common.js';

export interface IssueComment {
  id: number;
  body?: string | null;
  user?: { type?: string | null } | null;
}

/** A comment of ours: the marker on its first line, written by an app (never a person's quote). */
export function isSummaryComment(c: IssueComment): boolean {
  if (c.user && c.user.type && c.user.type !== 'Bot') return false;
  const body = c.body ?? '';
  const nl = body.indexOf('\n');
  return (nl === -1 ? body : body.slice(0, nl)).trim() === SUMMARY_MARKER;
}

export type SummaryOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'none';

export interface SummaryPlan {
  outcome: SummaryOutcome;
  /** The body of a new comment. */
  create?: string;
  /** Our comment, to be given a new body. */
  update?: { id: number; body: string };
  /** Comments of ours to delete: duplicates, or all of them when the summary is off. */
  remove: number[];
}

/**
 * Pure: what to do so that the PR has exactly one summary comment with `body`; `null` removes ours
 * (`comments.summary: false`). With `createIfMissing: false` an existing comment is still kept up
 * to date, but none is created (a change with nothing to review gets no comment).
 */
export function planSummaryComment(listed: IssueComment[], body: string | null, opts: { createIfMissing?: boolean } = {}): SummaryPlan {
  const ours = listed.filter(isSummaryComment);
  if (body === null) return { outcome: ours.length ? 'deleted' : 'none', remove: ours.map((c) => c.id) };
  const [keep, ...duplicates] = ours;
  const remove = duplicates.map((c) => c.id);
  if (!keep) return opts.createIfMissing === false ? { outcome: 'none', remove } : { outcome: 'created', create: body, remove };
  if (sameText(keep.body, body)) return { outcome: 'unchanged', remove };
  return { outcome: 'updated', update: { id: keep.id, body }, remove };
}

export async function applySummaryPlan(gh: GitHubTarget, pullNumber: number, plan: SummaryPlan): Promise<void> {
  const { owner, repo } = gh;
  const { create, update } = plan;
  if (create !== undefined) {
    await step('creating the summary comment', () => gh.octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body: create }));
  }
  if (update) {
    await step('updating the summary comment', () => gh.octokit.rest.issues.updateComment({ owner, repo, comment_id: update.id, body: update.body }));
  }
  for (const id of plan.remove) {
    await step('deleting a duplicate summary comment', async () => {
      try {
        await gh.octokit.rest.issues.deleteComment({ owner, repo, comment_id: id });
      } catch (err) {
        // Already gone (a concurrent run deleted it): that is what we wanted.
        if ((err as { status?: number }).status !== 404) throw err;
      }
    });
  }
}

/** Lists the PR's comments, plans the summary comment and applies the plan. */
export async function upsertSummaryComment(
  gh: GitHubTarget,
  pullNumber: number,
  body: string | null,
  opts: { createIfMissing?: boolean } = {},
): Promise<SummaryOutcome> {
  const listed = await step('listing the pull request comments', () =>
    listAll<IssueComment>(gh, gh.octokit.rest.issues.listComments, { owner: gh.owner, repo: gh.repo, issue_number: pullNumber }),
  );
  const plan = planSummaryComment(listed, body, opts);
  await applySummaryPlan(gh, pullNumber, plan);
  return plan.outcome;
}
