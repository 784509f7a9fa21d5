/**
 * What the GitHub source (github.ts) lists before it reads any content: the changed files of a pull
 * request or between two commits (`pulls.listFiles`, `repos.compareCommits`, 100 a page, at most
 * 3000), and every path, mode and size of a commit's tree (`git.getTree`, recursive, one call).
 */
import type { Octokit } from '@octokit/rest';

export interface RepoTarget {
  octokit: Octokit;
  owner: string;
  repo: string;
}

/** `pulls.listFiles` returns at most this many files. */
export const MAX_LISTED_FILES = 3000;
export const FILES_PER_PAGE = 100;

/** A changed file as `pulls.listFiles` (or `repos.compareCommits`) gives it. */
export interface ListedFile {
  filename: string;
  status: string;
  previous_filename?: string | undefined;
  patch?: string | undefined;
  sha?: string | null | undefined;
}

function hasNextPage(link: string | undefined): boolean {
  return typeof link === 'string' && /rel="next"/.test(link);
}

/** The pull request's changed files, 100 a page, at most 3000 (GitHub's cap). */
export async function listPullRequestFiles(gh: RepoTarget, pullNumber: number): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  for (let page = 1; out.length < MAX_LISTED_FILES; page++) {
    const res = await gh.octokit.rest.pulls.listFiles({
      owner: gh.owner,
      repo: gh.repo,
      pull_number: pullNumber,
      per_page: FILES_PER_PAGE,
      page,
    });
    out.push(...res.data);
    if (res.data.length === 0 || !hasNextPage(res.headers.link)) break;
  }
  return out.slice(0, MAX_LISTED_FILES);
}

/** Files changed between two commits (for pushes the payload does not describe), at most 3000. */
export async function compareFiles(gh: RepoTarget, base: string, head: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  for (let page = 1; out.length < MAX_LISTED_FILES; page++) {
    const res = await gh.octokit.rest.repos.compareCommitsWithBasehead({
      owner: gh.owner,
      repo: gh.repo,
      basehead: `${base}...${head}`,
      per_page: FILES_PER_PAGE,
      page,
    });
    const files = res.data.files ?? [];
    out.push(...files);
    if (files.length === 0 || !hasNextPage(res.headers.link)) break;
  }
  return out.slice(0, MAX_LISTED_FILES);
}

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size?: number | undefined;
}

export interface Tree {
  entries: Map<string, TreeEntry>;
  /** GitHub cut the listing (over 100 000 entries or 7 MB). */
  truncated: boolean;
}

/** Every path of a commit's tree, in one call. */
export async function readTree(gh: RepoTarget, sha: string): Promise<Tree> {
  const res = await gh.octokit.rest.git.getTree({ owner: gh.owner, repo: gh.repo, tree_sha: sha, recursive: '1' });
  const entries = new Map<string, TreeEntry>();
  for (const e of res.data.tree) {
    if (e.path === undefined || e.type === 'tree') continue;
    entries.set(e.path, { mode: e.mode ?? '', type: e.type ?? 'blob', sha: e.sha ?? '', size: e.size });
  }
  return { entries, truncated: res.data.truncated };
}
