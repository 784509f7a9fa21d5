/**
 * Flat memory over 500 sequential deliveries (issue 13), with the App as deployed: the built web
 * process and two worker processes on Redis and PostgreSQL, GitHub played by
 * scripts/fake-github.js (test/load/cluster.ts).
 *
 * The deliveries are sent one after another (each once the previous one is answered), and most
 * cause a review: 300 new heads of 40 pull requests (40 repositories and installations; a pull
 * request gets its next head once its previous review has published, so none is folded away:
 * every one is reviewed, published and recorded), 100 deliveries for draft pull requests (queued;
 * the worker drops them without asking GitHub) and 100 redeliveries of earlier deliveries (the web
 * process ignores them as duplicates). Each new head changes the files' resources, so every review
 * has new findings: its summary comment is updated, a new inline review posted and the previous
 * head's threads resolved.
 *
 * Each repository also holds 30 unchanged Terraform files that the repository rules read: the
 * first review of a pull request fetches and parses them, later ones find them in the parse cache.
 *
 * The resident set (VmRSS of /proc/<pid>/status, the review threads included) of the web process
 * and of each worker is sampled every 250 ms. After a warm-up (the first 100 deliveries: every
 * code path has run, every pull request has had its first review, the heaps have grown to their
 * working size), the rest is cut in two halves, each long enough to hold whole garbage-collection
 * cycles; from the first half to the second, the lowest sample (the floor after collections,
 * which a leak raises) and the largest may grow by at most the bounds below. About 60 reviews per
 * worker separate the halves. Measured over ten runs here: the workers (250-390 MB with their two
 * review threads) moved by -76 to -17 MB (floor) and -19 to +47 MB (peak), the web process
 * (95-140 MB) by +1 to +6 MB (floor) and -37 to -2 MB (peak). The workers' floor bound (40 MB)
 * fails a leak of about 0.7 MB a review or more: a review thread, a database pool, a Redis
 * connection or a review's whole result left behind per job would; a few kilobytes kept per
 * review would not show within 500 deliveries. The peak bound (90 MB) is for runaway growth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub, type Delivery } from '../../scripts/fake-github.js';
import { requireRedis } from '../queue/redis-helpers.js';
import { postgresSchema } from '../store/databases.js';
import {
  AppCluster,
  CONFIG,
  installationIds,
  Proc,
  pushNewHead,
  removeThrottleKeys,
  reviewablePull,
  SECRET,
  until,
  type TestPull,
} from './cluster.js';

const PULLS = 40;
/** Unchanged Terraform files per repository, read by the repository rules (and then remembered by the parse cache). */
const CONTEXT = 30;
const DELIVERIES = 500;
/** Deliveries before memory is compared: every code path has run, every pull request had its first review. */
const WARM_UP = 100;
/** Bounds of the growth from the first half after the warm-up to the second (MB): largest and lowest sample. */
const WEB = { peak: 25, trough: 20 };
const WORKER = { peak: 90, trough: 40 };

let fake: FakeGitHub;
let pg: Awaited<ReturnType<typeof postgresSchema>>;
let cluster: AppCluster | undefined;
const installations = installationIds(PULLS);

beforeAll(async () => {
  await requireRedis();
  pg = await postgresSchema();
  fake = await new FakeGitHub({ recordBodies: false }).start({ ports: 3 });
});

afterAll(async () => {
  await cluster?.stop();
  await removeThrottleKeys(cluster?.redisUrl ?? 'redis://127.0.0.1:6379', installations).catch(() => {});
  await pg?.teardown();
  await fake?.close();
});

interface Sample {
  at: number;
  /** Deliveries answered so far. */
  sent: number;
  rss: number[];
}

describe('the App as deployed over 500 sequential deliveries', () => {
  it('reviews every new head once and keeps the resident memory of every process flat', async () => {
    cluster = await new AppCluster({ fake, databaseUrl: pg.url() }).start();
    const c = cluster;
    // Tracking issues off: each review's writes are its check run, summary, review and threads.
    const config = CONFIG.replace('create: on-pr', 'create: never');
    const pulls = Array.from({ length: PULLS }, (_, i) => reviewablePull(fake, `steady-${i}`, installations[i]!, { config, context: CONTEXT }));
    // Draft pull requests in the same repositories: queued, then dropped by the worker.
    const drafts = pulls.slice(0, 10).map((p) => fake.openPullRequest(p.fullName, { head: p.head, draft: true, title: 'WIP' }));

    const procs: Proc[] = [c.web, ...c.workers];
    const samples: Sample[] = [];
    let sent = 0;
    const sampler = setInterval(() => {
      try {
        samples.push({ at: Date.now(), sent, rss: procs.map((p) => p.rssMb()) });
      } catch {
        // a process gone: the assertions below say so
      }
    }, 250);

    const heads = new Map<TestPull, number>(pulls.map((p) => [p, 0]));
    const reviewDeliveries: Delivery[] = [];
    const statuses: number[] = [];
    const idle = (p: TestPull) => fake.checkRunsOf(p.fullName, { pull: p.number }).filter((r) => r.status === 'completed').length === heads.get(p);
    let next = 0;
    const started = Date.now();
    try {
      for (let k = 0; k < DELIVERIES; k++) {
        let d: Delivery;
        if (k % 5 === 3) {
          const draft = drafts[k % drafts.length]!;
          const full = pulls[k % drafts.length]!.fullName;
          d = fake.delivery('pull_request', fake.pullRequestEvent(full, draft.number, 'opened'), SECRET);
        } else if (k % 5 === 4) {
          d = reviewDeliveries[(k * 7) % reviewDeliveries.length]!;
        } else {
          // The next pull request whose last head has been reviewed gets a new head.
          let p: TestPull | undefined;
          await until(
            () => {
              for (let j = 0; j < PULLS && !p; j++) {
                const q = pulls[(next + j) % PULLS]!;
                if (idle(q)) p = q;
              }
              return p !== undefined;
            },
            120_000,
            () => `a pull request whose review published (delivery ${k})\n${c.tails()}`,
          );
          next = (pulls.indexOf(p!) + 1) % PULLS;
          const v = heads.get(p!)! + 1;
          heads.set(p!, v);
          const before = p!.head;
          if (v > 1) pushNewHead(fake, p!, v);
          d = fake.delivery('pull_request', fake.pullRequestEvent(p!.fullName, p!.number, v > 1 ? 'synchronize' : 'opened', { before }), SECRET);
          reviewDeliveries.push(d);
        }
        const answer = await c.deliver(d);
        statuses.push(answer.status);
        sent++;
      }
      await until(() => pulls.every(idle), 120_000, () => `every review to publish\n${c.tails()}`);
      await c.quiet();
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;

    const window = (from: number, to: number) => samples.filter((s) => s.sent >= from && s.sent < to);
    const values = (ss: Sample[], i: number) => ss.map((s) => s.rss[i]!).sort((a, b) => a - b);
    // A window of cheap deliveries can pass between two samples: it has none.
    const median = (ss: Sample[], i: number) => (ss.length === 0 ? '-' : values(ss, i)[ss.length >> 1]!.toFixed(0));
    // Halves of the run after the warm-up, each long enough to hold whole garbage-collection cycles.
    const early = window(WARM_UP, (WARM_UP + DELIVERIES) / 2);
    const late = window((WARM_UP + DELIVERIES) / 2, DELIVERIES + 1);
    const peak = (ss: Sample[]) => procs.map((_, i) => values(ss, i).at(-1)!);
    const trough = (ss: Sample[]) => procs.map((_, i) => values(ss, i)[0]!);
    expect(Math.min(early.length, late.length), 'RSS samples in each half').toBeGreaterThan(20);
    const [peakEarly, peakLate, troughEarly, troughLate] = [peak(early), peak(late), trough(early), trough(late)];
    const reviews = [...heads.values()].reduce((a, b) => a + b, 0);
    const growth = (a: number, b: number) => `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(0)}`;
    console.log(
      `${DELIVERIES} sequential deliveries (${reviews} reviews, ${DELIVERIES - reviews - 100} drafts, 100 redeliveries) in ${seconds.toFixed(0)} s; ` +
        `RSS MB, first half after warm-up -> second half, peak / trough: ` +
        procs.map((p, i) => `${p.name} ${peakEarly[i]!.toFixed(0)} -> ${peakLate[i]!.toFixed(0)} (${growth(peakEarly[i]!, peakLate[i]!)}) / ${troughEarly[i]!.toFixed(0)} -> ${troughLate[i]!.toFixed(0)} (${growth(troughEarly[i]!, troughLate[i]!)})`).join(', ') +
        '; median by 50 deliveries: ' +
        procs.map((p, i) => `${p.name} ${Array.from({ length: DELIVERIES / 50 }, (_, w) => median(window(w * 50, w * 50 + 50), i)).join(' ')}`).join('; '),
    );

    expect(statuses.filter((s) => s !== 202)).toEqual([]);
    // Every head reviewed once; drafts and redeliveries made no review.
    for (const p of pulls) {
      const runs = fake.checkRunsOf(p.fullName, { pull: p.number });
      expect({ pull: p.fullName, created: runs.length, concluded: runs.map((r) => r.conclusion) }).toEqual({
        pull: p.fullName,
        created: heads.get(p),
        concluded: Array(heads.get(p)).fill('failure'),
      });
      expect(fake.summaryCommentsOf(p.fullName, p.number)).toHaveLength(1);
    }
    for (const [i, d] of drafts.entries()) expect(fake.checkRunsOf(pulls[i]!.fullName, { pull: d.number })).toEqual([]);
    expect(fake.unknown.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(fake.failures().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([]);

    for (const [i, p] of procs.entries()) {
      expect(p.running, `${p.name} is still running`).toBe(true);
      const bound = p === c.web ? WEB : WORKER;
      expect(peakLate[i]! - peakEarly[i]!, `${p.name}: growth of the peak RSS (MB) from the first half to the second`).toBeLessThan(bound.peak);
      expect(troughLate[i]! - troughEarly[i]!, `${p.name}: growth of the lowest RSS (MB) from the first half to the second`).toBeLessThan(bound.trough);
    }
  }, 330_000);
});
