/**
 * An HTTP/1.1 client on a raw socket, for tests of the App's own HTTP server on loopback: it sends
 * exactly the bytes a hostile sender would (a declared length it never sends, an endless chunked
 * body) and nock, which hooks `http.request` and `fetch`, neither sees nor buffers them.
 */
import { connect } from 'node:net';
import { sign } from '../../scripts/fake-github.js';

export interface RawResponse {
  /** 0 when the connection ended before an answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting to the whole answer. */
  ms: number;
  /** Body bytes written before the answer came (or the connection ended). */
  sent: number;
  /** The socket error, when the connection ended with one. */
  error?: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Declares this Content-Length and sends no body: the server must answer from the headers. */
  declaredLength?: number;
  /** Streams `total` bytes of `chunk` with chunked encoding, until the server answers. */
  chunked?: { chunk: Buffer; total: number };
}

export function rawRequest(port: number, req: RawRequest): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let sent = 0;
    let settled = false;
    const parse = (): Omit<RawResponse, 'ms' | 'sent'> | undefined => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const body = received.subarray(end + 4);
      const length = Number(headers['content-length'] ?? NaN);
      if (Number.isFinite(length) && body.length < length) return undefined;
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body: body.toString('utf8') };
    };
    const settle = (error?: string): void => {
      if (settled) return;
      settled = true;
      const answer = parse() ?? { status: 0, headers: {}, body: '' };
      resolve({ ...answer, ms: performance.now() - started, sent, ...(error && answer.status === 0 ? { error } : {}) });
      socket.destroy();
    };
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      if (parse()) settle();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => settle(e.code ?? e.message));
    socket.on('close', () => settle('closed'));
    socket.on('connect', () => {
      const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
      const headers: Record<string, string> = { host: '127.0.0.1', ...req.headers };
      if (req.chunked) headers['transfer-encoding'] = 'chunked';
      else headers['content-length'] = String(req.declaredLength ?? body?.length ?? 0);
      const head = `${req.method ?? 'POST'} ${req.path ?? '/api/github/webhooks'} HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n`;
      socket.write(head);
      if (body && req.declaredLength === undefined) {
        socket.write(body);
        sent = body.length;
      }
      if (req.chunked) void stream(req.chunked);
    });

    async function stream({ chunk, total }: { chunk: Buffer; total: number }): Promise<void> {
      const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      while (sent < total && !settled && received.length === 0) {
        sent += chunk.length;
        if (!socket.write(frame)) {
          await new Promise<void>((r) => {
            const go = () => {
              socket.off('drain', go);
              socket.off('close', go);
              r();
            };
            socket.on('drain', go);
            socket.on('close', go);
          });
        }
      }
      if (!settled && received.length === 0) socket.write('0\r\n\r\n');
    }
  });
}

/** `X-Hub-Signature-256` of a body. */
export { sign };

/** The headers of a GitHub delivery (signed when `body` is given). */
export function deliveryHeaders(event: string, id: string, secret?: string, body?: Buffer | string): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': id };
  if (secret !== undefined && body !== undefined) h['x-hub-signature-256'] = sign(secret, body);
  return h;
}
