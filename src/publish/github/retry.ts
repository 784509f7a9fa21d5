/**
 * Retrying a publishing step when GitHub says it is worth it: a 5xx or no answer (backing off 1 s,
 * then 2 s), and a rate limit whose end GitHub names (`retry-after`, or `x-ratelimit-remaining: 0`
 * with `x-ratelimit-reset`), as GitHub's guidance asks. A wait longer than `maxWaitMs` is not
 * waited out: the step fails, and the caller says which surface is missing rather than holding a
 * worker for minutes. Steps are reconcilers (they read what exists before writing), so running one
 * again after a failure that did write something does not write it twice.
 */

export interface RetryOptions {
  /** Tries in all (default 3). */
  attempts?: number;
  /** The longest single wait (default 60 s). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface HttpError {
  status?: number;
  request?: unknown;
  response?: { headers?: Record<string, string | number | undefined> };
  cause?: unknown;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The API error inside a step's error (a PublishError wraps the call's error as its cause). */
function httpError(err: unknown): HttpError | undefined {
  const seen = new Set<unknown>();
  for (let e = err as HttpError | undefined; e && typeof e === 'object' && !seen.has(e); e = e.cause as HttpError | undefined) {
    seen.add(e);
    if (typeof e.status === 'number' && (e.response !== undefined || e.request !== undefined)) return e;
  }
  return undefined;
}

/** How long to wait before trying again after `err` (the `attempt`th failure), or null: do not. */
export function retryDelay(err: unknown, attempt: number, now: number): number | null {
  const e = httpError(err);
  if (!e || typeof e.status !== 'number') return null;
  const headers = e.response?.headers ?? {};
  const header = (name: string) => {
    const v = headers[name];
    return v === undefined ? undefined : Number(v);
  };
  const backoff = 1000 * 2 ** (attempt - 1);
  // Octokit reports a request that got no answer as a 500 without a response.
  if (e.response === undefined) return backoff;
  if ([500, 502, 503, 504].includes(e.status)) return backoff;
  if (e.status === 403 || e.status === 429) {
    const after = header('retry-after');
    if (after !== undefined && Number.isFinite(after)) return Math.max(0, after) * 1000;
    const reset = header('x-ratelimit-reset');
    if (header('x-ratelimit-remaining') === 0 && reset !== undefined && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
    // A 429 that names no time: GitHub asks for at least a minute.
    if (e.status === 429) return 60_000;
  }
  return null;
}

export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 3;
  const maxWait = opts.maxWaitMs ?? 60_000;
  const sleep = opts.sleep ?? sleepFor;
  const now = opts.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = attempt < attempts ? retryDelay(err, attempt, now()) : null;
      if (wait === null || wait > maxWait) throw err;
      await sleep(wait);
    }
  }
}
