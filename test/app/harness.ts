/**
 * A real Probot instance with the App loaded, for integration tests: retries and throttling off
 * (so a 5xx is seen at once), logs captured, an in-process queue the test can wait on, and every
 * HTTP request recorded and checked against GitHub's published API (test/github/contract.ts).
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../src/app.js';
import type { RetryOptions } from '../../src/publish/github/retry.js';
import type { JobData } from '../../src/jobs/types.js';
import { InProcessQueue } from '../../src/queue/in-process.js';
import { inlineRunner, type ReviewRunner } from '../../src/runner/index.js';
import type { HistoryWriter, ParseCacheStore } from '../../src/store/index.js';
import { recordRequests, type Recorded, type Recorder } from '../github/contract.js';

export const TODAY = new Date('2026-11-28T12:00:00Z');
export const APP_SLUG = 'ml-lens-reviewer';

let key: string | undefined;
/** A throw-away RSA key (test/github/fixtures/mock-cert.pem): Probot signs the App's JWT with it. */
export function privateKey(): string {
  key ??= readFileSync(new URL('../github/fixtures/mock-cert.pem', import.meta.url), 'utf8');
  return key;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface Harness {
  probot: Probot;
  queue: InProcessQueue<JobData>;
  logs: LogLine[];
  recorder: Recorder;
  /** Delivers a webhook (the handler only enqueues); `id` defaults to a fresh delivery id. */
  receive(name: string, payload: unknown, id?: string): Promise<void>;
  /** Waits until every queued job has run. */
  settle(): Promise<void>;
  /** Requests of one kind, e.g. `requests('PATCH', /check-runs/)`. */
  requests(method: string, path: RegExp): Recorded[];
  /** Every request contract-valid; stops recording. */
  finish(): void;
}

let delivery = 0;

/** `appSlug: null`: the App's slug is not configured (it is then learned from payloads or asked). */
/**
 * `runner`: where reviews run. Default: the calling thread (what a review finds is the same; the
 * worker pool's own behaviour is tested in test/runner and test/hostile with the real pool).
 */
export async function harness(
  opts: { delayMs?: number; reviewDrafts?: boolean; appSlug?: string | null; runner?: ReviewRunner; logLevel?: string; retry?: RetryOptions; store?: HistoryWriter; parseCache?: ParseCacheStore } = {},
): Promise<Harness> {
  const logs: LogLine[] = [];
  const log = pino({ level: opts.logLevel ?? 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) });
  const probot = new Probot({
    appId: 123,
    privateKey: privateKey(),
    log,
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  const queue = new InProcessQueue<JobData>({ delayMs: opts.delayMs ?? 0 });
  await probot.load(
    createApp({
      queue,
      ...(opts.appSlug === null ? {} : { appSlug: opts.appSlug ?? APP_SLUG }),
      now: () => TODAY,
      runner: opts.runner ?? inlineRunner,
      // Publishing retries what GitHub says to retry; tests do not wait it out.
      retry: opts.retry ?? { sleep: async () => {} },
      ...(opts.reviewDrafts !== undefined ? { reviewDrafts: opts.reviewDrafts } : {}),
      // The review history only when a test asks for one: no test writes a .data folder.
      ...(opts.store ? { store: opts.store } : {}),
      ...(opts.parseCache ? { parseCache: opts.parseCache } : {}),
    }),
  );
  const recorder = recordRequests();
  return {
    probot,
    queue,
    logs,
    recorder,
    async receive(name, payload, id) {
      await probot.receive({ id: id ?? `delivery-${++delivery}`, name, payload } as Parameters<Probot['receive']>[0]);
    },
    settle: () => queue.drain(),
    requests: (method, path) => recorder.requests.filter((r) => r.method === method && path.test(r.pathname)),
    finish() {
      try {
        recorder.assertAllValid();
      } finally {
        recorder.stop();
      }
    },
  };
}

export function setupNock(): void {
  nock.disableNetConnect();
}

export function resetNock(): void {
  nock.cleanAll();
}
