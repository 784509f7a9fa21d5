/**
 * Load on the App as deployed (issue 13): the built web process and two worker processes on Redis
 * and PostgreSQL, GitHub played by scripts/fake-github.js on loopback (test/load/cluster.ts).
 *
 * While the workers review four bulky pull requests, a separate client process
 * (test/hostile/burst-client.mjs) posts 50 signed `pull_request.opened` deliveries at once, for 50
 * pull requests of 50 repositories (each in an installation of its own, as at organisation scale),
 * each adding Terraform that makes the repository riskier. Proven:
 * - every delivery is answered 202 (the web process answers once the job is in Redis), and the
 *   acknowledgement is fast: p99 under 100 ms, the goal of issue 13, asserted. Measured on this
 *   2-core machine, where the client, the web process, two workers with their review threads,
 *   Redis, PostgreSQL and the fake share the cores: p50 45-68 ms, p99 50-71 ms over eight runs
 *   (the 50 answers come within a few milliseconds of each other: the client opens its 50
 *   connections at once and the web process verifies and enqueues them in turn);
 * - every review is done exactly once: per pull request one check run created and concluded
 *   (failure: the gate fails on the high finding), one summary comment (none deleted as a
 *   duplicate), one review with its inline comments, one tracking issue, no comment or issue twice;
 * - GitHub was asked nothing the fake does not model and answered no error.
 *
 * Reviews are paced by Probot's throttling (one write a second per installation, GitHub's guidance,
 * shared by every process through Redis): the end-to-end figure printed is bounded by it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../../scripts/fake-github.js';
import { requireRedis } from '../queue/redis-helpers.js';
import { postgresSchema } from '../store/databases.js';
import {
  AppCluster,
  CONFIG,
  installationIds,
  percentile,
  published,
  removeThrottleKeys,
  throttledInstallations,
  reviewablePull,
  SECRET,
  until,
  WEBHOOK_PATH,
  type TestPull,
} from './cluster.js';

const BURST = 50;
const BUSY = 4;
/** Goal of issue 13; it holds on this machine with a wide margin (see the header). */
const P99_BOUND_MS = 100;
const CLIENT = fileURLToPath(new URL('../hostile/burst-client.mjs', import.meta.url));

let fake: FakeGitHub;
let pg: Awaited<ReturnType<typeof postgresSchema>>;
let cluster: AppCluster | undefined;
const installations = installationIds(BURST + BUSY);

beforeAll(async () => {
  await requireRedis();
  pg = await postgresSchema();
  fake = await new FakeGitHub().start({ ports: 3 });
});

afterAll(async () => {
  await cluster?.stop();
  await removeThrottleKeys(cluster?.redisUrl ?? 'redis://127.0.0.1:6379', installations).catch(() => {});
  await pg?.teardown();
  await fake?.close();
});

/** A pull request of 120 Terraform files of eight endpoints and eight buckets each: a review that keeps a worker busy for a while. */
function bulkyPull(name: string, installationId: number): TestPull {
  const config = CONFIG.replace('create: on-pr', 'create: never');
  const repo = fake.addRepository({ owner: 'acme', name, installationId, files: { '.github/ml-lens.yml': config } });
  const files: Record<string, string> = { '.github/ml-lens.yml': config };
  for (let i = 0; i < 120; i++) {
    let tf = '';
    for (let j = 0; j < 8; j++) {
      tf += `resource "aws_sagemaker_endpoint_configuration" "e${i}_${j}" {\n  name = "e${i}-${j}"\n  production_variants {\n    variant_name           = "primary"\n    model_name             = "m${i}"\n    instance_type          = "ml.m5.large"\n    initial_instance_count = 1\n  }\n}\n\n`;
      tf += `resource "aws_s3_bucket" "b${i}_${j}" {\n  bucket = "acme-${name}-${i}-${j}"\n}\n\n`;
    }
    files[`infra/stack-${i}.tf`] = tf;
  }
  const head = fake.commit(repo.fullName, files, { name: `${repo.fullName}@bulky` });
  const pull = fake.openPullRequest(repo.fullName, { head });
  return { fullName: repo.fullName, number: pull.number, installationId, head, base: { '.github/ml-lens.yml': config } };
}

function runClient(file: string): Promise<{ status: number; ms: number }[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLIENT, file], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as { status: number; ms: number }[]);
    });
  });
}

describe('the App as deployed (web + 2 workers) under a burst of 50 deliveries', () => {
  it('acknowledges every delivery fast while the workers review, and reviews every pull request exactly once', async () => {
    cluster = await new AppCluster({ fake, databaseUrl: pg.url() }).start();
    const busy = Array.from({ length: BUSY }, (_, i) => bulkyPull(`bulky-${i}`, installations[BURST + i]!));
    const pulls = Array.from({ length: BURST }, (_, i) => reviewablePull(fake, `model-${i}`, installations[i]!));

    // The workers are busy reviewing before the burst: the bulky reviews have started (check runs exist).
    for (const p of busy) expect((await cluster.deliver(fake.delivery('pull_request', fake.pullRequestEvent(p.fullName, p.number, 'opened'), SECRET))).status).toBe(202);
    await until(() => busy.every((p) => fake.checkRunsOf(p.fullName, { pull: p.number }).length === 1), 30_000, 'the bulky reviews to start');

    const deliveries = pulls.map((p) => fake.delivery('pull_request', fake.pullRequestEvent(p.fullName, p.number, 'opened'), SECRET));
    const dir = mkdtempSync(join(tmpdir(), 'ml-lens-burst-'));
    const file = join(dir, 'burst.json');
    writeFileSync(file, JSON.stringify({ port: cluster.port, path: WEBHOOK_PATH, deliveries: deliveries.map((d) => ({ headers: d.headers, body: d.body })) }));
    const sent = Date.now();
    let answers: { status: number; ms: number }[];
    try {
      answers = await runClient(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const busyStill = busy.filter((p) => fake.checkRunsOf(p.fullName, { pull: p.number }).every((c) => c.status !== 'completed')).length;
    const ms = answers.map((a) => a.ms);
    const p50 = percentile(ms, 50);
    const p99 = percentile(ms, 99);

    const all = [...pulls, ...busy];
    await until(
      () => all.every((p) => fake.checkRunsOf(p.fullName, { pull: p.number }).some((c) => c.status === 'completed')),
      240_000,
      () => `every check run to complete (${all.filter((p) => fake.checkRunsOf(p.fullName, { pull: p.number }).some((c) => c.status === 'completed')).length}/${all.length})\n${cluster!.tails()}`,
    );
    const endToEnd = (Date.now() - sent) / 1000;
    await cluster.quiet();

    const perReview = pulls.map((p) => fake.requestsWhere({ repo: p.fullName }).length);
    console.log(
      `burst of ${BURST} deliveries while ${busyStill}/${BUSY} bulky reviews ran: acknowledged p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms; ` +
        `all ${all.length} reviews published ${endToEnd.toFixed(1)} s after the burst (${(BURST / endToEnd).toFixed(2)} reviews/s, paced by one write a second per installation); ` +
        `${Math.min(...perReview)}-${Math.max(...perReview)} API calls per review; RSS web ${cluster.web.rssMb().toFixed(0)} MB, workers ${cluster.workers.map((w) => w.rssMb().toFixed(0)).join(' / ')} MB`,
    );

    expect(answers.map((a) => a.status)).toEqual(Array(BURST).fill(202));
    expect(busyStill, 'the burst was answered while the workers were reviewing').toBeGreaterThan(0);
    expect(p99).toBeLessThan(P99_BOUND_MS);

    for (const p of pulls) {
      const got = published(fake, p);
      expect({ pull: `${p.fullName}#${p.number}`, ...got, reviewComments: got.reviewComments > 0 }).toEqual({
        pull: `${p.fullName}#${p.number}`,
        checkRunsCreated: 1,
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
    for (const p of busy) expect(fake.checkRunsOf(p.fullName, { pull: p.number }).map((c) => c.conclusion)).toEqual(['failure']);
    // Probot's throttling (Bottleneck) keeps each installation's limiter in the shared Redis, so the
    // processes pace their writes together: every installation reviewed has its state there.
    expect(await throttledInstallations(cluster.redisUrl, installations)).toEqual(installations);
    expect(fake.unknown.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(fake.failures().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([]);
    for (const p of [cluster.web, ...cluster.workers]) {
      expect(p.running, `${p.name} is still running`).toBe(true);
      expect(p.problems().filter((l) => /"level":(5|6)0/.test(l)), `${p.name} logged no error`).toEqual([]);
    }
  }, 330_000);
});
