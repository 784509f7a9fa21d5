/**
 * The App split in two through the queue on Redis, as `npm start` and `npm run worker` run it with
 * REDIS_URL: a web Probot whose handlers only enqueue (it makes no request to GitHub), and a worker
 * Probot (its own App credentials and connections) that takes the job and reviews the pull request.
 * GitHub is nock (only Redis, on 127.0.0.1, is reached over the network); every request is checked
 * against GitHub's published API, as in pull-request.test.ts, whose first test this one mirrors.
 */
import nock from 'nock';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, createAppWorker } from '../../src/app.js';
import type { JobData } from '../../src/jobs/types.js';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { inlineRunner } from '../../src/runner/index.js';
import { recordRequests, type Recorder } from '../github/contract.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, listedFiles, sha, type ListedFile } from '../github/fixtures/repo.js';
import { Queues, REDIS_URL, requireRedis } from '../queue/redis-helpers.js';
import { GitHubMock } from './github-mock.js';
import { APP_SLUG, privateKey, TODAY, type LogLine } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const CHECK = 9001;

const { base, head } = exampleRepo();
const CONFIG = base['.github/ml-lens.yml']!;
let files: ListedFile[];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(new URL(REDIS_URL).hostname);
  files = listedFiles(base, head, { headSha: HEAD, renames: { 'infra/network.tf': 'infra/security-groups.tf' } });
  await requireRedis();
});
let qs: Queues | undefined;
let recorder: Recorder | undefined;
beforeEach(() => resetLabelCache());
afterEach(async () => {
  recorder?.stop();
  nock.cleanAll();
  await qs?.cleanup();
});

/** A Probot as the harness makes it (no retries, no throttling, logs captured), for one process. */
function probot(logs: LogLine[]): Probot {
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(JSON.parse(s) as LogLine) });
  return new Probot({
    appId: 123,
    privateKey: privateKey(),
    log,
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
}

describe('the App on the Redis queue: web enqueues, a worker reviews', () => {
  it('reviews the pull request in the worker and publishes the check, the summary comment and one inline review; a redelivery is a no-op', async () => {
    qs = new Queues();
    const app = { appSlug: APP_SLUG, now: () => TODAY, runner: inlineRunner, retry: { sleep: async () => {} } };
    const webLogs: LogLine[] = [];
    const web = probot(webLogs);
    const webQueue = qs.make<JobData>({ consume: false });
    await web.load(createApp({ ...app, queue: webQueue }));
    const workerLogs: LogLine[] = [];
    const workerQueue = qs.make<JobData>();
    workerQueue.process(createAppWorker(probot(workerLogs), { ...app, retryable: true }));

    const gh = new GitHubMock()
      .commit(HEAD, head)
      .commit(BASE, base)
      .commit('main', base)
      .token()
      .config(CONFIG)
      .checkCreate(CHECK)
      .listFiles(PR, files)
      .tree(HEAD)
      .objects(1)
      .pull({ number: PR, head: HEAD, base: BASE, changedFiles: files.length })
      .firstPublish(PR, CHECK);
    recorder = recordRequests();
    const event = pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, changedFiles: files.length });
    await web.receive({ id: 'delivery-opened', name: 'pull_request', payload: event } as Parameters<Probot['receive']>[0]);
    await web.receive({ id: 'delivery-opened', name: 'pull_request', payload: event } as Parameters<Probot['receive']>[0]);
    await webQueue.drain(15_000);
    gh.assertDone();
    recorder.assertAllValid();

    const requests = (method: string, path: RegExp) => recorder!.requests.filter((r) => r.method === method && path.test(r.pathname));
    const [create] = requests('POST', /\/check-runs$/);
    expect(create!.body).toMatchObject({ name: 'ML Lens', head_sha: HEAD, status: 'in_progress', external_id: `pr:${PR}` });
    const [complete] = requests('PATCH', /\/check-runs\/9001$/);
    const body = complete!.body as { status: string; conclusion: string; output: { annotations: { path: string }[] } };
    expect(body.status).toBe('completed');
    expect(body.conclusion).toBe('failure');
    expect(body.output.annotations.map((a) => a.path)).toContain('infra/sagemaker.tf');
    const [comment] = requests('POST', /\/issues\/7\/comments$/);
    expect((comment!.body as { body: string }).body).toMatch(/^<!-- ml-lens/);
    const [review] = requests('POST', /\/pulls\/7\/reviews$/);
    const rv = review!.body as { commit_id: string; event: string; comments: unknown[] };
    expect(rv.commit_id).toBe(HEAD);
    expect(rv.event).toBe('COMMENT');
    expect(rv.comments.length).toBeGreaterThan(0);
    // The same requests as the in-process App: nothing twice.
    expect(recorder.count()).toBe(12);

    // The web process queued (once: the redelivery was a duplicate); the worker did the review.
    const queued = webLogs.filter((l) => l.msg === 'queued').map((l) => (l['result'] as { status: string }).status);
    expect(queued).toEqual(['queued', 'duplicate']);
    expect(webLogs.some((l) => /review job/.test(l.msg))).toBe(false);
    expect(workerLogs.some((l) => l.msg === 'review job: published')).toBe(true);
  });
});
