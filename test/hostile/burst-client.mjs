// A second process on loopback sends a burst of webhook deliveries at once and prints how long each
// took to be answered (ms) as JSON: the load of load.test.ts, kept out of the server's event loop.
// Usage: node burst-client.mjs FILE, FILE holding { port, path, deliveries: [{ headers, body }] }.
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';

const { port, path, deliveries } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

function send({ headers, body }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - started, error: e.message }));
    req.end(body);
  });
}

const results = await Promise.all(deliveries.map(send));
process.stdout.write(JSON.stringify(results));
