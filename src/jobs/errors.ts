/**
 * Errors as one line a person can act on, for the check run and the log: which GitHub call
 * failed, with what status, and GitHub's request id (so GitHub Support can find it).
 */

interface HttpLike {
  status?: number;
  message?: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  errors?: { message?: string; type?: string }[];
}

/** `/repos/o/r/pulls/1/files` from a full URL (host and query dropped). */
function pathOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).trim();
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as Error & HttpLike;
  if (err.name === 'GraphqlResponseError' && Array.isArray(err.errors)) {
    return `GitHub's GraphQL API answered with errors: ${err.errors.map((x) => x.message ?? x.type ?? 'error').join('; ')}`;
  }
  if (typeof err.status === 'number' && err.request) {
    const call = `${err.request.method ?? ''} ${pathOf(err.request.url)}`.trim();
    const headers = err.response?.headers ?? {};
    const requestId = headers['x-github-request-id'];
    const id = requestId ? ` (request id ${requestId})` : '';
    // GitHub's message is the body's `message`; Octokit appends the documentation link.
    const message = firstLine(err.message).replace(/ - https:\/\/docs\.github\.com\S*$/, '');
    if ((err.status === 403 || err.status === 429) && /secondary rate limit|abuse/i.test(err.message)) {
      const retry = headers['retry-after'];
      return `GitHub's secondary rate limit stopped ${call}${retry !== undefined ? ` (retry after ${retry} s)` : ''}${id}`;
    }
    if ((err.status === 403 || err.status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
      return `GitHub's rate limit is exhausted: ${call} answered ${err.status}${id}`;
    }
    return `GitHub answered ${err.status} to ${call}: ${message}${id}`;
  }
  return firstLine(err.message) || err.name;
}
