/**
 * Review threads, which only GraphQL exposes: listing a PR's threads (with the first comment of
 * each, to tell ours), and resolving threads, 25 in one mutation.
 */
import { chunk, step, type GitHubTarget } from './common.js';
import type { ListedThread } from './inline-plan.js';

export const THREADS_QUERY = `query ($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          comments(first: 1) { nodes { body author { __typename } } }
        }
      }
    }
  }
}`;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: ({ id: string; isResolved: boolean; comments: { nodes: ({ body: string; author: { __typename: string } | null } | null)[] } } | null)[];
      };
    } | null;
  } | null;
}

/** Pages of threads read at most (5000 threads): a bound, should a cursor never end. */
const MAX_PAGES = 50;

/** Every review thread of the PR, 100 a request. */
export async function listThreads(gh: GitHubTarget, pullNumber: number): Promise<ListedThread[]> {
  const threads: ListedThread[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const data: ThreadsPage = await step('listing the review threads', () =>
      gh.octokit.graphql<ThreadsPage>(THREADS_QUERY, { owner: gh.owner, name: gh.repo, number: pullNumber, cursor }),
    );
    const list = data.repository?.pullRequest?.reviewThreads;
    if (!list) break;
    for (const t of list.nodes) {
      if (!t) continue;
      const first = t.comments.nodes[0];
      threads.push({ id: t.id, isResolved: t.isResolved, first: first ? { body: first.body, authorType: first.author?.__typename ?? null } : null });
    }
    if (!list.pageInfo.hasNextPage || !list.pageInfo.endCursor) break;
    cursor = list.pageInfo.endCursor;
  }
  return threads;
}

/** The mutation resolving `count` threads in one request, `$t0`..: one alias per thread. */
export function resolveMutation(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$t${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `  r${i}: resolveReviewThread(input: { threadId: $t${i} }) { thread { id isResolved } }`).join('\n');
  return `mutation (${vars}) {\n${fields}\n}`;
}

/** Threads resolved per mutation request. */
const RESOLVE_BATCH = 25;

/** Resolves the threads, 25 a request; returns how many. */
export async function resolveThreads(gh: GitHubTarget, ids: string[]): Promise<number> {
  let resolved = 0;
  for (const batch of chunk(ids, RESOLVE_BATCH)) {
    await step(`resolving ${batch.length} review thread(s) whose finding is gone`, () =>
      gh.octokit.graphql(resolveMutation(batch.length), Object.fromEntries(batch.map((id, i) => [`t${i}`, id]))),
    );
    resolved += batch.length;
  }
  return resolved;
}
