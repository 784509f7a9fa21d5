/**
 * The built server and worker processes at start (`npm start`, `npm run worker`): an embedded
 * history folder another process holds stops them with one line saying why and what to do, exit
 * code 1, no stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../queue/redis-helpers.js';
import { privateKey } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let holder: ReturnType<typeof spawn>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ml-lens-start-'));
  mkdirSync(join(dir, 'data'));
  holder = spawn('sleep', ['60']);
  writeFileSync(join(dir, 'data', 'ml-lens.pid'), `${holder.pid}\n`);
});
afterAll(() => {
  holder.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('a process whose embedded history folder is in use', () => {
  for (const [name, script, env] of [
    ['the server', 'dist/server.js', { PORT: '0' }],
    ['a worker', 'dist/worker.js', { REDIS_URL, ML_LENS_QUEUE_PREFIX: `startup-${process.pid}` }],
  ] as const) {
    it(`${name} stops at once with one line saying why, exit 1`, () => {
      const r = spawnSync(process.execPath, [join(ROOT, script)], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env['PATH'], APP_ID: '123', PRIVATE_KEY: privateKey(), WEBHOOK_SECRET: 'x', LOG_FORMAT: 'json', ML_LENS_DATA_DIR: join(dir, 'data'), ...env },
      });
      expect(r.status).toBe(1);
      const out = `${r.stdout}${r.stderr}`;
      const fatal = out.split('\n').filter((l) => l.includes('cannot open the review history'));
      expect(fatal).toHaveLength(1);
      expect(JSON.parse(fatal[0]!)).toMatchObject({ level: 60, msg: expect.stringContaining(`in use by process ${holder.pid}: it serves one process. Set DATABASE_URL`) });
      expect(out).not.toMatch(/\n\s+at /);
    });
  }
});
