/**
 * The image as a CI step: its entry point runs the command line when the first argument is one of
 * its commands, the App's server by default, anything else as given; the Dockerfile runs on a
 * supported Node.js LTS and uses that entry point. (Docker itself is not on the test machines:
 * the entry point is run as the image runs it, with the repository's files.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
});
