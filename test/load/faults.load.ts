/**
 * Faults, with the App as deployed (issue 13): the built web process and two worker processes on
 * Redis and PostgreSQL, GitHub played by scripts/fake-github.js (test/load/cluster.ts). Proven:
 *
 * - Redis restarted mid-burst: nothing is lost. The test runs a `redis-server` of its own with the
 *   append-only file written on every command (`--appendonly yes --appendfsync always`): queued
 *   jobs survive a restart of Redis only when Redis persists them (docker-compose.yml runs it with
 *   `--appendonly yes`; with `--appendonly no` this test fails, 11 of the 30 pull requests never
 *   reviewed). Jobs wait 3 s in the queue before they start, so those queued before the stop are in
 *   Redis only. 30 deliveries are sent 60 ms apart; Redis is stopped (SIGTERM) after the first
 *   third and started again on the same port and folder 2.5 s later; every delivery not answered
 *   202 is delivered again (GitHub's "Redeliver": same delivery id and body) until it is. The
 *   contract: the web process answers 202 only once the job is in Redis, and 503 when it cannot
 *   enqueue it. In the end every pull request is reviewed exactly once.
 * - A worker killed (SIGKILL) mid-review: the fake holds the review's content query, the worker that
 *   sent it is killed, and the other worker takes the job once its locks lapse (BullMQ's stalled-job
 *   check marks the active jobs at one pass and moves back, at the next, 30 s later, those whose
 *   30 s lock lapsed meanwhile: 65 to 97 s measured here; the environment cannot shorten either):
 *   the review completes once, with one summary comment, one review, one issue and one check run:
 *   the one the killed attempt created, which the resumed job finds in progress and concludes.
 * - The database unreachable: the workers reach PostgreSQL through a loopback TCP proxy
 *   (test/store/databases.ts `Outage`), closed mid-burst: every review still publishes; once the
 *   proxy is open again the history's outbox writes what it missed (on its retry timer, 60 s after
 *   the first failure), and the `reviews` table holds exactly one row per review published.
 *
 * The three run at once (each with its own processes, Redis keys or server, schema and fake
 * GitHub): most of their time is spent waiting for a lock or a retry timer to lapse.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub, type Delivery } from '../../scripts/fake-github.js';
import { requireRedis } from '../queue/redis-helpers.js';
import { Outage, PG_URL, postgresSchema } from '../store/databases.js';
import {
  AppCluster,
  installationIds,
  PrivateRedis,
  published,
  removeThrottleKeys,
  requireRedisServer,
  reviewablePull,
  SECRET,
  sleep,
  until,
  type TestPull,
} from './cluster.js';

type Schema = Awaited<ReturnType<typeof postgresSchema>>;

/** Everything one test made, undone in `afterAll` whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await requireRedis();
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch((e: unknown) => console.error('cleanup failed:', e));
});

/** A schema, a fake GitHub with a port per process, and installations of the test's own. */
async function setup(n: number): Promise<{ schema: Schema; fake: FakeGitHub; installations: number[] }> {
  const schema = await postgresSchema();
  cleanups.push(() => schema.teardown());
  const fake = await new FakeGitHub().start({ ports: 3 });
  cleanups.push(() => fake.close());
  return { schema, fake, installations: installationIds(n) };
}

async function launch(cluster: AppCluster, installations: number[]): Promise<AppCluster> {
  cleanups.push(async () => {
    await cluster.stop();
    await removeThrottleKeys(cluster.redisUrl, installations);
  });
  return cluster.start();
}

const opened = (fake: FakeGitHub, p: TestPull, id?: string): Delivery => fake.delivery('pull_request', fake.pullRequestEvent(p.fullName, p.number, 'opened'), SECRET, id);

/** Exactly once, as in the burst test: one check run concluded, one summary, one review, one issue, nothing twice. */
function expectOnce(fake: FakeGitHub, p: TestPull, o: { checkRunsCreated?: number } = {}): void {
  const got = published(fake, p);
  expect({ pull: `${p.fullName}#${p.number}`, ...got, reviewComments: got.reviewComments > 0 }).toEqual({
    pull: `${p.fullName}#${p.number}`,
    checkRunsCreated: o.checkRunsCreated ?? 1,
    checkRunsCompleted: 1,
    conclusions: ['failure'],
    incomplete: [],
    summaries: 1,
    summaryDeletes: 0,
    reviews: 1,
    reviewComments: true,
    issues: 1,
    duplicates: [],
  });
}

const completed = (fake: FakeGitHub, pulls: TestPull[]) => pulls.filter((p) => fake.checkRunsOf(p.fullName, { pull: p.number }).some((c) => c.status === 'completed'));

describe.concurrent('faults, with the App as deployed', () => {
  it('Redis restarted mid-burst: every delivery is taken (redelivered until answered 202) and every pull request reviewed exactly once', async () => {
    requireRedisServer();
    const N = 30;
    const { schema, fake, installations } = await setup(N);
    const redis = new PrivateRedis();
    cleanups.push(() => redis.destroy());
    await redis.start();
    // Jobs wait 3 s before they start (the queue's quiet time), so that those queued before Redis
    // stops are still waiting in it while it is away: they come back from its append-only file.
    const cluster = await launch(new AppCluster({ fake, databaseUrl: schema.url(), redisUrl: redis.url, env: { ML_LENS_QUEUE_DELAY_MS: '3000' } }), installations);
    const pulls = Array.from({ length: N }, (_, i) => reviewablePull(fake, `restart-${i}`, installations[i]!));
    const deliveries = pulls.map((p) => opened(fake, p));

    // Sent 60 ms apart, each without waiting for the answer before the next: Redis is stopped after
    // the first third (SIGTERM) and started again on the same port and folder 2.5 s later, so that
    // the rest arrive while it is away or coming back.
    const answers: Promise<{ status: number; ms: number }>[] = [];
    let stopped = 0;
    let back = 0;
    let restarted: Promise<void> | undefined;
    for (const [i, d] of deliveries.entries()) {
      if (i === Math.floor(N / 3)) {
        restarted = redis.stop().then(async () => {
          stopped = Date.now();
          await sleep(2500);
          await redis.start();
          back = Date.now();
        });
      }
      answers.push(cluster.deliver(d));
      await sleep(60);
    }
    await restarted;
    const first = await Promise.all(answers);
    const firstStatuses = first.map((a) => a.status);
    expect(stopped, 'Redis was stopped mid-burst').toBeGreaterThan(0);
    // Those queued before the stop had not started: they were in Redis only.
    const startedBeforeStop = pulls.filter((p) => fake.checkRunsOf(p.fullName, { pull: p.number }).some((c) => c.createdAt < stopped)).length;

    // GitHub's "Redeliver": the same delivery again, until it is answered 202.
    const pending = new Set(deliveries.filter((_, i) => first[i]!.status !== 202));
    const redelivered = pending.size;
    for (let round = 0; pending.size > 0 && round < 20; round++) {
      for (const d of [...pending]) if ((await cluster.deliver(d)).status === 202) pending.delete(d);
      if (pending.size > 0) await sleep(500);
    }
    expect(pending.size, 'every delivery was eventually answered 202').toBe(0);

    await until(
      () => completed(fake, pulls).length === N,
      120_000,
      () =>
        `every pull request to be reviewed (${completed(fake, pulls).length}/${N}; first answers ${firstStatuses.join(' ')}; ` +
        `not reviewed: ${pulls.filter((p) => !completed(fake, pulls).includes(p)).map((p) => p.fullName).join(', ')})\n${cluster.tails()}`,
    );
    await cluster.quiet();
    console.log(
      `Redis away for ${((back - stopped) / 1000).toFixed(1)} s mid-burst (${startedBeforeStop} reviews had started before): first answers ${firstStatuses.join(' ')} ` +
        `(slowest ${Math.max(...first.map((a) => a.ms)).toFixed(0)} ms); ${redelivered} redelivered; all ${N} reviewed exactly once`,
    );
    for (const p of pulls) expectOnce(fake, p);
    expect(fake.unknown).toEqual([]);
    expect(fake.failures().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([]);
  }, 240_000);

  it('a worker killed (SIGKILL) mid-review: the other worker takes the job and completes it once', async () => {
    const { schema, fake, installations } = await setup(1);
    const cluster = await launch(new AppCluster({ fake, databaseUrl: schema.url() }), installations);
    const pull = reviewablePull(fake, 'killed', installations[0]!);
    // The review's content query is held: the worker that sent it is mid-review, its check run created.
    const held = fake.inject({ path: /^\/graphql$/, match: (_r, body) => /MlLensObjects/.test(String((body as { query?: string }).query)), hold: true });
    expect((await cluster.deliver(opened(fake, pull))).status).toBe(202);
    const reached = await held.reached;
    const victim = cluster.workers.find((w) => cluster.fakePortOf(w) === reached.port)!;
    const survivor = cluster.workers.find((w) => w !== victim)!;
    expect(fake.checkRunsOf(pull.fullName, { pull: pull.number }).map((c) => c.status)).toEqual(['in_progress']);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    held.release();

    await until(() => completed(fake, [pull]).length === 1, 150_000, () => `the job to be taken by the other worker\n${cluster.tails()}`);
    const recoveredS = (Date.now() - killedAt) / 1000;
    await cluster.quiet();
    const runs = fake.checkRunsOf(pull.fullName, { pull: pull.number });
    console.log(
      `worker killed mid-review: completed by the other worker ${recoveredS.toFixed(1)} s later; check runs ${runs.map((c) => `${c.id} ${c.status}/${c.conclusion ?? '-'} by ${c.port === reached.port ? 'the killed worker' : 'the survivor'}`).join(', ')}`,
    );
    // The killed attempt published nothing but its check run; the survivor took that run over
    // (control.resumed: it looked for it) and published everything, once: one check run, concluded.
    expect(runs.map((c) => [c.status, c.port])).toEqual([['completed', reached.port]]);
    const writesOfKilled = fake.requestsWhere({ port: reached.port }).filter((r) => r.method !== 'GET' && !/access_tokens|check-runs$|graphql/.test(r.route));
    expect(writesOfKilled.map((r) => r.route)).toEqual([]);
    const survivorChecks = fake.requestsWhere({ port: cluster.fakePortOf(survivor) }).filter((r) => /check-runs/.test(r.route)).map((r) => r.route);
    expect(survivorChecks).toContain('GET /repos/{owner}/{repo}/commits/{ref}/check-runs');
    expect(survivorChecks).not.toContain('POST /repos/{owner}/{repo}/check-runs');
    expectOnce(fake, pull, { checkRunsCreated: 1 });
    expect(survivor.lines.some((l) => /job stalled/.test(l)), 'the survivor took the job through the stalled-job check').toBe(true);
    expect(fake.unknown).toEqual([]);
  }, 240_000);

  it('the database unreachable mid-burst: reviews still publish, and the history records each once it is back', async () => {
    const N = 12;
    const { schema, fake, installations } = await setup(N);
    const outage = await Outage.closedPort();
    await outage.open();
    cleanups.push(() => outage.close());
    const cluster = await launch(new AppCluster({ fake, databaseUrl: schema.url(), workerDatabaseUrl: schema.url(outage.port) }), installations);
    const pulls = Array.from({ length: N }, (_, i) => reviewablePull(fake, `outage-${i}`, installations[i]!));
    const rows = async (): Promise<{ full_name: string; number: number; head_sha: string }[]> => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        return (await c.query(`SELECT full_name, number, head_sha FROM "${schema.schema}".reviews ORDER BY full_name`)).rows as { full_name: string; number: number; head_sha: string }[];
      } finally {
        await c.end();
      }
    };

    // A first part of the burst is reviewed and recorded; the database goes away; the rest follows.
    for (const p of pulls.slice(0, 4)) expect((await cluster.deliver(opened(fake, p))).status).toBe(202);
    await until(async () => (await rows()).length >= 2, 60_000, () => `the first reviews to be recorded\n${cluster.tails()}`);
    await outage.close();
    const before = (await rows()).length;
    for (const p of pulls.slice(4)) expect((await cluster.deliver(opened(fake, p))).status).toBe(202);
    await until(() => completed(fake, pulls).length === N, 120_000, () => `every review to publish while the database is away\n${cluster.tails()}`);
    await cluster.quiet();
    const whileAway = (await rows()).length;
    for (const p of pulls) expectOnce(fake, p);

    await outage.open();
    const back = Date.now();
    await until(async () => (await rows()).length >= N, 100_000, () => `the history to catch up (${N} reviews)\n${cluster.tails()}`);
    await sleep(1500);
    const recorded = await rows();
    console.log(
      `database away: ${before} reviews recorded before the cut, ${whileAway} while away, all ${recorded.length} recorded ${((Date.now() - back) / 1000).toFixed(1)} s after it was back`,
    );
    expect(before).toBeLessThan(N);
    expect(recorded.map((r) => `${r.full_name}#${r.number}@${r.head_sha}`).sort()).toEqual(pulls.map((p) => `${p.fullName}#${p.number}@${p.head}`).sort());
    expect(cluster.workers.some((w) => w.lines.some((l) => /the database did not answer/.test(l))), 'a worker saw the database go away').toBe(true);
    expect(fake.unknown).toEqual([]);
  }, 240_000);
});
