/**
 * Errors as one line a person can act on, for the check run and the log: which GitHub call
 * failed, with what status, and GitHub's request id (so GitHub Support can find it). A call that
 * never reached GitHub says so, with the network's reason: Octokit reports it as a status 500
 * without a response, which is not something GitHub answered.
 */

interface HttpLike {
  status?: number;
  message?: string;
  request?: { method?: string; url?: string };
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  errors?: { message?: string; type?: string }[];
  cause?: unknown;
  step?: string;
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

/**
 * Why a request got no answer: the innermost cause's code and message, e.g. `ECONNRESET (socket
 * hang up)` (undici wraps the socket's error in a `fetch failed` TypeError, Octokit in its own).
 */
function networkReason(err: Error & HttpLike): string {
  let code: string | undefined;
  let message = '';
  const seen = new Set<unknown>();
  for (let c: unknown = err; c instanceof Error && !seen.has(c); c = (c as HttpLike).cause) {
    seen.add(c);
    const own = (c as { code?: unknown }).code;
    if (typeof own === 'string') code = own;
    const m = firstLine(c.message);
    if (m && m !== 'fetch failed') message = m;
  }
  if (code && message && message !== code) return `${code} (${message})`;
  return code ?? (message || 'no answer');
}

/** Octokit's error for a request that got no response at all (refused, reset, unresolved, timed out). */
function isNetworkError(err: Error & HttpLike): boolean {
  return err.status === 500 && err.request !== undefined && err.response === undefined;
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as Error & HttpLike;
  if (isNetworkError(err)) {
    const call = `${err.request!.method ?? ''} ${pathOf(err.request!.url)}`.trim();
    return `could not reach GitHub for ${call}: ${networkReason(err)}`;
  }
  // A publishing step wraps the call's error (and says "HTTP 500" for a network failure).
  if (err.name === 'PublishError' && err.step && err.cause instanceof Error && isNetworkError(err.cause as Error & HttpLike)) {
    return `${err.step} failed: ${describeError(err.cause)}`;
  }
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
