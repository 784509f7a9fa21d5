/**
 * For tests against a real Redis (REDIS_URL, else 127.0.0.1:6379): each test gets a key prefix of
 * its own and removes its keys afterwards (never FLUSHALL: the Redis may be shared), and a queue's
 * timings shortened so that locks lapse and stalled jobs are found within a second.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisQueue, type RedisQueueLog, type RedisQueueOptions } from '../../src/queue/redis.js';

export const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

/** Fails (not skips) when Redis does not answer, saying what is needed. */
export async function requireRedis(): Promise<void> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  let socketError: Error | undefined;
  r.on('error', (e: Error) => (socketError ??= e));
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(
      `These tests need a Redis server: set REDIS_URL or run one on 127.0.0.1:6379 (tried ${REDIS_URL}: ${(socketError ?? (e as Error)).message})`,
    );
  } finally {
    r.disconnect();
  }
}

export function uniquePrefix(): string {
  return `mlq-test-${randomUUID().slice(0, 8)}`;
}

/** Removes every key under the prefix (BullMQ's and the lanes'). */
export async function removeKeys(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await r.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await r.quit();
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

export function captureLog(): { lines: LogLine[]; log: RedisQueueLog } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Timings for tests: a dead worker's locks lapse after a second, parked jobs are looked at every 50 ms. */
export const FAST = { lockMs: 1000, stalledIntervalMs: 300, laneRetryMs: 50, pollMs: 50, backoffMs: 50, handBackMs: 100 } as const;

/** Queues made for one test, closed and their keys removed afterwards. */
export class Queues {
  readonly prefix = uniquePrefix();
  readonly made: RedisQueue<unknown>[] = [];

  make<T>(options: RedisQueueOptions = {}): RedisQueue<T> {
    const q = new RedisQueue<T>({ url: REDIS_URL, prefix: this.prefix, ...FAST, ...options });
    this.made.push(q as RedisQueue<unknown>);
    return q;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.made.map((q) => q.close(2000)));
    await removeKeys(this.prefix);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, at most `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000, what = 'the condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}
