/**
 * What a job reads of a pull request itself (its head, base, size, state) and which pull request a
 * commit belongs to. With github.ts (the change) and config/remote.ts (the settings), every read of
 * GitHub goes through src/sources and src/config; jobs only orchestrate.
 */
import type { RepoTarget } from './github-listing.js';

/** A pull request as a review needs it. */
export interface PullRequestRead {
  headSha: string;
  baseSha: string;
  changedFiles: number;
  title: string;
  draft: boolean;
  state: string;
  defaultBranch: string;
}

export async function readPullRequest(gh: RepoTarget, pullNumber: number): Promise<PullRequestRead> {
  const { data } = await gh.octokit.rest.pulls.get({ owner: gh.owner, repo: gh.repo, pull_number: pullNumber });
  return {
    headSha: data.head.sha,
    baseSha: data.base.sha,
    changedFiles: data.changed_files,
    title: data.title,
    draft: data.draft ?? false,
    state: data.state,
    defaultBranch: data.base.repo.default_branch,
  };
}

/** The open pull request whose head is `sha` (GitHub names none for a fork's check runs). */
export async function findPullRequest(gh: RepoTarget, sha: string): Promise<number | undefined> {
  const { data } = await gh.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: gh.owner, repo: gh.repo, commit_sha: sha, per_page: 100 });
  const open = data.filter((p) => p.state === 'open');
  return (open.find((p) => p.head.sha === sha) ?? open[0])?.number;
}
