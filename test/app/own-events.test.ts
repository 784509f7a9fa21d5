/**
 * The App's own events, recognised without a GitHub request before the acknowledgement, when
 * APP_SLUG is not set: from the App object GitHub puts in our check runs' payloads (its id is the
 * App id Probot was configured with, its slug names the App's bot), and otherwise by the job of a
 * bot's event, which asks `GET /app` once. A delivery's handler never waits on GitHub.
 */
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkRunEvent, pullRequestEvent } from '../github/fixtures/payloads.js';
import { sha } from '../github/fixtures/repo.js';
import { API, GitHubMock } from './github-mock.js';
import { APP_SLUG, harness, resetNock, setupNock, type Harness } from './harness.js';

const HEAD = sha('head');
const BASE = sha('base');
const PR = 7;
/** The id the harness configures Probot with. */
const APP_ID = 123;
const OURS = { login: `${APP_SLUG}[bot]`, type: 'Bot' as const };
const DEPENDABOT = { login: 'dependabot[bot]', type: 'Bot' as const };

let h: Harness;
beforeAll(() => setupNock());
beforeEach(() => {
  vi.stubEnv('APP_SLUG', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  h?.recorder.stop();
  resetNock();
});

function getApp(reply: [number, object] = [200, { id: APP_ID, slug: APP_SLUG, name: 'ML Lens Reviewer' }]): nock.Scope {
  return nock(API).get('/app').reply(reply[0], reply[1]);
}

/** Delivers an event and returns how many GitHub requests were made before the handler returned. */
async function deliver(name: string, payload: unknown): Promise<number> {
  await h.receive(name, payload);
  return h.recorder.count();
}

/** A re-run of our check run, with the App object GitHub sends (ours unless `app` says otherwise). */
function rerun(sender: { login: string; type: 'Bot' | 'User' }, app = { id: APP_ID, slug: APP_SLUG }) {
  const p = checkRunEvent('rerequested', { id: 9001, head: HEAD, externalId: `pr:${PR}` });
  p.sender.login = sender.login;
  p.sender.type = sender.type;
  p.check_run.app = { ...p.check_run.app, ...app };
  p.check_run.check_suite.app = { ...p.check_run.check_suite.app, ...app };
  return p;
}

describe('without APP_SLUG', () => {
  it('a bot\'s pull request is acknowledged with no request; its job asks GET /app once, then reviews', async () => {
    h = await harness({ appSlug: null });
    const app = getApp();
    const gh = new GitHubMock().token().noConfig().noConfig();
    expect(await deliver('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: DEPENDABOT }))).toBe(0);
    await h.settle();
    expect(await deliver('pull_request', pullRequestEvent('synchronize', { number: PR, head: sha('newer'), base: BASE, sender: DEPENDABOT }))).toBe(4);
    await h.settle();
    expect(app.isDone()).toBe(true);
    gh.assertDone();
    h.finish();
    expect(h.recorder.requests.filter((r) => r.pathname === '/app')).toHaveLength(1);
  });

  it('its own pull request event: acknowledged with no request; the job asks GET /app and drops it', async () => {
    h = await harness({ appSlug: null });
    const app = getApp();
    expect(await deliver('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: OURS }))).toBe(0);
    await h.settle();
    expect(app.isDone()).toBe(true);
    expect(h.recorder.count()).toBe(1);
    h.finish();
    expect(h.logs.some((l) => l.msg === 'review job dropped: the event was caused by this App')).toBe(true);
  });

  it('its own check run event is told from the payload\'s App object (the configured App id): no request at all, then or later', async () => {
    h = await harness({ appSlug: null });
    expect(await deliver('check_run', rerun(OURS))).toBe(0);
    // The slug is now known: the App's own pull request event needs no request either.
    expect(await deliver('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: OURS }))).toBe(0);
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    expect(h.queue.stats()).toMatchObject({ running: 0, queued: 0 });
    h.finish();
  });

  it('a person re-running our check teaches the slug too: the App\'s later events need no request', async () => {
    h = await harness({ appSlug: null });
    const gh = new GitHubMock().token().pull({ number: PR, head: HEAD, base: BASE }).noConfig();
    expect(await deliver('check_run', rerun({ login: 'octocat', type: 'User' }))).toBe(0);
    await h.settle();
    gh.assertDone();
    const before = h.recorder.count();
    expect(await deliver('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: OURS }))).toBe(before);
    await h.settle();
    expect(h.recorder.count()).toBe(before);
    h.finish();
  });

  it('another App\'s bot re-running our check is not taken for ours, and needs no GET /app', async () => {
    h = await harness({ appSlug: null });
    const gh = new GitHubMock().token().pull({ number: PR, head: HEAD, base: BASE }).noConfig();
    expect(await deliver('check_run', rerun({ login: 'merge-queue[bot]', type: 'Bot' }))).toBe(0);
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.logs.some((l) => l.msg === 'review job: not-configured')).toBe(true);
  });

  it('an App object of another App teaches nothing: the bot\'s job asks GET /app', async () => {
    h = await harness({ appSlug: null });
    const app = getApp();
    const gh = new GitHubMock().token().pull({ number: PR, head: HEAD, base: BASE }).noConfig();
    expect(await deliver('check_run', rerun({ login: 'other-ci[bot]', type: 'Bot' }, { id: 999, slug: 'other-ci' }))).toBe(0);
    await h.settle();
    expect(app.isDone()).toBe(true);
    gh.assertDone();
    h.finish();
  });

  it('GET /app failing: the event is handled (a warning), and the next bot event asks again', async () => {
    h = await harness({ appSlug: null });
    getApp([500, { message: 'Server Error' }]);
    getApp();
    const gh = new GitHubMock().token().noConfig();
    await deliver('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: DEPENDABOT }));
    await h.settle();
    expect(h.logs.some((l) => l.level === 40 && /cannot tell the App slug/.test(l.msg))).toBe(true);
    gh.assertDone();
    await deliver('pull_request', pullRequestEvent('opened', { number: 8, head: HEAD, base: BASE, sender: OURS }));
    await h.settle();
    expect(nock.pendingMocks()).toEqual([]);
    h.finish();
    expect(h.recorder.requests.filter((r) => r.pathname === '/app')).toHaveLength(2);
  });
});

describe('with APP_SLUG', () => {
  it('its own events are ignored and a bot\'s are handled, with no GET /app', async () => {
    h = await harness();
    const gh = new GitHubMock().token().noConfig();
    expect(await deliver('pull_request', pullRequestEvent('opened', { number: PR, head: HEAD, base: BASE, sender: OURS }))).toBe(0);
    expect(await deliver('pull_request', pullRequestEvent('opened', { number: 8, head: HEAD, base: BASE, sender: DEPENDABOT }))).toBe(0);
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.recorder.count()).toBe(3);
  });
});
