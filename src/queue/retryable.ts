/**
 * A job's way to say "try me again later": a queue that retries (the Redis queue) runs the job
 * again after its backoff, or after `retryAfterMs` when that is longer (GitHub's rate-limit reset,
 * `retry-after`), within its bounded attempts. The in-process queue does not retry: it logs it.
 */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';

  constructor(
    message: string,
    /** The earliest time worth trying again (ms from now), when the failure says so. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The wait a failure asks for (ms), if it is a RetryableError that names one. */
export function retryAfterOf(err: unknown): number | undefined {
  if (err instanceof RetryableError) return err.retryAfterMs;
  // A RetryableError that crossed a realm (a sandboxed processor) keeps only its name and fields.
  const e = err as { name?: unknown; retryAfterMs?: unknown } | undefined;
  return e?.name === 'RetryableError' && typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined;
}
