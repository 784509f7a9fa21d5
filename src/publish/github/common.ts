/**
 * What every publisher shares: the target repository, pagination, links, and errors that say
 * which step failed. (Requests are counted by the client's hook: see request-count.ts.)
 */
import type { Octokit } from '@octokit/rest';
import type { FileUrl } from '../../render/index.js';

/**
 * The repository to publish to. `octokit` is an authenticated client; only `octokit.rest.*`,
 * `octokit.paginate`, `octokit.graphql` and `octokit.request` are used, so Probot's
 * `context.octokit` works too (its type lacks @octokit/rest's legacy `octokit.checks.*` methods,
 * hence a cast at the call site).
 */
export interface GitHubTarget {
  octokit: Octokit;
  owner: string;
  repo: string;
}

/** An API call that failed, with the step it belonged to and GitHub's request id for support. */
export class PublishError extends Error {
  readonly step: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(step: string, cause: unknown) {
    const e = cause as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } } | undefined;
    const status = typeof e?.status === 'number' ? e.status : undefined;
    const requestId = e?.response?.headers?.['x-github-request-id'];
    const detail = e?.message ?? String(cause);
    super(`${step} failed${status ? ` (HTTP ${status})` : ''}: ${detail}${requestId ? ` [request id ${requestId}]` : ''}`, { cause });
    this.name = 'PublishError';
    this.step = step;
    this.status = status;
    this.requestId = requestId;
  }
}

/** Runs one step of a publish; an error is rethrown as a PublishError naming the step. */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PublishError) throw err;
    throw new PublishError(name, err);
  }
}

/** The HTTP status of an Octokit error, if any. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

type PageFn = Parameters<Octokit['paginate']['iterator']>[0];

/** Every item of a paginated list, 100 a page (each page is a request). */
export async function listAll<T>(gh: GitHubTarget, route: PageFn, params: Record<string, unknown>): Promise<T[]> {
  const items: T[] = [];
  const iterator = gh.octokit.paginate.iterator(route as never, { per_page: 100, ...params } as never) as AsyncIterable<{ data: unknown }>;
  for await (const page of iterator) {
    if (Array.isArray(page.data)) items.push(...(page.data as T[]));
  }
  return items;
}

/** The web host of the API the client talks to: https://github.com, or a GitHub Enterprise host. */
export function webBase(gh: GitHubTarget): string {
  const base = String((gh.octokit.request as { endpoint?: { DEFAULTS?: { baseUrl?: string } } }).endpoint?.DEFAULTS?.baseUrl ?? 'https://api.github.com');
  if (/^https:\/\/api\.github\.com\/?$/.test(base)) return 'https://github.com';
  return base.replace(/\/api\/v3\/?$/, '').replace(/\/$/, '');
}

/** Link to a file and lines at a commit: `https://github.com/OWNER/REPO/blob/SHA/PATH#L10-L12`. */
export function blobUrl(gh: GitHubTarget, sha: string): FileUrl {
  const root = `${webBase(gh)}/${encodeURIComponent(gh.owner)}/${encodeURIComponent(gh.repo)}/blob/${encodeURIComponent(sha)}/`;
  return (path, line, endLine) =>
    `${root}${path.split('/').map(encodeURIComponent).join('/')}#L${line}${endLine !== undefined && endLine > line ? `-L${endLine}` : ''}`;
}

/** Link to a commit: `https://github.com/OWNER/REPO/commit/SHA`. */
export function commitUrl(gh: GitHubTarget, sha: string): string {
  return `${webBase(gh)}/${encodeURIComponent(gh.owner)}/${encodeURIComponent(gh.repo)}/commit/${encodeURIComponent(sha)}`;
}

/** Cuts text to `max` UTF-16 units at a line break when it can, saying so. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const notice = '\n…(cut)';
  let s = text.slice(0, Math.max(0, max - notice.length));
  const nl = s.lastIndexOf('\n');
  if (nl > max / 2) s = s.slice(0, nl);
  // Never leave half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  return s + notice;
}

export function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Line endings as GitHub returns them may differ from what was sent; compare without them. */
export function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\r\n?/g, '\n').trimEnd();
  return norm(a) === norm(b);
}
