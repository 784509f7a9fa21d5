/**
 * The App as it is deployed, for the load and fault tests of test/load: the built web process
 * (`node dist/server.js` with REDIS_URL: it verifies deliveries and enqueues them) and worker
 * processes (`node dist/worker.js`), configured only by their environment as docker-compose.yml
 * configures them, against the fake GitHub of scripts/fake-github.js (GHE_HOST, one port per
 * process so that a request tells which process made it), Redis (a key prefix of the test's own)
 * and PostgreSQL (a schema of the test's own, test/store/databases.ts). Everything a test makes is
 * removed afterwards: the processes, the Redis keys under its prefix (and Probot's throttling keys
 * of its installations), the schema, the temporary folder.
 *
 * Also here: a private `redis-server` (for the restart test), the repositories and pull requests
 * the tests review, and the exactly-once check of what a review published.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { FakeGitHub, type Delivery } from '../../scripts/fake-github.js';
import { REDIS_URL } from '../queue/redis-helpers.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SECRET = 'load-test-webhook-secret';
export const APP_SLUG = 'ml-lens-reviewer';
export const WEBHOOK_PATH = '/api/github/webhooks';
const PRIVATE_KEY = readFileSync(new URL('../github/fixtures/mock-cert.pem', import.meta.url), 'utf8');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds (polled every 50 ms), at most `ms`; the error names what was awaited. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string | (() => string)): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(50);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Fails (never skips) when `redis-server` is not installed: the restart test starts its own. */
export function requireRedisServer(): string {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch (e) {
    throw new Error(`The Redis restart test needs the redis-server program on PATH (${(e as Error).message})`);
  }
}

/** `p`-th percentile of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

// --- processes -------------------------------------------------------------------------------------

/** A child process of the App, its output kept (the last lines) for the failure message. */
export class Proc {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    script: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [join(ROOT, script)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        this.lines.push(line.length > 4000 ? `${line.slice(0, 4000)}…` : line);
        if (this.lines.length > 300) this.lines.shift();
      }
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve((this.exit = { code, signal }))));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Resident set size now (MB), from /proc/<pid>/status (the review threads are in it). */
  rssMb(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  /** Peak resident set size so far (MB, VmHWM). */
  peakRssMb(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  }

  /** Log lines (JSON, LOG_FORMAT=json) at warn or above, with their message. */
  problems(): string[] {
    return this.lines.filter((l) => {
      try {
        return (JSON.parse(l) as { level?: number }).level! >= 40;
      } catch {
        return true;
      }
    });
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `ms`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 12_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(timer);
  }

  tail(n = 25): string {
    return `--- ${this.name} (pid ${this.child.pid}${this.exit ? `, exited ${JSON.stringify(this.exit)}` : ''}) ---\n${this.lines.slice(-n).join('\n')}`;
  }
}

export interface ClusterOptions {
  fake: FakeGitHub;
  /** The schema's DATABASE_URL for every process (test/store/databases.ts `url()`). */
  databaseUrl: string;
  /** For the workers only (e.g. through a proxy that can be cut); default `databaseUrl`. */
  workerDatabaseUrl?: string;
  redisUrl?: string;
  workers?: number;
  /**
   * `ML_LENS_CONCURRENCY`, jobs a worker runs at once. Default here 16 (the App's default is 4): a
   * review job spends most of its time waiting for Probot's throttling, which paces writes as
   * GitHub asks (one a second per installation, three seconds apart for those that notify
   * people), so a worker that runs more of them at once publishes more reviews a second without
   * using more CPU; with 4, a burst of 50 reviews takes a minute more.
   */
  concurrency?: number;
  /** More environment for every process. */
  env?: Record<string, string>;
}

/**
 * One web process and `workers` worker processes of the built App. The fake GitHub must have
 * `1 + workers` ports: the web process gets the first, worker i the (i + 1)-th.
 */
export class AppCluster {
  readonly prefix = `mlq-load-${randomInt(1e9).toString(36)}`;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'ml-lens-load-'));
  readonly redisUrl: string;
  web!: Proc;
  workers: Proc[] = [];
  port = 0;
  private readonly agent = new Agent({ keepAlive: false, maxSockets: 256 });

  constructor(readonly options: ClusterOptions) {
    this.redisUrl = options.redisUrl ?? REDIS_URL;
  }

  env(index: number, databaseUrl: string): Record<string, string> {
    return {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      APP_ID: '123',
      PRIVATE_KEY,
      WEBHOOK_SECRET: SECRET,
      APP_SLUG,
      REDIS_URL: this.redisUrl,
      ML_LENS_QUEUE_PREFIX: this.prefix,
      ML_LENS_QUEUE_DELAY_MS: '20',
      ML_LENS_CONCURRENCY: String(this.options.concurrency ?? 16),
      ML_LENS_SHUTDOWN_MS: '3000',
      DATABASE_URL: databaseUrl,
      ML_LENS_DATA_DIR: this.dataDir,
      ...this.options.fake.env(index),
      HOST: '127.0.0.1',
      PORT: String(this.port),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...this.options.env,
    };
  }

  /** Starts the web process and the workers; resolves once /health counts every worker. */
  async start(timeoutMs = 30_000): Promise<this> {
    this.port = await freePort();
    this.web = new Proc('web', 'dist/server.js', this.env(0, this.options.databaseUrl));
    const n = this.options.workers ?? 2;
    for (let i = 0; i < n; i++) this.workers.push(this.startWorkerProc(i));
    await this.waitForWorkers(n, timeoutMs);
    return this;
  }

  private startWorkerProc(i: number): Proc {
    return new Proc(`worker-${i + 1}`, 'dist/worker.js', this.env(i + 1, this.options.workerDatabaseUrl ?? this.options.databaseUrl));
  }

  /** Starts worker i again (after it was stopped or killed). */
  restartWorker(i: number): Proc {
    const p = this.startWorkerProc(i);
    this.workers[i] = p;
    return p;
  }

  async waitForWorkers(n: number, timeoutMs = 30_000): Promise<void> {
    await until(
      async () => {
        for (const p of [this.web, ...this.workers]) if (!p.running) throw new Error(`${p.name} exited during start-up\n${p.tail()}`);
        const h = await this.health().catch(() => undefined);
        return (h?.body as { queue?: { workers?: number } } | undefined)?.queue?.workers !== undefined && (h!.body as { queue: { workers: number } }).queue.workers >= n;
      },
      timeoutMs,
      () => `the web process and ${n} workers to be up\n${this.tails()}`,
    );
  }

  /** The port of the fake GitHub a process uses. */
  fakePortOf(p: Proc): number {
    const i = p === this.web ? 0 : this.workers.indexOf(p) + 1;
    return this.options.fake.ports[i]!;
  }

  health(): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: this.port, path: '/health', agent: this.agent, timeout: 5000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
          } catch (e) {
            reject(e);
          }
        });
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('health: no answer')));
      req.end();
    });
  }

  /**
   * Until the App has finished with everything: no job waiting, delayed or running (the web
   * process's /health, which reads Redis) and no request to the fake GitHub for `quietMs`. (A check
   * run is completed by its first update; annotations past the first fifty follow it.)
   */
  async quiet(timeoutMs = 60_000, quietMs = 1500): Promise<void> {
    const fake = this.options.fake;
    await until(
      async () => {
        const h = (await this.health().catch(() => undefined))?.body as { queue?: { active?: number; waiting?: number; delayed?: number } } | undefined;
        const q = h?.queue;
        const last = fake.requests.at(-1)?.at ?? 0;
        return q?.active === 0 && q.waiting === 0 && q.delayed === 0 && fake.inFlight === 0 && Date.now() - last > quietMs;
      },
      timeoutMs,
      () => `the App to finish (no job left, no request for ${quietMs} ms)\n${this.tails()}`,
    );
  }

  /** Posts a delivery to the web process; status 0 when the connection failed. */
  deliver(d: Delivery): Promise<{ status: number; ms: number; error?: string }> {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: this.port, path: WEBHOOK_PATH, method: 'POST', headers: { ...d.headers, 'content-length': Buffer.byteLength(d.body) }, agent: this.agent, timeout: 15_000 },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        },
      );
      req.on('error', (e) => resolve({ status: 0, ms: performance.now() - started, error: e.message }));
      req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
      req.end(d.body);
    });
  }

  tails(n = 25): string {
    return [this.web, ...this.workers].filter(Boolean).map((p) => p.tail(n)).join('\n');
  }

  /** Stops every process (SIGTERM, then SIGKILL), removes the temporary folder and the keys under the prefix. */
  async stop(): Promise<void> {
    await Promise.all([this.web, ...this.workers].filter(Boolean).map((p) => p.stop()));
    this.agent.destroy();
    rmSync(this.dataDir, { recursive: true, force: true });
    await removeKeys(this.redisUrl, `${this.prefix}:*`).catch(() => {});
  }
}

/** Removes every key matching `pattern` (SCAN, never FLUSHALL: the Redis may be shared). */
export async function removeKeys(url: string, pattern: string): Promise<number> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => {});
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) removed += await r.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return removed;
}

/**
 * Probot keeps its throttling state (Bottleneck, one limiter per installation) in the same Redis
 * as the queue, under `b_octokit-<group>-<installation>_*`: removed for the test's installations.
 */
export async function removeThrottleKeys(url: string, installations: Iterable<number>): Promise<void> {
  for (const id of installations) await removeKeys(url, `b_octokit-*-${id}_*`);
}

/** The installations of `installations` that have throttling state in Redis (Probot's Bottleneck keys). */
export async function throttledInstallations(url: string, installations: Iterable<number>): Promise<number[]> {
  const r = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => {});
  const out: number[] = [];
  try {
    for (const id of installations) {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `b_octokit-*-${id}_*`, 'COUNT', 1000);
        cursor = keys.length > 0 ? '0' : next;
        if (keys.length > 0) out.push(id);
      } while (cursor !== '0');
    }
  } finally {
    r.disconnect();
  }
  return out;
}

/** Installation ids no other run uses at the same time (Probot's throttling keys are per installation). */
export function installationIds(n: number): number[] {
  const base = 100_000_000 + randomInt(800_000_000);
  return Array.from({ length: n }, (_, i) => base + i);
}

// --- a private redis-server ------------------------------------------------------------------------

/**
 * A `redis-server` of the test's own on a free port, persisting every write to its append-only
 * file (`appendfsync always`) in a temporary folder: stopped with SIGTERM and started again on
 * the same port and folder, it has every key it had.
 */
export class PrivateRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'ml-lens-redis-'));
  port = 0;
  private proc: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir, '--save', '', '--maxmemory-policy', 'noeviction', '--protected-mode', 'no'];
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.stdout!.resume();
    proc.stderr!.resume();
    await until(
      async () => {
        const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
        r.on('error', () => {});
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          r.disconnect();
        }
      },
      10_000,
      `redis-server to answer on port ${this.port}`,
    );
  }

  /** SIGTERM: Redis writes what it must and exits. */
  async stop(): Promise<void> {
    if (!this.proc) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc?.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    this.proc = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// --- repositories and pull requests ----------------------------------------------------------------

/** The configuration of the test repositories: the gate fails on high, tracking issues on pull requests. */
export const CONFIG = 'gate:\n  fail_on: high\ncomments:\n  max_inline: 10\nissues:\n  create: on-pr\n  min_severity: high\n';

/**
 * The labels a repository the App has worked on already has (created on its first tracking issue),
 * so that each review does not spend its first seconds of throttled writes creating them.
 */
export const KNOWN_LABELS = [
  'ml-lens',
  ...['critical', 'high', 'medium', 'low', 'info'].map((s) => `severity:${s}`),
  ...['operational-excellence', 'security', 'reliability', 'performance-efficiency', 'cost-optimization', 'sustainability'].map((p) => `pillar:${p}`),
];

const baseFiles = (tag: string, config: string): Record<string, string> => ({
  '.github/ml-lens.yml': config,
  'README.md': `# ${tag}\n\nChurn model infrastructure.\n`,
  'infra/providers.tf': 'terraform {\n  required_version = ">= 1.6"\n}\n\nprovider "aws" {\n  region = "eu-west-1"\n}\n',
});

/**
 * Terraform of a pull request that makes the repository riskier: an endpoint configuration without
 * a KMS key (`sagemaker-endpoint-kms`, high: the gate fails and one tracking issue is opened), a
 * bucket and a model with medium findings (inline comments). `v` makes each head's texts (and
 * findings) differ.
 */
export function riskyFiles(tag: string, v = 0): Record<string, string> {
  const n = `${tag.replace(/[^a-z0-9]/gi, '_')}_${v}`;
  return {
    'infra/endpoint.tf': `resource "aws_sagemaker_endpoint_configuration" "${n}" {\n  name = "${n}"\n  production_variants {\n    variant_name           = "primary"\n    model_name             = "${n}"\n    instance_type          = "ml.m5.large"\n    initial_instance_count = 2\n  }\n}\n`,
    'infra/data.tf': `resource "aws_s3_bucket" "features_${n}" {\n  bucket = "acme-features-${n.replace(/_/g, '-')}"\n}\n\nresource "aws_sagemaker_model" "${n}" {\n  name               = "${n}"\n  execution_role_arn = "arn:aws:iam::123456789012:role/sagemaker"\n  primary_container {\n    image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:latest"\n  }\n}\n`,
  };
}

export interface TestPull {
  fullName: string;
  number: number;
  installationId: number;
  head: string;
  /** The default branch's files. */
  base: Record<string, string>;
}

/**
 * Unchanged Terraform of the default branch (a KMS key, a role, a bucket per file): the context the
 * repository rules read, and the parse cache remembers after a first review.
 */
export function contextFiles(tag: string, n: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const id = `${tag.replace(/[^a-z0-9]/gi, '_')}_ctx_${i}`;
    out[`infra/shared/stack-${i}.tf`] =
      `resource "aws_kms_key" "${id}" {\n  description         = "${id}"\n  enable_key_rotation = true\n}\n\n` +
      `resource "aws_iam_role" "${id}" {\n  name               = "${id}"\n  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }] })\n}\n\n` +
      `resource "aws_s3_bucket" "${id}" {\n  bucket = "${id.replace(/_/g, '-')}"\n}\n\nresource "aws_s3_bucket_server_side_encryption_configuration" "${id}" {\n  bucket = aws_s3_bucket.${id}.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.${id}.arn\n    }\n  }\n}\n`;
  }
  return out;
}

/**
 * A repository of its own installation with one open pull request adding `riskyFiles`; `context`
 * unchanged Terraform files on the default branch (`contextFiles`).
 */
export function reviewablePull(fake: FakeGitHub, name: string, installationId: number, o: { config?: string; context?: number } = {}): TestPull {
  const base = { ...baseFiles(name, o.config ?? CONFIG), ...contextFiles(name, o.context ?? 0) };
  const repo = fake.addRepository({ owner: 'acme', name, installationId, files: base });
  for (const l of KNOWN_LABELS) fake.addLabel(repo.fullName, l);
  const head = fake.commit(repo.fullName, { ...base, ...riskyFiles(name) }, { name: `${repo.fullName}@head-0` });
  const pull = fake.openPullRequest(repo.fullName, { head, title: `Serve ${name}` });
  return { fullName: repo.fullName, number: pull.number, installationId, head, base };
}

/** Pushes a new head to the pull request (its files changed again) and returns the head. */
export function pushNewHead(fake: FakeGitHub, p: TestPull, v: number): string {
  const head = fake.commit(p.fullName, { ...p.base, ...riskyFiles(p.fullName.split('/')[1]!, v) }, { name: `${p.fullName}@head-${v}` });
  fake.pushToPullRequest(p.fullName, p.number, head);
  p.head = head;
  return head;
}

/** The fingerprints in the markers of a text (our comments and issues carry one). */
function markers(body: string | null | undefined): string[] {
  return [...(body ?? '').matchAll(/<!-- ml-lens:(?:fingerprint|path)=([^\s>]+) -->/g)].map((m) => m[0]);
}

/** Bodies that carry the same markers as another: a duplicate comment or issue. */
function duplicated(items: { body?: string | null }[]): string[] {
  const seen = new Map<string, number>();
  for (const i of items) {
    const key = markers(i.body).join(' ') || (i.body ?? '').split('\n')[0]!;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${n}× ${k}`);
}

export interface PublishedOnce {
  checkRunsCreated: number;
  checkRunsCompleted: number;
  conclusions: string[];
  /** Completed runs that say the review could not finish, or that something could not be posted. */
  incomplete: string[];
  summaries: number;
  summaryDeletes: number;
  reviews: number;
  reviewComments: number;
  issues: number;
  duplicates: string[];
}

/** What GitHub holds of a pull request's reviews: the figures the exactly-once assertions read. */
export function published(fake: FakeGitHub, p: { fullName: string; number: number }): PublishedOnce {
  const runs = fake.checkRunsOf(p.fullName, { pull: p.number });
  const completed = runs.filter((c) => c.status === 'completed');
  const comments = fake.reviewCommentsOf(p.fullName, p.number);
  const issues = fake.issuesOf(p.fullName);
  return {
    checkRunsCreated: runs.length,
    checkRunsCompleted: completed.length,
    conclusions: completed.map((c) => c.conclusion ?? 'none'),
    incomplete: completed.filter((c) => /^Review failed/.test(c.output?.title ?? '') || /Not everything could be posted/.test(c.output?.summary ?? '')).map((c) => `${c.id}: ${c.output?.title}`),
    summaries: fake.summaryCommentsOf(p.fullName, p.number).length,
    summaryDeletes: fake.writes.filter((w) => w.kind === 'issue-comment-delete' && w.repo === p.fullName.toLowerCase()).length,
    reviews: fake.reviewsOf(p.fullName, p.number).length,
    reviewComments: comments.length,
    issues: issues.length,
    duplicates: [...duplicated(comments).map((d) => `review comment ${d}`), ...duplicated(issues).map((d) => `issue ${d}`)],
  };
}
