/**
 * Lanes in Redis: what makes the jobs of one key (one pull request, one repository's pushes) run
 * one at a time, in order, across every worker process. BullMQ (the open-source edition) has no
 * groups, so each key gets two Redis keys of its own:
 *
 * - `pending`, a sorted set of the key's unfinished job ids in enqueue order (the score is a
 *   counter shared by all enqueuers). A job joins it before its BullMQ job exists and leaves it
 *   when it is done, absorbed by a newer one, or failed for good. Only the first may run.
 * - `lock`, `<job id> <token>`, set with a time to live and renewed while the job runs: one job of
 *   the key runs at a time, and a worker that dies lets go of it when the time runs out.
 *
 * Every decision that reads and writes these keys is one Lua script, so it is atomic against
 * every other process: a worker starting a job and an enqueuer absorbing it cannot both win.
 * Other keys: `superseded:<id>` (a running job's result is stale: the job polls it), `seen:<id>`
 * (ids are remembered to ignore a redelivered webhook; the value is when it was enqueued) and a
 * short per-key lock that serialises enqueuers, so two web processes enqueueing for one pull
 * request at once still fold into one job.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Ids in enqueue order: a counter shared by all enqueuers is the score. */
const REGISTER = `
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
return seq`;

/**
 * A worker may start a job when it is still pending (not absorbed, not done), no job of its key
 * holds the lock (not even an earlier attempt of itself: a worker that died keeps it until it
 * expires), and it is the first pending one.
 */
const START = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 'gone' end
local holder = redis.call('GET', KEYS[2])
if holder then return 'busy ' .. holder end
local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if first ~= ARGV[1] then return 'behind ' .. first end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 'started'`;

/**
 * Keeps the lock while the job runs (taking it again if it lapsed and nobody took it) and tells
 * whether a newer job superseded this one. {held, superseded}: held is 0 when another attempt
 * holds the key, and the job must stop.
 */
const RENEW = `
local holder = redis.call('GET', KEYS[1])
local held = 0
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  held = 1
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  held = 1
end
return { held, redis.call('EXISTS', KEYS[2]) }`;

/**
 * The job ends: it leaves the lane when it is done for good (ARGV[3] = '1'; a job retried later or
 * handed back stays first), and lets go of the lock if it still holds it. Returns the id now first.
 */
const FINISH = `
if ARGV[3] == '1' then redis.call('ZREM', KEYS[1], ARGV[1]) end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return redis.call('ZRANGE', KEYS[1], 0, 0)[1] or false`;

/** An enqueuer takes a queued job out of the lane to fold it into a newer one, unless it runs. */
const CLAIM = `
local holder = redis.call('GET', KEYS[2])
if holder and string.sub(holder, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** A first pending id whose job is over (or never came) is removed, so the lane moves on. */
const DROP_STALE = `
local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if first ~= ARGV[1] then return 0 end
local holder = redis.call('GET', KEYS[2])
if holder and string.sub(holder, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** Compare-and-delete: only the holder's token releases a lock. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export type StartResult =
  | { status: 'started' }
  /** Absorbed by a newer job, or already done: nothing to run. */
  | { status: 'gone' }
  /** Another job of the key runs (or a dead worker's lock has not expired yet). */
  | { status: 'busy'; holder: string }
  /** An earlier job of the key has to run first. */
  | { status: 'behind'; first: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The job id of a lock's value (`<id> <token>`; the token has no space). */
export function holderId(lockValue: string): string {
  const space = lockValue.lastIndexOf(' ');
  return space < 0 ? lockValue : lockValue.slice(0, space);
}

export class Lanes {
  /** @param base where the keys live, e.g. `bull:ml-lens:~` (`~` never starts a BullMQ key). */
  constructor(
    private readonly redis: Redis,
    private readonly base: string,
  ) {}

  #pending(key: string): string {
    return `${this.base}lane:${key}:pending`;
  }

  #lock(key: string): string {
    return `${this.base}lane:${key}:lock`;
  }

  #superseded(id: string): string {
    return `${this.base}superseded:${id}`;
  }

  #seen(id: string): string {
    return `${this.base}seen:${id}`;
  }

  /** Remembers an id for `ms`; false when it was already seen (a redelivery). */
  async remember(id: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.#seen(id), String(Date.now()), 'PX', ms, 'NX')) === 'OK';
  }

  async forget(id: string): Promise<void> {
    await this.redis.del(this.#seen(id));
  }

  /** When the id was enqueued (ms since epoch), while it is remembered. */
  async enqueuedAt(id: string): Promise<number | undefined> {
    const v = await this.redis.get(this.#seen(id));
    return v === null ? undefined : Number(v);
  }

  async register(key: string, id: string): Promise<void> {
    await this.redis.eval(REGISTER, 2, this.#pending(key), `${this.base}seq`, id);
  }

  async unregister(key: string, id: string): Promise<void> {
    await this.redis.zrem(this.#pending(key), id);
  }

  /** The key's unfinished job ids, oldest first (the running one included). */
  async pending(key: string): Promise<string[]> {
    return this.redis.zrange(this.#pending(key), 0, -1);
  }

  /** The id of the job holding the key's lock, if any. */
  async holder(key: string): Promise<string | undefined> {
    const v = await this.redis.get(this.#lock(key));
    return v === null ? undefined : holderId(v);
  }

  async start(key: string, id: string, lockValue: string, lockMs: number): Promise<StartResult> {
    const r = String(await this.redis.eval(START, 2, this.#pending(key), this.#lock(key), id, lockValue, lockMs));
    if (r === 'started' || r === 'gone') return { status: r };
    const rest = r.slice(r.indexOf(' ') + 1);
    return r.startsWith('busy ') ? { status: 'busy', holder: holderId(rest) } : { status: 'behind', first: rest };
  }

  async renew(key: string, id: string, lockValue: string, lockMs: number): Promise<{ held: boolean; superseded: boolean }> {
    const [held, superseded] = (await this.redis.eval(RENEW, 2, this.#lock(key), this.#superseded(id), lockValue, lockMs)) as [number, number];
    return { held: held === 1, superseded: superseded === 1 };
  }

  /** Returns the id now first in the lane, to wake it. */
  async finish(key: string, id: string, lockValue: string, done: boolean): Promise<string | undefined> {
    const next = await this.redis.eval(FINISH, 2, this.#pending(key), this.#lock(key), id, lockValue, done ? '1' : '0');
    return typeof next === 'string' ? next : undefined;
  }

  /** True when the queued job was taken out of the lane (it had not started). */
  async claim(key: string, id: string): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 2, this.#pending(key), this.#lock(key), id)) === 1;
  }

  async dropStale(key: string, id: string): Promise<boolean> {
    return (await this.redis.eval(DROP_STALE, 2, this.#pending(key), this.#lock(key), id)) === 1;
  }

  /** Marks a job as waiting for its key's turn (not for a backoff), so the job before it may wake it. */
  async park(id: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.base}parked:${id}`, '1', 'PX', ttlMs);
  }

  /** Takes the mark: true when the job was parked (so exactly one waker promotes it). */
  async unpark(id: string): Promise<boolean> {
    return (await this.redis.del(`${this.base}parked:${id}`)) === 1;
  }

  async markSuperseded(id: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.#superseded(id), '1', 'PX', ttlMs);
  }

  /**
   * Runs `fn` holding the key's enqueue lock, so enqueuers of one key fold their jobs one after the
   * other. An enqueuer that cannot get it within `waitMs` (another one stuck, or gone without
   * releasing it: it expires after `holdMs`) goes ahead: the lane still runs the jobs one at a time
   * and in order, at worst without folding these two together.
   */
  async withEnqueueLock<T>(key: string, fn: () => Promise<T>, opts: { waitMs?: number; holdMs?: number } = {}): Promise<T> {
    const lock = `${this.base}lane:${key}:enqueue`;
    const token = randomUUID();
    const waitMs = opts.waitMs ?? 2000;
    const holdMs = opts.holdMs ?? 10_000;
    const until = Date.now() + waitMs;
    let held = false;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      held = (await this.redis.set(lock, token, 'PX', holdMs, 'NX')) === 'OK';
      if (held || Date.now() + pause > until) break;
      await sleep(pause);
    }
    try {
      return await fn();
    } finally {
      if (held) await this.redis.eval(RELEASE, 1, lock, token);
    }
  }
}
