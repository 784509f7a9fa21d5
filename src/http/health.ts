/**
 * `GET /health`: whether this process can do its work, as JSON for a load balancer, an
 * orchestrator's probe or a person. It reports the queue (in-process or Redis: jobs waiting,
 * running and delayed, the oldest waiting job's age, the workers taking jobs, the jobs that failed
 * or stalled lately with their pull request) and the database. HTTP 200 when both answer; 503 when
 * the queue's Redis (or the database) cannot be reached, so that a replica cut off from them is
 * taken out of rotation and its webhooks go to one that can queue them.
 */
import type { QueueHealth } from '../queue/types.js';

export interface HealthSources {
  queue: { health?(): Promise<QueueHealth> };
  /** The database's state (what it resolves to is reported); rejects when it cannot be reached. Absent: "not configured". */
  database?: (() => Promise<unknown>) | undefined;
  /** How long each source gets (ms). Default 2500. */
  timeoutMs?: number;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  queue: QueueHealth | { kind: string; error: string };
  database: unknown;
}

async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function healthReport(sources: HealthSources): Promise<{ status: number; body: HealthReport }> {
  const ms = sources.timeoutMs ?? 2500;
  let healthy = true;
  const [queue, database] = await Promise.all([
    sources.queue.health
      ? within(sources.queue.health(), ms).catch((e: unknown) => {
          healthy = false;
          return { kind: 'redis', error: `the queue cannot be reached: ${reason(e)}` };
        })
      : Promise.resolve({ kind: 'unknown', error: 'this queue does not report its state' }),
    sources.database
      ? within(sources.database(), ms).catch((e: unknown) => {
          healthy = false;
          return { error: `the database cannot be reached: ${reason(e)}` };
        })
      : Promise.resolve('not configured'),
  ]);
  return { status: healthy ? 200 : 503, body: { status: healthy ? 'ok' : 'unavailable', queue, database } };
}
