/**
 * The App's HTTP front door: GitHub's webhook deliveries, `GET /ping` (the image's health check),
 * `GET /health` (the queue's and the database's state as JSON: src/http/health.ts) and 404 for
 * anything else. Probot's own server parses and logs a delivery before it knows who
 * sent it; this one guards a delivery before anything reads it as an event:
 *
 * - the body is capped at GitHub's 25 MB payload limit: a larger `Content-Length` is refused before
 *   a byte is read, and a chunked body is counted as it streams and its connection dropped once it
 *   passes the cap (413), so a sender cannot make the process hold more than the cap per request;
 * - the `X-Hub-Signature-256` HMAC is computed over the raw bytes as they arrive and compared in
 *   constant time before the body is decoded or parsed (401);
 * - a signed body that is not a JSON object, or lacks what the App reads, is answered 400 with a
 *   short fixed text: nothing of the parser's message or of the body goes back;
 * - a rejected delivery is logged once, one line (delivery id, event, reason), never its body.
 *
 * A verified delivery is handed on (`receive`, Probot's, whose handlers only put jobs on the queue)
 * and answered 202 once they have: a delivery is acknowledged only when its job is queued. When
 * the queue does not take it (Redis is away) or takes longer than `receiveTimeoutMs` (default 8 s:
 * GitHub waits at most 10 s), it is answered 503, so GitHub lists it as failed and it can be
 * redelivered; a redelivery of a job that was queued after all is a no-op (its delivery id).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** GitHub does not send payloads over 25 MB (it drops the delivery instead). */
export const GITHUB_PAYLOAD_LIMIT = 25 * 1024 * 1024;
/** Probot's (and @octokit/webhooks') default. */
export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';

export interface WebhookEvent {
  /** `X-GitHub-Delivery`. */
  id: string;
  /** `X-GitHub-Event`. */
  name: string;
  payload: Record<string, unknown>;
}

export interface WebhookLog {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface WebhookOptions {
  /** The webhook secret GitHub signs deliveries with. */
  secret: string;
  /** Where deliveries are posted. Default `/api/github/webhooks`. */
  path?: string | undefined;
  /** Largest body accepted (bytes). Default GitHub's 25 MB. */
  maxBytes?: number | undefined;
  /** Why a verified payload cannot be handled (a short reason for the log), or undefined. */
  check?: ((name: string, payload: Record<string, unknown>) => string | undefined) | undefined;
  /** Takes a verified, parsed event; the delivery is answered when it settles. */
  receive(event: WebhookEvent): Promise<void>;
  /** How long `receive` may take before the delivery is answered 503 (ms). Default 8000. */
  receiveTimeoutMs?: number | undefined;
  /** Answers `GET /health` (status and JSON body); without it the path is not served. */
  health?: (() => Promise<{ status: number; body: unknown }>) | undefined;
  log: WebhookLog;
}

export interface WebhookHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** From now on deliveries are answered 503: the process is stopping and would lose their jobs. */
  stop(): void;
}

const EVENT_NAME = /^[a-z_]{1,64}$/;
const DELIVERY_ID = /^[\w.:-]{1,128}$/;
const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;
const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;

/** Trailing slashes do not make another route (as @octokit/webhooks has it). */
function normalisePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What a header said, short enough for a log line whatever a sender put in it. */
function clip(v: string | undefined): string | undefined {
  return v === undefined || v.length <= 80 ? v : `${v.slice(0, 80)}…`;
}

function answer(res: ServerResponse, status: number, text: string, opts: { close?: boolean; headers?: Record<string, string> } = {}): void {
  if (res.headersSent) return;
  const body = `${text}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    // A body that was not read is not read afterwards either: Node closes the connection instead
    // of draining it to keep it alive.
    ...(opts.close ? { connection: 'close' } : {}),
    ...opts.headers,
  });
  res.end(body);
}

export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  const webhookPath = normalisePath(options.path || DEFAULT_WEBHOOK_PATH);
  const maxBytes = options.maxBytes ?? GITHUB_PAYLOAD_LIMIT;
  const { secret, log } = options;
  let stopping = false;

  const handler = ((req, res) => {
    const pathname = normalisePath((req.url ?? '/').split('?')[0] ?? '/');
    if (pathname === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) return answer(res, 200, 'PONG');
    if (pathname === '/health' && options.health && (req.method === 'GET' || req.method === 'HEAD')) return health(options.health, res);
    if (pathname !== webhookPath) return answer(res, 404, 'not found', { close: true });
    if (req.method !== 'POST') return answer(res, 405, 'method not allowed', { close: true, headers: { allow: 'POST' } });
    delivery(req, res);
  }) as WebhookHandler;
  handler.stop = () => {
    stopping = true;
  };
  return handler;

  function health(report: NonNullable<WebhookOptions['health']>, res: ServerResponse): void {
    report().then(
      ({ status, body }) => {
        if (res.headersSent) return;
        const text = `${JSON.stringify(body)}\n`;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
        res.end(text);
      },
      (e: unknown) => {
        log.error({ err: e }, 'the health report failed');
        answer(res, 500, 'health report failed');
      },
    );
  }

  function delivery(req: IncomingMessage, res: ServerResponse): void {
    const id = header(req, 'x-github-delivery');
    const name = header(req, 'x-github-event');
    const signature = header(req, 'x-hub-signature-256');
    const reject = (status: number, reason: string, text: string, close: boolean): void => {
      log.warn({ id: clip(id), event: clip(name), reason, status }, `webhook delivery rejected: ${reason}`);
      answer(res, status, text, { close });
    };

    if (stopping) return reject(503, 'the server is shutting down', 'shutting down, deliver again later', true);
    if (!id || !DELIVERY_ID.test(id) || !name || !EVENT_NAME.test(name)) {
      return reject(400, 'missing or invalid X-GitHub-Delivery or X-GitHub-Event', 'missing or invalid X-GitHub-Delivery or X-GitHub-Event', true);
    }
    if (!JSON_TYPE.test(header(req, 'content-type') ?? '')) return reject(415, 'the content type is not application/json', 'expected application/json', true);
    if (!signature || !SIGNATURE.test(signature)) return reject(401, 'missing or malformed X-Hub-Signature-256', 'signature required', true);
    const declared = Number(header(req, 'content-length') ?? NaN);
    if (declared > maxBytes) return reject(413, `the declared body (${declared} bytes) is over the ${maxBytes}-byte limit`, 'payload too large', true);

    const hmac = createHmac('sha256', secret);
    let chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      done = true;
      chunks = [];
      req.off('data', onData);
    };
    const onData = (chunk: Buffer): void => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        finish();
        reject(413, `the body passed the ${maxBytes}-byte limit`, 'payload too large', true);
        // The rest is not wanted: drop the connection rather than read (and discard) it.
        res.once('finish', () => req.destroy());
        return;
      }
      hmac.update(chunk);
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', () => {
      if (done) return;
      finish();
      // The sender hung up, or was too slow (the server's request timeout).
      log.warn({ id, event: name, reason: 'the connection ended before the body was complete' }, 'webhook delivery rejected: incomplete body');
    });
    req.on('end', () => {
      if (done) return;
      const body = chunks;
      finish();
      const expected = Buffer.from(`sha256=${hmac.digest('hex')}`);
      const given = Buffer.from(signature.toLowerCase());
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reject(401, 'the signature does not match the body (check WEBHOOK_SECRET)', 'signature does not match', false);
      }
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(body, size).toString('utf8'));
      } catch {
        return reject(400, 'the body is not JSON', 'malformed payload', false);
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        return reject(400, 'the body is not a JSON object', 'malformed payload', false);
      }
      const event = payload as Record<string, unknown>;
      const problem = options.check?.(name, event);
      if (problem) return reject(400, `malformed ${name} payload: ${problem}`, 'malformed payload', false);
      accept(res, { id, name, payload: event });
    });
  }

  /** Hands the event on; answers 202 once it is queued, 503 when it is not (in time). */
  function accept(res: ServerResponse, event: WebhookEvent): void {
    const { id, name } = event;
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = options.receiveTimeoutMs ?? 8000;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    Promise.race([options.receive(event).then(() => 'queued' as const), late]).then(
      (outcome) => {
        clearTimeout(timer);
        if (outcome === 'queued') {
          answer(res, 202, 'accepted');
          log.debug({ id, event: name }, 'webhook delivery accepted');
          return;
        }
        log.error({ id, event: name, timeoutMs }, `webhook delivery not queued within ${timeoutMs} ms: answered 503 (redeliver it)`);
        answer(res, 503, 'not queued in time, deliver again');
      },
      (e: unknown) => {
        clearTimeout(timer);
        // Probot's error handler has already logged a handler's failure (an AggregateError).
        if (!(e instanceof AggregateError)) log.error({ err: e, id, event: name }, 'webhook delivery could not be handled');
        else log.error({ id, event: name }, 'webhook delivery not queued: answered 503 (redeliver it)');
        answer(res, 503, 'not queued, deliver again');
      },
    );
  }
}

/**
 * A server for the handler. GitHub gives up on a delivery after 10 s, so a request that takes
 * longer to arrive is not GitHub's: a slow sender cannot hold a connection (and its buffer) open
 * (Node answers 408 and closes it).
 */
export function createWebhookServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  timeouts: { headersMs?: number; requestMs?: number } = {},
): Server {
  const requestTimeout = timeouts.requestMs ?? 15_000;
  return createServer(
    {
      headersTimeout: Math.min(timeouts.headersMs ?? 10_000, requestTimeout),
      requestTimeout,
      // Node checks the timeouts this often (default 30 s, which would triple them).
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
    handler,
  );
}
