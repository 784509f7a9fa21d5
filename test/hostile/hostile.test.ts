/**
 * The hostile-input suite: every input class of the hardening issue (test/hostile/cases.ts) through
 * `scan` and `review` (the command line, in process, with its worker thread) and through the App
 * (a real Probot, nock with net connect disabled, the real worker pool), each run held to a time
 * bound and a bound on the growth of the process's resident memory (which includes the workers').
 * Every run must give the case's conclusion, list exactly the files it could not review, report the
 * expected findings, and never echo a secret in any output.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { WorkerPool } from '../../src/runner/index.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { listedFiles, sha } from '../github/fixtures/repo.js';
import { API, GitHubMock, GRAPHQL_TEXT_LIMIT } from '../app/github-mock.js';
import { harness, resetNock, setupNock } from '../app/harness.js';
import { runCli } from '../cli/run.js';
import { tempRepo } from '../sources/git-helpers.js';
import { CASES, type Files, type HostileCase, type Via } from './cases.js';

const DEFAULT_BOUNDS = { ms: 30_000, mb: 600 };

interface Outcome {
  conclusion: string;
  notReviewed: string[];
  rules: string[];
  folded: number;
  /** The App annotates at most `max_annotations` findings: then only those rules are seen. */
  capped?: boolean;
  /** Everything the run printed or posted, for the secrets check. */
  text: string;
}

/** Runs `fn` and measures its wall time and the peak growth of the resident set. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; mb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const started = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, ms: performance.now() - started, mb: (peak - before) / (1024 * 1024) };
  } finally {
    clearInterval(sampler);
  }
}

function writeTree(dir: string, files: Files): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

interface JsonOut {
  gate: { conclusion: string };
  findings: { rule: string; status: string }[];
  stats: { notReviewed: { path: string }[]; folded: { total: number } };
}

function fromJson(json: string, more: string): Outcome {
  const j = JSON.parse(json) as JsonOut;
  return {
    conclusion: j.gate.conclusion,
    notReviewed: j.stats.notReviewed.map((n) => n.path),
    rules: [...new Set(j.findings.filter((f) => f.status === 'new').map((f) => f.rule))],
    folded: j.stats.folded.total,
    text: json + more,
  };
}

function env(c: HostileCase): Record<string, string> {
  return { NO_COLOR: '1', ...(c.fileTimeoutMs ? { ML_LENS_FILE_TIMEOUT_MS: String(c.fileTimeoutMs) } : {}) };
}

async function viaScan(c: HostileCase): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-lens-hostile-'));
  try {
    writeTree(dir, c.head);
    const json = await runCli(['scan', '.', '--format', 'json'], { cwd: dir, env: env(c) });
    expect(json.stderr, 'scan stderr').toBe('');
    const terminal = await runCli(['scan', '.'], { cwd: dir, env: env(c) });
    return fromJson(json.stdout, terminal.stdout + terminal.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function viaReview(c: HostileCase): Promise<Outcome> {
  const repo = tempRepo();
  try {
    repo.write(c.base);
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'change');
    for (const path of Object.keys(c.base)) if (!(path in c.head)) repo.remove(path);
    repo.write(c.head);
    repo.commit('change');
    const json = await runCli(['review', '--repo', repo.dir, '--base', 'main', '--format', 'json'], { env: env(c) });
    expect(json.stderr, 'review stderr').toBe('');
    const summary = await runCli(['review', '--repo', repo.dir, '--base', 'main', '--format', 'summary'], { env: env(c) });
    return fromJson(json.stdout, summary.stdout + summary.stderr);
  } finally {
    repo.cleanup();
  }
}

const HEAD = sha('hostile-head');
const BASE = sha('hostile-base');
const PR = 7;
const CHECK = 9001;

async function viaApp(c: HostileCase): Promise<Outcome> {
  const pool = new WorkerPool({ size: 1, env: env(c) });
  const h = await harness({ runner: pool });
  try {
    resetLabelCache();
    const files = listedFiles(c.base, c.head, { headSha: HEAD, patch: 'whole' });
    // One check update: annotations fit in one request (max_annotations 50).
    const config = `${c.base['.github/ml-lens.yml'] ?? ''}checks:\n  max_annotations: 50\nissues:\n  create: never\n`;
    const gh = new GitHubMock().commit(HEAD, c.head).commit(BASE, c.base).commit('main', c.base);
    gh.token().config(config).checkCreate(CHECK).listFiles(PR, files).tree(HEAD).objects(1).pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length }).checkUpdate(CHECK);
    // GraphQL truncates texts over 512 KB: the App reads those again as blobs (1 MB at most).
    for (const f of files) {
      const text = c.head[f.filename];
      if (text !== undefined && !text.includes('\0') && Buffer.byteLength(text) > GRAPHQL_TEXT_LIMIT && Buffer.byteLength(text) <= 1024 * 1024) gh.blob(text);
    }
    // Publishing the comment and the inline review depends on what was found: optional here, and
    // every request (these included) is checked against GitHub's API description.
    const publishing = nock(API);
    publishing.get(`${gh.base}/issues/${PR}/comments`).query(true).optionally().reply(200, []);
    publishing.post(`${gh.base}/issues/${PR}/comments`).optionally().reply(201, { id: 1, body: '' });
    publishing.get(`${gh.base}/pulls/${PR}/comments`).query(true).optionally().reply(200, []);
    publishing.post(`${gh.base}/pulls/${PR}/reviews`).optionally().reply(200, { id: 2 });
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length }));
    await h.settle();
    gh.assertDone();
    const end = h.requests('PATCH', /\/check-runs\/9001$/).at(-1)!.body as {
      conclusion: string;
      output: { summary: string; text?: string; annotations?: { path: string; title: string }[] };
    };
    const posted = h.recorder.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
    h.finish();
    const rules = [...new Set((end.output.annotations ?? []).map((a) => /\(([a-z0-9-]+)\)$/.exec(a.title)?.[1] ?? a.title))];
    return {
      conclusion: end.conclusion,
      // The App's output is Markdown: the not-reviewed section lists each path as a code span.
      notReviewed: c.expect.notReviewed?.filter((p) => end.output.summary.includes(p.replace(/\n/g, '\\n'))) ?? [],
      rules,
      capped: (end.output.annotations ?? []).length >= 50,
      folded: /more findings? (?:is|are) not listed/.test(end.output.summary) ? 1 : 0,
      text: posted + JSON.stringify(h.logs),
    };
  } finally {
    h.recorder.stop();
    resetNock();
    await pool.close();
  }
}

const RUN: Record<Via, (c: HostileCase) => Promise<Outcome>> = { scan: viaScan, review: viaReview, app: viaApp };

beforeAll(() => setupNock());
afterAll(() => resetNock());

describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  for (const via of c.via ?? (['scan', 'review', 'app'] as const)) {
    it(`through ${via}`, async () => {
      const bounds = { ...DEFAULT_BOUNDS, ...c.bounds };
      const { value: out, ms, mb } = await measured(() => RUN[via](c));
      if (process.env.HOSTILE_FIGURES) console.log(`${c.name} | ${via} | ${Math.round(ms)} ms | +${Math.round(mb)} MB RSS`);
      expect(ms, `${via} took ${Math.round(ms)} ms`).toBeLessThan(bounds.ms);
      expect(mb, `${via} grew the resident set by ${Math.round(mb)} MB`).toBeLessThan(bounds.mb);
      expect(out.conclusion).toBe(c.expect.conclusion);
      if (c.expect.notReviewed) {
        if (via === 'app') expect(out.notReviewed).toEqual(c.expect.notReviewed);
        else expect([...out.notReviewed].sort()).toEqual([...c.expect.notReviewed].sort());
      }
      for (const rule of c.expect.rules ?? []) {
        if (!out.capped) expect(out.rules, `${via}: new ${rule}`).toContain(rule);
      }
      if (c.expect.folded) expect(out.folded).toBeGreaterThan(0);
      for (const secret of c.expect.absent ?? []) expect(out.text.includes(secret), `${via} echoed a secret`).toBe(false);
    }, 120_000);
  }
});
