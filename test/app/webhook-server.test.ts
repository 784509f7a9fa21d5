/**
 * The App's HTTP server (src/http/webhooks.ts) on loopback in front of a real Probot with the App,
 * driven by a raw-socket client: what a hostile sender can make it do. Bodies over GitHub's 25 MB
 * cap are refused without being held (a declared one before a byte is read), the signature is
 * checked before anything is parsed, a signed but malformed payload gets a short 400, each
 * rejection is logged once without the body, and a real delivery is answered at once while
 * oversized posts stream in.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Probot } from 'probot';
import { createApp, payloadProblem } from '../../src/app.js';
import type { JobData } from '../../src/jobs/types.js';
import { InProcessQueue } from '../../src/queue/in-process.js';
import type { EnqueueResult, JobQueue, QueuedJob } from '../../src/queue/types.js';
import { createWebhookHandler, createWebhookServer, GITHUB_PAYLOAD_LIMIT, type WebhookHandler } from '../../src/http/webhooks.js';
import { pullRequestEvent, pushEvent } from '../github/fixtures/payloads.js';
import { sha } from '../github/fixtures/repo.js';
import { GitHubMock } from './github-mock.js';
import { APP_SLUG, harness, privateKey, resetNock, setupNock, type Harness, type LogLine } from './harness.js';
import { deliveryHeaders, rawRequest, sign } from './raw-http.js';

const SECRET = 'It is a secret to everybody';
const MB = 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let h: Harness;
let server: Server;
let handler: WebhookHandler;
let port: number;

beforeAll(async () => {
  setupNock();
  h = await harness();
  handler = createWebhookHandler({
    secret: SECRET,
    check: payloadProblem,
    receive: (event) => h.probot.receive(event as Parameters<Harness['probot']['receive']>[0]),
    log: h.probot.log.child({ name: 'http' }),
  });
  server = createWebhookServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  h.recorder.stop();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(async () => {
  await h.settle();
  resetNock();
});

let n = 0;
const deliveryId = () => `72d3162e-cc78-11e3-81ab-${String(++n).padStart(12, '0')}`;
/** Log lines that mention a delivery. */
const linesOf = (id: string): LogLine[] => h.logs.filter((l) => JSON.stringify(l).includes(id));
const noGitHubCall = (before: number) => expect(h.recorder.count()).toBe(before);

/** A delivery rejected with `status`, logged once (id, event, reason) and never with its body. */
function expectRejectedOnce(id: string, event: string, status: number, marker?: string): LogLine {
  const lines = linesOf(id);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ id, event, status, reason: expect.any(String) });
  if (marker) expect(JSON.stringify(h.logs)).not.toContain(marker);
  return lines[0]!;
}

describe('a delivery GitHub signed', () => {
  it('is answered 202 at once and handed to the App, which queues the job', async () => {
    const gh = new GitHubMock().token().noConfig();
    const id = deliveryId();
    const body = JSON.stringify(pullRequestEvent('opened', { number: 7, head: sha('head'), base: sha('base') }));
    const r = await rawRequest(port, { headers: deliveryHeaders('pull_request', id, SECRET, body), body });
    expect(r.status).toBe(202);
    expect(r.body).toBe('accepted\n');
    await h.settle();
    gh.assertDone();
    expect(h.logs.some((l) => l.id === id && l.msg === 'queued')).toBe(true);
    expect(h.recorder.problems()).toEqual([]);
  });

  it('a malformed payload is answered 400 with a fixed text: nothing of the parser or the body', async () => {
    const before = h.recorder.count();
    const cases: { event: string; body: string; reason: RegExp }[] = [
      { event: 'push', body: '{"ref": "refs/heads/main", "secret-marker-1": ', reason: /not JSON/ },
      { event: 'push', body: '["secret-marker-2"]', reason: /not a JSON object/ },
      // The handler would throw reading `pull_request.head.sha` (today: 500 with the TypeError).
      { event: 'pull_request', body: JSON.stringify({ action: 'opened', pull_request: { number: 7, title: 'secret-marker-3' } }), reason: /pull_request\.state/ },
      { event: 'check_run', body: JSON.stringify({ action: 'rerequested', check_run: { id: 'secret-marker-4' } }), reason: /check_run\.id/ },
    ];
    for (const c of cases) {
      const id = deliveryId();
      const r = await rawRequest(port, { headers: deliveryHeaders(c.event, id, SECRET, c.body), body: c.body });
      expect(r.status).toBe(400);
      expect(r.body).toBe('malformed payload\n');
      const line = expectRejectedOnce(id, c.event, 400, 'secret-marker');
      expect(line['reason']).toMatch(c.reason);
    }
    await h.settle();
    noGitHubCall(before);
    expect(h.queue.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it('every payload GitHub recorded passes the shape check; events the App does not handle are not checked', () => {
    const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[];
    const problems = definitions.flatMap((d) => d.examples.map((e) => payloadProblem(d.name, e)).filter((p) => p !== undefined));
    expect(problems).toEqual([]);
    expect(payloadProblem('pull_request', { action: 'closed' })).toBeUndefined();
    expect(payloadProblem('pull_request', { action: 'opened' })).toMatch(/^pull_request: /);
    expect(payloadProblem('issues', { action: 'opened' })).toBeUndefined();
  });
});

describe('a delivery not signed with the secret', () => {
  it('is answered 401 before its body is parsed, and logged once without the body', async () => {
    const before = h.recorder.count();
    const id = deliveryId();
    const body = JSON.stringify({ ...pushEvent({ before: sha('a'), after: sha('b'), modified: ['x.tf'] }), note: 'secret-marker-5' });
    const r = await rawRequest(port, { headers: { ...deliveryHeaders('push', id), 'x-hub-signature-256': sign('not the secret', body) }, body });
    expect(r.status).toBe(401);
    expect(r.body).toBe('signature does not match\n');
    expect(expectRejectedOnce(id, 'push', 401, 'secret-marker-5')['reason']).toMatch(/signature does not match/);
    await h.settle();
    noGitHubCall(before);
  });

  it('without a signature, a delivery id or JSON it is refused before the body is read', async () => {
    const body = '{"secret-marker-6": true}';
    const cases: [Record<string, string>, number, string][] = [
      [deliveryHeaders('push', 'd-unsigned'), 401, 'd-unsigned'],
      [{ ...deliveryHeaders('push', 'd-form', SECRET, body), 'content-type': 'application/x-www-form-urlencoded' }, 415, 'd-form'],
      [{ 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(SECRET, body) }, 400, ''],
    ];
    for (const [headers, status, id] of cases) {
      const r = await rawRequest(port, { headers, body });
      expect(r.status).toBe(status);
      expect(r.headers['connection']).toBe('close');
      if (id) expectRejectedOnce(id, 'push', status, 'secret-marker-6');
    }
  });
});

describe('bodies over GitHub\'s 25 MB cap', () => {
  it('a declared 100 MB body is refused with 413 from the headers: not a byte is read', async () => {
    const id = deliveryId();
    const r = await rawRequest(port, { headers: { ...deliveryHeaders('push', id), 'x-hub-signature-256': sign(SECRET, 'x') }, declaredLength: 100 * MB });
    expect(r.status).toBe(413);
    expect(r.body).toBe('payload too large\n');
    expect(r.sent).toBe(0);
    expectRejectedOnce(id, 'push', 413);
  });

  it('a 30 MB chunked body is cut off at the cap: the heap grows by less than 10 MB, buffers by no more than the cap', async () => {
    const id = deliveryId();
    const chunk = Buffer.alloc(64 * 1024, 0x7b);
    gc();
    const base = process.memoryUsage();
    let heap = 0;
    let buffers = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      heap = Math.max(heap, m.heapUsed - base.heapUsed);
      buffers = Math.max(buffers, m.arrayBuffers - base.arrayBuffers);
    };
    const sampler = setInterval(sample, 1);
    const r = await rawRequest(port, { headers: { ...deliveryHeaders('push', id), 'x-hub-signature-256': sign(SECRET, 'x') }, chunked: { chunk, total: 30 * MB } });
    sample();
    clearInterval(sampler);
    // The connection is dropped right after the answer: a client still sending may see the reset first.
    if (r.status !== 0) expect(r.status).toBe(413);
    else expect(r.error).toMatch(/ECONNRESET|EPIPE|closed/);
    expect(heap).toBeLessThan(10 * MB);
    expect(buffers).toBeLessThan(GITHUB_PAYLOAD_LIMIT + 8 * MB);
    expect(expectRejectedOnce(id, 'push', 413)['reason']).toMatch(/passed the 26214400-byte limit/);
  });

  it('four 100 MB posts streaming in do not hold up real deliveries', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const flood = Array.from({ length: 4 }, () =>
      rawRequest(port, { headers: { ...deliveryHeaders('push', deliveryId()), 'x-hub-signature-256': sign(SECRET, 'x') }, chunked: { chunk, total: 100 * MB } }),
    );
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify(pushEvent({ before: sha(`a${i}`), after: sha(`b${i}`), ref: 'refs/heads/feature', modified: ['x.tf'] }));
      const r = await rawRequest(port, { headers: deliveryHeaders('push', deliveryId(), SECRET, body), body });
      expect(r.status).toBe(202);
      times.push(r.ms);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const floods = await Promise.all(flood);
    for (const f of floods) expect(f.sent).toBeLessThan(100 * MB);
    times.sort((a, b) => a - b);
    const p95 = times[Math.ceil(times.length * 0.95) - 1]!;
    expect(p95).toBeLessThan(2000);
  });
});

describe('other requests', () => {
  it('GET /ping answers PONG (the health check); other paths 404; the webhook path takes only POST', async () => {
    expect(await rawRequest(port, { method: 'GET', path: '/ping' })).toMatchObject({ status: 200, body: 'PONG\n' });
    expect(await rawRequest(port, { method: 'GET', path: '/' })).toMatchObject({ status: 404 });
    expect(await rawRequest(port, { method: 'POST', path: '/api/github/webhooks/other', body: '{}' })).toMatchObject({ status: 404 });
    expect(await rawRequest(port, { method: 'GET', path: '/api/github/webhooks' })).toMatchObject({ status: 405, headers: { allow: 'POST' } });
  });

  it('a sender that hangs up mid-body is logged once; one that sends too slowly is cut off (408)', async () => {
    const slow = createWebhookServer(handler, { requestMs: 300 });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const send = (id: string, hangUp: boolean) =>
      new Promise<string>((resolve) => {
        const socket = connect((slow.address() as AddressInfo).port, '127.0.0.1', () => {
          const headers = { ...deliveryHeaders('push', id), 'x-hub-signature-256': sign(SECRET, 'x'), 'content-length': '1000', host: 'x' };
          socket.write(`POST /api/github/webhooks HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n{"ref":`);
          if (hangUp) setTimeout(() => socket.destroy(), 50);
        });
        let got = '';
        socket.on('data', (d) => (got += d.toString()));
        socket.on('error', () => {});
        socket.on('close', () => resolve(got));
      });
    const [hungUp, tooSlow] = [deliveryId(), deliveryId()];
    const started = Date.now();
    expect(await send(hungUp, true)).toBe('');
    expect(await send(tooSlow, false)).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((resolve) => slow.close(resolve));
    for (const id of [hungUp, tooSlow]) expect(linesOf(id)).toMatchObject([{ id, event: 'push', reason: expect.stringMatching(/ended before the body was complete/) }]);
  });

  it('once stopping, deliveries are answered 503 so GitHub shows them failed (and they can be redelivered)', async () => {
    const stopping = createWebhookHandler({ secret: SECRET, receive: () => Promise.reject(new Error('must not be called')), log: h.probot.log });
    stopping.stop();
    const s = createWebhookServer(stopping);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const body = '{}';
    const id = deliveryId();
    const r = await rawRequest((s.address() as AddressInfo).port, { headers: deliveryHeaders('push', id, SECRET, body), body });
    await new Promise((resolve) => s.close(resolve));
    expect(r.status).toBe(503);
    expectRejectedOnce(id, 'push', 503);
  });
});

describe('a delivery is acknowledged only once its job is queued', () => {
  /** A real Probot with the App on `queue`, behind the HTTP handler. */
  async function appServer(queue: JobQueue<JobData>, receiveTimeoutMs?: number): Promise<{ port: number; close: () => Promise<void>; logs: LogLine[] }> {
    const logs: LogLine[] = [];
    const probot = new Probot({ appId: 123, privateKey: privateKey(), log: pino({ level: 'debug' }, { write: (l: string) => void logs.push(JSON.parse(l) as LogLine) }) });
    await probot.load(createApp({ queue, appSlug: APP_SLUG }));
    const s = createWebhookServer(
      createWebhookHandler({ secret: SECRET, check: payloadProblem, receive: (e) => probot.receive(e as Parameters<Probot['receive']>[0]), log: probot.log, receiveTimeoutMs }),
    );
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { port: (s.address() as AddressInfo).port, logs, close: () => new Promise<void>((resolve) => s.close(() => resolve())) };
  }

  /** An in-process queue whose enqueue is what the test says (Redis away, slow, back). */
  function queueWith(enqueue: (job: QueuedJob<JobData>, real: InProcessQueue<JobData>) => Promise<EnqueueResult>): { queue: JobQueue<JobData>; real: InProcessQueue<JobData> } {
    const real = new InProcessQueue<JobData>({ delayMs: 60_000 });
    const queue: JobQueue<JobData> = { process: (w) => real.process(w), enqueue: (job) => enqueue(job, real), drain: () => real.drain(), close: (t) => real.close(t) };
    return { queue, real };
  }

  const opened = () => JSON.stringify(pullRequestEvent('opened', { number: 7, head: sha('queued-head'), base: sha('base') }));

  it('a queue that does not take the job (Redis away): 503, logged, so GitHub lists it failed; once it takes jobs again, 202', async () => {
    let away = true;
    const { queue, real } = queueWith(async (job, q) => {
      if (away) throw new Error('Connection is closed.');
      return q.enqueue(job);
    });
    const app = await appServer(queue);
    try {
      const body = opened();
      const id = deliveryId();
      const refused = await rawRequest(app.port, { headers: deliveryHeaders('pull_request', id, SECRET, body), body });
      expect(refused.status).toBe(503);
      expect(refused.body).toBe('not queued, deliver again\n');
      expect(real.stats().queued).toBe(0);
      expect(app.logs.some((l) => l.msg.includes('not queued') && JSON.stringify(l).includes(id))).toBe(true);
      // The handler's error is logged with its reason, and never with the delivery's payload.
      const errors = app.logs.filter((l) => l.level >= 50);
      expect(errors.some((l) => JSON.stringify(l).includes('the job could not be queued: Connection is closed.'))).toBe(true);
      expect(JSON.stringify(errors)).not.toContain(sha('queued-head'));
      away = false;
      // GitHub's "Redeliver": the same delivery id.
      const again = await rawRequest(app.port, { headers: deliveryHeaders('pull_request', id, SECRET, body), body });
      expect(again.status).toBe(202);
      expect(real.stats().queued).toBe(1);
    } finally {
      await real.close(0);
      await app.close();
    }
  });

  it('the 202 is sent after the job is in the queue, not before', async () => {
    const { queue, real } = queueWith(async (job, q) => {
      await new Promise((r) => setTimeout(r, 300));
      return q.enqueue(job);
    });
    const app = await appServer(queue);
    try {
      const body = opened();
      const started = Date.now();
      const r = await rawRequest(app.port, { headers: deliveryHeaders('pull_request', deliveryId(), SECRET, body), body });
      expect(r.status).toBe(202);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(real.stats().queued).toBe(1);
    } finally {
      await real.close(0);
      await app.close();
    }
  });

  it('a queue that does not answer in time: 503 after receiveTimeoutMs, well within GitHub\'s 10 s', async () => {
    const { queue, real } = queueWith(() => new Promise<EnqueueResult>(() => {}));
    const app = await appServer(queue, 400);
    try {
      const body = opened();
      const started = Date.now();
      const r = await rawRequest(app.port, { headers: deliveryHeaders('pull_request', deliveryId(), SECRET, body), body });
      expect(r.status).toBe(503);
      expect(r.body).toBe('not queued in time, deliver again\n');
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await real.close(0);
      await app.close();
    }
  });
});
