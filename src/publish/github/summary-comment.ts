/**
 * The sticky summary comment: one per pull request, found again by the hidden marker on its first
 * line, edited in place only when its text changed; duplicates (from concurrent runs) deleted.
 */
import { SUMMARY_MARKER } from '../../render/index.js';
import { Calls, listAll, sameText, step, type GitHubTarget } from './common.js';

interface IssueComment {
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

/**
 * Makes the PR's summary comment `body`; `null` removes ours (`comments.summary: false`). With
 * `createIfMissing: false` an existing comment is still kept up to date, but none is created (a
 * change with nothing to review gets no comment).
 */
export async function upsertSummaryComment(
  gh: GitHubTarget,
  calls: Calls,
  pullNumber: number,
  body: string | null,
  opts: { createIfMissing?: boolean } = {},
): Promise<SummaryOutcome> {
  const { owner, repo } = gh;
  const comments = await step('listing the pull request comments', () =>
    listAll<IssueComment>(gh, calls, gh.octokit.rest.issues.listComments, { owner, repo, issue_number: pullNumber }),
  );
  const ours = comments.filter(isSummaryComment);
  const remove = async (list: IssueComment[]) => {
    for (const c of list) {
      await step('deleting a duplicate summary comment', async () => {
        calls.n++;
        try {
          await gh.octokit.rest.issues.deleteComment({ owner, repo, comment_id: c.id });
        } catch (err) {
          // Already gone (a concurrent run deleted it): that is what we wanted.
          if ((err as { status?: number }).status !== 404) throw err;
        }
      });
    }
  };

  if (body === null) {
    await remove(ours);
    return ours.length ? 'deleted' : 'none';
  }
  const [keep, ...duplicates] = ours;
  let outcome: SummaryOutcome;
  if (!keep) {
    if (opts.createIfMissing === false) return 'none';
    await step('creating the summary comment', () => {
      calls.n++;
      return gh.octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body });
    });
    outcome = 'created';
  } else if (sameText(keep.body, body)) {
    outcome = 'unchanged';
  } else {
    await step('updating the summary comment', () => {
      calls.n++;
      return gh.octokit.rest.issues.updateComment({ owner, repo, comment_id: keep.id, body });
    });
    outcome = 'updated';
  }
  await remove(duplicates);
  return outcome;
}
