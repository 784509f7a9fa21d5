/**
 * The image as a CI step: its entry point runs the command line when the first argument is one of
 * its commands, the App's server by default, anything else as given; the Dockerfile runs on a
 * supported Node.js LTS and uses that entry point. (Docker itself is not on the test machines:
 * the entry point is run as the image runs it, with the repository's files.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'bin', 'docker-entrypoint.sh');
const run = (...args: string[]) => spawnSync('sh', [ENTRY, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('docker-entrypoint.sh', () => {
  it('a command of the command line runs it: scan a mounted repository, exit by the gate', () => {
    const r = run('scan', join(ROOT, 'examples', 'after'), '--format', 'json');
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { gate: { conclusion: string } }).gate.conclusion).toBe('failure');
    expect(run('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run('help', 'scan').stdout).toMatch(/^Usage: ml-lens scan/);
  });

  it('anything else is run as given', () => {
    expect(run('echo', 'hello').stdout).toBe('hello\n');
  });

  it('the Dockerfile: a supported Node.js LTS, the entry point, git that reads a mounted repository', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
    expect(bases.length).toBeGreaterThan(0);
    for (const v of bases) expect([22, 24]).toContain(v);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/app\/bin\/docker-entrypoint\.sh"\]$/m);
    expect(dockerfile).toMatch(/^COPY bin \.\/bin$/m);
    expect(dockerfile).toContain("safe.directory '*'");
  });

  it('docker-compose.yml: Redis, PostgreSQL, one web process and two workers, sharing REDIS_URL and DATABASE_URL', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { image?: string; build?: string; command?: string[]; environment?: Record<string, string>; deploy?: { replicas?: number }; depends_on?: Record<string, unknown> }>;
    };
    const { redis, postgres, web, worker } = compose.services;
    expect(redis!.image).toMatch(/^redis:/);
    expect(postgres!.image).toMatch(/^postgres:/);
    for (const app of [web!, worker!]) {
      expect(app.build).toBe('.');
      expect(app.environment?.['REDIS_URL']).toBe('redis://redis:6379');
      expect(app.environment?.['DATABASE_URL']).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(Object.keys(app.depends_on ?? {}).sort()).toEqual(['postgres', 'redis']);
    }
    // The web process runs the image's default (the server); the workers run the worker, which the image holds.
    expect(web!.command).toBeUndefined();
    expect(worker!.command).toEqual(['worker']);
    expect(readFileSync(ENTRY, 'utf8')).toContain('worker) exec node "$app/dist/worker.js"');
    expect(worker!.deploy?.replicas).toBe(2);
    expect(existsSync(join(ROOT, 'src', 'worker.ts'))).toBe(true);
  });
});
