/**
 * Stopping (SIGTERM) within the drain time: the queue drops the jobs that have not started (and
 * logs them), tells running ones to stop `handBackMs` before the deadline through
 * `control.signal`, and returns by the deadline. A review told to stop while it waits on a long
 * step ends its check run `neutral` ("Interrupted: ...") instead of leaving it `in_progress`.
 */
import { Octokit } from '@octokit/rest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTED, reviewPullRequest } from '../../src/jobs/review-pull-request.js';
import { InProcessQueue } from '../../src/queue/in-process.js';
import type { JobControl, QueuedJob } from '../../src/queue/types.js';
import { pullRequestEvent } from '../github/fixtures/payloads.js';
import { exampleRepo, sha } from '../github/fixtures/repo.js';
import { API, GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

const HEAD = sha('after');
const BASE = sha('before');
const PR = 7;
const CHECK = 9001;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => setupNock());
let h: Harness | undefined;
afterEach(() => {
  h?.recorder.stop();
  h = undefined;
  resetNock();
});

function capture() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg: msg ?? '' });
  return { lines, log: { debug: at('debug'), info: at('info'), error: at('error') } };
}

const job = (key: string, id: string): QueuedJob<string> => ({ key, id, data: id });

describe('the queue closing', () => {
  it('drops and logs queued jobs, tells a running one to stop handBackMs before the deadline, and returns once it has', async () => {
    const { lines, log } = capture();
    const q = new InProcessQueue<string>({ handBackMs: 100, log });
    let seen: JobControl | undefined;
    let stoppedAfter = -1;
    let closing = 0;
    q.process({
      async run(_j, control) {
        seen = control;
        await new Promise((resolve) => control.signal.addEventListener('abort', resolve));
        stoppedAfter = Date.now() - closing;
      },
    });
    q.enqueue(job('acme/churn#7', 'd1:review'));
    q.enqueue(job('acme/churn#7', 'd2:review'));
    q.enqueue(job('acme/churn#8', 'd3:review'));
    await sleep(10);
    closing = Date.now();
    await q.close(400);
    const took = Date.now() - closing;
    expect(seen!.signal.aborted).toBe(true);
    expect(stoppedAfter).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(400);
    const dropped = lines.find((l) => /queued jobs dropped/.test(l.msg))!;
    expect(dropped.obj).toMatchObject({ dropped: 1, jobs: [{ id: 'd2:review', key: 'acme/churn#7' }] });
    expect(lines.some((l) => /told to stop/.test(l.msg) && JSON.stringify(l.obj).includes('d3:review'))).toBe(true);
  });

  it('a job that does not stop: close returns at the deadline and names it', async () => {
    const { lines, log } = capture();
    const q = new InProcessQueue<string>({ handBackMs: 50, log });
    let release!: () => void;
    q.process({ run: () => new Promise<void>((resolve) => (release = resolve)) });
    q.enqueue(job('k', 'stuck'));
    await sleep(10);
    const started = Date.now();
    await q.close(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ msg: 'queue closed with jobs still running', obj: { jobs: [{ id: 'stuck', key: 'k' }] } });
    release();
  });

  it('a drain time shorter than the hand-back time tells running jobs at once', async () => {
    const q = new InProcessQueue<string>({ handBackMs: 1500 });
    q.process({ run: (_j, control) => new Promise<void>((resolve) => control.signal.addEventListener('abort', () => resolve())) });
    q.enqueue(job('k', 'a'));
    await sleep(10);
    const started = Date.now();
    await q.close(1000);
    expect(Date.now() - started).toBeLessThan(200);
  });
});

describe('a review when the reviewer stops', () => {
  it('waiting on the file list near the end of the drain time: the check run ends neutral, "Interrupted", within the time', async () => {
    h = await harness();
    const { head } = exampleRepo();
    let answer: ((err: null, reply: [number, unknown]) => void) | undefined;
    const gh = new GitHubMock().commit(HEAD, head).token().config('').checkCreate(CHECK).tree(HEAD).checkUpdate(CHECK);
    gh.scope
      .get(`${gh.base}/pulls/${PR}/files`)
      .query({ per_page: '100', page: '1' })
      .reply((_uri, _body, cb) => void (answer = cb as typeof answer));
    await h.receive('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE }));
    while (!answer) await sleep(5);

    const closing = Date.now();
    await h.queue.close(2500); // told to stop at 1000 ms (1500 ms before the deadline)
    const took = Date.now() - closing;
    answer(null, [200, []]);
    gh.assertDone();
    h.finish();

    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2500);
    const end = h.requests('PATCH', /\/check-runs\/9001$/);
    expect(end).toHaveLength(1);
    expect(end[0]!.body).toMatchObject({ status: 'completed', conclusion: 'neutral', output: { title: INTERRUPTED } });
    expect(h.logs.some((l) => l.level === 40 && /interrupted/.test(l.msg))).toBe(true);
  });

  it('told to stop before its check run exists: nothing is written', async () => {
    const gh = new GitHubMock().config('');
    const octokit = new Octokit({ baseUrl: API, request: { retries: 0 } });
    const r = await reviewPullRequest(
      { octokit, owner: gh.owner, repo: gh.repo },
      { pullNumber: PR, headSha: HEAD, pr: { headSha: HEAD, baseSha: BASE }, defaultBranch: 'main', trigger: 'opened' },
      { control: { superseded: false, signal: AbortSignal.abort() } },
    );
    gh.assertDone();
    expect(r).toMatchObject({ outcome: 'interrupted', pullNumber: PR });
    expect(r.checkRunId).toBeUndefined();
  });
});
