#!/usr/bin/env node
/**
 * Benchmark of the GitHub App end to end (`npm run bench -- --app`, or `node --expose-gc
 * scripts/bench.js --app`): the built App as deployed — one web process (`node dist/server.js`
 * with REDIS_URL: it verifies deliveries and enqueues them) and two workers (`node dist/worker.js`)
 * on Redis (REDIS_URL, default redis://127.0.0.1:6379, keys under a prefix of the run's own) and
 * PostgreSQL (a schema of the run's own on ML_LENS_TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test) — with GitHub played on loopback by
 * scripts/fake-github.js (GHE_HOST). Everything it makes is removed afterwards.
 *
 * For pull requests of 10, 300 and 3000 changed files (Terraform and the other ML kinds of
 * scripts/bench-corpus.js, each file modified, so both sides are read and parsed), each in a
 * repository and installation of its own, it sends N deliveries at once and measures:
 *   - deliveries per second end to end: N / (time from the first delivery to the last check run completed);
 *   - review time per pull request: delivery to check run completed (and of it, the wait before the
 *     check run was created);
 *   - API calls per review: every request to the fake about the repository (plus one installation
 *     token per worker and installation, counted apart);
 *   - memory per worker: peak RSS (VmHWM of /proc/<pid>/status, review threads included, fresh
 *     processes for each size) and the largest VmRSS sampled every 100 ms.
 * Then a 12-file change on a 1,100-file repository, reviewed twice (a second push changing the
 * same 12 files again): each review's duration (delivery to check run completed), its API calls,
 * and the workers' RSS. Later reviews of a repository reuse what the parse cache (in the history's
 * database) remembers of its unchanged files, so the second review should cost less.
 *
 * GitHub is instant here (unless --latency MS): the figures are what the App costs, not GitHub.
 * Probot's throttling still paces writes as GitHub asks (one a second per installation, three
 * seconds apart for those that notify), which bounds the end-to-end rate of small reviews.
 *
 * Prints a table and writes .bench/app-results.json. It is a report, not a test: it exits 0 once
 * it has measured (1 only when Redis, PostgreSQL or the build is missing).
 *
 *   node scripts/bench-app.js [--concurrency N] [--latency MS] [--quick]
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { generateCorpus } from './bench-corpus.js';
import { FakeGitHub } from './fake-github.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'bench-webhook-secret';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PG_URL = process.env.ML_LENS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CONFIG = 'gate:\n  fail_on: high\n';

/** The sizes measured: changed files, pull requests sent at once. */
const SIZES = [
  { files: 10, pulls: 20, terraform: 7, other: 3 },
  { files: 300, pulls: 6, terraform: 210, other: 90 },
  { files: 3000, pulls: 2, terraform: 2100, other: 900 },
];
/** As scripts/bench.js's command-line scenario: 800 Terraform + 300 other files, 12 changed. */
const CHANGE = { terraform: 800, other: 300, changed: 12 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function until(check, ms, what) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** kB figures of /proc/<pid>/status, in MB. */
function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Every file under `dir` by relative path. */
function readTree(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split('\\').join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** A change to a file, as scripts/bench.js makes it: Terraform gains a bucket, others a blank line. */
function changed(path, text, round) {
  return path.endsWith('.tf') ? `${text}\nresource "aws_s3_bucket" "bench_${round}" {\n  bucket = "bench-${round}"\n}\n` : `${text}\n`;
}

// --- the App's processes -----------------------------------------------------------------------------

class Proc {
  constructor(name, script, env) {
    this.name = name;
    this.lines = [];
    this.child = spawn(process.execPath, [join(root, script)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk) => {
      for (const l of chunk.toString('utf8').split('\n')) if (l) this.lines.push(l.slice(0, 2000));
      if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    };
    this.child.stdout.on('data', keep);
    this.child.stderr.on('data', keep);
    this.exit = undefined;
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve((this.exit = { code, signal }))));
  }

  status() {
    return procStatus(this.child.pid);
  }

  async stop() {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 12_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** A web process and two workers of the built App against the fake GitHub (one port each). */
async function startApp(fake, { databaseUrl, prefix, dataDir, concurrency }) {
  const port = await freePort();
  const key = readFileSync(join(root, 'test/github/fixtures/mock-cert.pem'), 'utf8');
  const env = (i) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_ENV: 'production',
    APP_ID: '123',
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: SECRET,
    APP_SLUG: 'ml-lens-reviewer',
    REDIS_URL,
    ML_LENS_QUEUE_PREFIX: prefix,
    ML_LENS_QUEUE_DELAY_MS: '20',
    ML_LENS_SHUTDOWN_MS: '3000',
    DATABASE_URL: databaseUrl,
    ML_LENS_DATA_DIR: dataDir,
    ...(concurrency ? { ML_LENS_CONCURRENCY: String(concurrency) } : {}),
    ...fake.env(i),
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  });
  const web = new Proc('web', 'dist/server.js', env(0));
  const workers = [new Proc('worker-1', 'dist/worker.js', env(1)), new Proc('worker-2', 'dist/worker.js', env(2))];
  const app = { port, web, workers, procs: [web, ...workers] };
  await until(
    async () => {
      for (const p of app.procs) if (p.exit) throw new Error(`${p.name} exited at start: ${p.lines.slice(-10).join('\n')}`);
      const h = await get(port, '/health').catch(() => undefined);
      return (h?.queue?.workers ?? 0) >= 2;
    },
    60_000,
    'the App to start',
  );
  return app;
}

function get(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.end();
  });
}

function deliver(port, d) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/github/webhooks', method: 'POST', headers: { ...d.headers, 'content-length': Buffer.byteLength(d.body) }, timeout: 15_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
      },
    );
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, error: e.message }));
    req.end(d.body);
  });
}

async function removeKeys(pattern) {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await r.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/**
 * Until the App has finished with everything: no job waiting, delayed or running (from /health) and
 * no request to the fake for a second (a run's check run is completed by its first update; more
 * annotations follow, fifty an update).
 */
async function quiet(app, fake) {
  await until(
    async () => {
      const q = (await get(app.port, '/health').catch(() => ({}))).queue ?? {};
      const last = fake.requests.at(-1)?.at ?? 0;
      return q.active === 0 && q.waiting === 0 && q.delayed === 0 && fake.inFlight === 0 && Date.now() - last > 1000;
    },
    10 * 60_000,
    'the App to go quiet',
  );
}

/** Samples every process's RSS every 100 ms; `stop()` returns the largest per process. */
function sampler(procs) {
  const max = procs.map(() => 0);
  const t = setInterval(() => {
    procs.forEach((p, i) => {
      try {
        max[i] = Math.max(max[i], p.status().rss);
      } catch {
        // gone
      }
    });
  }, 100);
  return { stop: () => (clearInterval(t), max) };
}

// --- the measurements ---------------------------------------------------------------------------------

async function measureSize(ctx, size, corpus) {
  const { fake } = ctx;
  const app = await startApp(fake, ctx.appOptions());
  const idle = app.workers.map((w) => w.status().rss);
  const paths = Object.keys(corpus);
  const pulls = [];
  for (let i = 0; i < size.pulls; i++) {
    const installationId = ctx.installation();
    const repo = fake.addRepository({ owner: 'bench', name: `pr${size.files}-${i}`, installationId, files: { ...corpus, '.github/ml-lens.yml': CONFIG } });
    const head = { ...corpus, '.github/ml-lens.yml': CONFIG };
    for (const p of paths) head[p] = changed(p, corpus[p], i);
    const pull = fake.openPullRequest(repo.fullName, { head: fake.commit(repo.fullName, head) });
    pulls.push({ fullName: repo.fullName, number: pull.number, installationId });
  }
  const mark = fake.mark();
  const samples = sampler(app.procs);
  const t0 = Date.now();
  const sentAt = new Map();
  const acks = await Promise.all(
    pulls.map((p) => {
      sentAt.set(p, Date.now());
      return deliver(app.port, fake.delivery('pull_request', fake.pullRequestEvent(p.fullName, p.number, 'opened'), SECRET));
    }),
  );
  const done = (p) => fake.checkRunsOf(p.fullName, { pull: p.number }).find((c) => c.status === 'completed');
  await until(() => pulls.every(done), 20 * 60_000, `the ${size.files}-file reviews`);
  const seconds = (Date.now() - t0) / 1000;
  await quiet(app, fake);
  const published = Math.max(...pulls.map((p) => Math.max(...fake.requestsWhere({ repo: p.fullName, since: mark }).map((r) => r.at)))) - t0;
  const sampled = samples.stop();
  const hwm = app.workers.map((w) => w.status().hwm);
  const perReview = pulls.map((p) => fake.requestsWhere({ repo: p.fullName, since: mark }).length);
  const tokens = fake.requestsWhere({ route: /access_tokens/, since: mark }).length;
  const times = pulls.map((p) => (done(p).completedAt - sentAt.get(p)) / 1000);
  const waits = pulls.map((p) => (fake.checkRunsOf(p.fullName, { pull: p.number })[0].createdAt - sentAt.get(p)) / 1000);
  const check = done(pulls[0]);
  const routes = fake.byRoute({ repo: pulls[0].fullName, since: mark });
  await app.procs.reduce((p, x) => p.then(() => x.stop()), Promise.resolve());
  return {
    files: size.files,
    pulls: size.pulls,
    acks: acks.map((a) => a.status),
    seconds,
    /** To the last request of any of them (annotations after the first fifty come after completion). */
    publishedSeconds: published / 1000,
    reviewsPerSecond: size.pulls / seconds,
    reviewSeconds: { median: median(times), max: Math.max(...times), all: times },
    waitSeconds: { median: median(waits), max: Math.max(...waits) },
    apiCallsPerReview: { median: median(perReview), min: Math.min(...perReview), max: Math.max(...perReview), tokens, byRoute: routes },
    conclusion: check.conclusion,
    annotations: check.annotations.length,
    workerIdleRssMb: idle,
    workerPeakRssMb: hwm,
    workerSampledMaxRssMb: sampled.slice(1),
    webSampledMaxRssMb: sampled[0],
  };
}

async function measureChange(ctx, corpus) {
  const { fake } = ctx;
  const app = await startApp(fake, ctx.appOptions());
  const paths = Object.keys(corpus).sort();
  const step = Math.floor(paths.length / CHANGE.changed);
  const picked = Array.from({ length: CHANGE.changed }, (_, i) => paths[i * step]);
  const base = { ...corpus, '.github/ml-lens.yml': CONFIG };
  const repo = fake.addRepository({ owner: 'bench', name: 'change', installationId: ctx.installation(), files: base });
  const headOf = (round) => {
    const files = { ...base };
    for (const p of picked) {
      let text = corpus[p];
      for (let r = 1; r <= round; r++) text = changed(p, text, r);
      files[p] = text;
    }
    return fake.commit(repo.fullName, files, { name: `bench-change-${round}` });
  };
  const pull = fake.openPullRequest(repo.fullName, { head: headOf(1) });
  const reviews = [];
  for (const round of [1, 2]) {
    if (round === 2) fake.pushToPullRequest(repo.fullName, pull.number, headOf(2));
    const mark = fake.mark();
    const samples = sampler(app.workers);
    const t0 = Date.now();
    const ack = await deliver(app.port, fake.delivery('pull_request', fake.pullRequestEvent(repo.fullName, pull.number, round === 1 ? 'opened' : 'synchronize'), SECRET));
    const run = () => fake.checkRunsOf(repo.fullName, { pull: pull.number }).filter((c) => c.status === 'completed')[round - 1];
    await until(() => run() !== undefined, 10 * 60_000, `review ${round} of the 12-file change`);
    const seconds = (run().completedAt - t0) / 1000;
    await quiet(app, fake);
    const sampled = samples.stop();
    const requests = fake.requestsWhere({ repo: repo.fullName, since: mark });
    const graphql = requests.filter((r) => /MlLensObjects/.test(r.route));
    // The review itself (parse, evaluate, render) runs between the last content answer and the next request (pulls.get, the head check).
    const lastContent = graphql.at(-1);
    const after = requests.find((r) => lastContent && r.seq > lastContent.seq);
    reviews.push({
      round,
      ack: ack.status,
      seconds,
      checkRunSeconds: (run().completedAt - run().createdAt) / 1000,
      reviewComputeSeconds: lastContent && after ? (after.at - (lastContent.at + lastContent.ms)) / 1000 : null,
      apiCalls: requests.length,
      graphqlQueries: graphql.length,
      objectsFetched: graphql.reduce((n, r) => n + (r.objects ?? 0), 0),
      contentBytes: graphql.reduce((n, r) => n + r.bytes, 0),
      workerRssMb: app.workers.map((w) => w.status().rss),
      workerSampledMaxRssMb: sampled,
      conclusion: run().conclusion,
    });
  }
  const hwm = app.workers.map((w) => w.status().hwm);
  await app.procs.reduce((p, x) => p.then(() => x.stop()), Promise.resolve());
  return { files: paths.length, changed: CHANGE.changed, reviews, workerPeakRssMb: hwm };
}

// --- report -------------------------------------------------------------------------------------------

function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(width[i]) : String(c).padStart(width[i]))).join('  ');
  return `${line(cols)}\n${line(width.map((w) => '-'.repeat(w)))}\n${rows.map((r) => line(cols.map((c) => r[c]))).join('\n')}\n`;
}

async function requireServices() {
  if (!existsSync(join(root, 'dist/server.js')) || !existsSync(join(root, 'dist/worker.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(`Redis at ${REDIS_URL} does not answer (${e.message}): the App's queue needs it (set REDIS_URL)`);
  } finally {
    r.disconnect();
  }
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
  } catch (e) {
    throw new Error(`PostgreSQL at ${PG_URL} does not answer (${e.message}): the history needs it (set ML_LENS_TEST_DATABASE_URL)`);
  } finally {
    await c.end().catch(() => {});
  }
}

async function admin(sql) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Runs the benchmark; resolves to the exit code. */
export async function main(argv = process.argv.slice(2)) {
  const arg = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? undefined : argv[i + 1];
  };
  const concurrency = arg('concurrency') ? Number(arg('concurrency')) : undefined;
  const latencyMs = Number(arg('latency') ?? 0);
  const sizes = argv.includes('--quick') ? SIZES.slice(0, 2) : SIZES;
  try {
    await requireServices();
  } catch (e) {
    process.stderr.write(`bench --app: ${e.message}\n`);
    return 1;
  }

  const tmp = mkdtempSync(join(tmpdir(), 'ml-lens-bench-app-'));
  const schema = `ml_lens_bench_${randomInt(1e9).toString(36)}`;
  const prefix = `mlq-bench-${randomInt(1e9).toString(36)}`;
  const installations = [];
  const base = 200_000_000 + randomInt(700_000_000);
  const fake = await new FakeGitHub({ recordBodies: false, latencyMs }).start({ ports: 3 });
  let sizeResults = [];
  let change;
  try {
    await admin(`CREATE SCHEMA "${schema}"`);
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    let run = 0;
    const ctx = {
      fake,
      installation: () => {
        installations.push(base + installations.length);
        return installations[installations.length - 1];
      },
      // Fresh processes (and a queue prefix) for each measurement, so that peak memory belongs to it.
      appOptions: () => ({ databaseUrl: u.toString(), prefix: `${prefix}-${run++}`, dataDir: mkdtempSync(join(tmp, 'data-')), concurrency }),
    };
    for (const size of sizes) {
      const dir = join(tmp, `corpus-${size.files}`);
      generateCorpus(dir, { terraform: size.terraform, other: size.other, seed: 42 });
      const corpus = readTree(dir);
      process.stderr.write(`bench --app: ${size.pulls} pull requests of ${size.files} changed files ... `);
      sizeResults.push(await measureSize(ctx, size, corpus));
      process.stderr.write(`done (${sizeResults.at(-1).seconds.toFixed(1)} s)\n`);
    }
    const dir = join(tmp, 'change');
    generateCorpus(dir, { terraform: CHANGE.terraform, other: CHANGE.other, seed: 7 });
    process.stderr.write(`bench --app: a ${CHANGE.changed}-file change on a ${CHANGE.terraform + CHANGE.other}-file repository, reviewed twice ... `);
    change = await measureChange(ctx, readTree(dir));
    process.stderr.write('done\n');
  } finally {
    await fake.close();
    await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await removeKeys(`${prefix}-*`).catch(() => {});
    for (const id of installations) await removeKeys(`b_octokit-*-${id}_*`).catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }

  const f0 = (x) => x.toFixed(0);
  const f1 = (x) => x.toFixed(1);
  const rows = sizeResults.map((r) => ({
    'changed files': r.files,
    'PRs at once': r.pulls,
    'acks 202': `${r.acks.filter((s) => s === 202).length}/${r.pulls}`,
    'all done s': f1(r.seconds),
    'all published s': f1(r.publishedSeconds),
    'reviews/s': r.reviewsPerSecond.toFixed(2),
    'review s (median)': f1(r.reviewSeconds.median),
    'review s (max)': f1(r.reviewSeconds.max),
    'queued s (median)': f1(r.waitSeconds.median),
    'API calls/review': r.apiCallsPerReview.min === r.apiCallsPerReview.max ? String(r.apiCallsPerReview.median) : `${r.apiCallsPerReview.min}-${r.apiCallsPerReview.max}`,
    'worker idle RSS MB': r.workerIdleRssMb.map(f0).join(' / '),
    'worker peak RSS MB': r.workerPeakRssMb.map(f0).join(' / '),
    'web max RSS MB': f0(r.webSampledMaxRssMb),
  }));
  process.stdout.write(
    `\nML Lens Reviewer, the App end to end (Node ${process.version}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GB; web + 2 workers, ` +
      `ML_LENS_CONCURRENCY ${concurrency ?? 'default (4)'}, GitHub faked on loopback${latencyMs ? ` with ${latencyMs} ms a request` : ', instant'})\n\n`,
  );
  process.stdout.write(table(rows));
  process.stdout.write(
    '\nall done s: first delivery to last check run completed; review s: a delivery to its check run completed (queued s: to its check run created);\n' +
      'all published s: to the last request of the reviews (annotations past the first 50 are added after the check run completes);\n' +
      'API calls/review: requests about the repository (each pull request has its own), plus one installation token per worker and installation;\n' +
      'worker peak RSS: VmHWM of each worker process (fresh for each size), review threads included.\n',
  );
  for (const r of sizeResults) {
    process.stdout.write(`  ${String(r.files).padStart(4)} files: ${Object.entries(r.apiCallsPerReview.byRoute).map(([k, v]) => `${v} ${k}`).join(', ')}; ${r.annotations} annotations, ${r.conclusion}\n`);
  }
  if (change) {
    process.stdout.write(`\nA ${change.changed}-file change on a ${change.files}-file repository, reviewed twice (the second push changes the same files again):\n`);
    process.stdout.write(
      table(
        change.reviews.map((r) => ({
          review: r.round === 1 ? 'first (opened)' : 'second (synchronize)',
          'delivery to check completed s': r.seconds.toFixed(2),
          'check run open s': r.checkRunSeconds.toFixed(2),
          'review compute s': r.reviewComputeSeconds === null ? 'n/a' : r.reviewComputeSeconds.toFixed(2),
          'API calls': r.apiCalls,
          'objects fetched': `${r.objectsFetched} (${(r.contentBytes / 1048576).toFixed(2)} MB)`,
          'worker RSS after MB': r.workerRssMb.map(f0).join(' / '),
          'worker max RSS during MB': r.workerSampledMaxRssMb.map(f0).join(' / '),
        })),
      ),
    );
  }
  if (change) {
    process.stdout.write(
      'review compute s: from the last content answer to the next request (the review in its worker thread: parse, evaluate, render);\n' +
        'objects fetched: files read through GraphQL (the changed files, both sides, and the unchanged ones the repository rules read,\n' +
        'which the parse cache remembers after the first review); the wall time is bounded below by the pacing of the writes (~3 s here).\n',
    );
  }
  const file = join(root, '.bench/app-results.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, concurrency: concurrency ?? null, latencyMs, sizes: sizeResults, change }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
  return 0;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) process.exit(await main());
