/**
 * Reviewing a repository never runs a program the repository configures, even when git would fetch
 * missing objects on its own (a partial clone fetches them lazily through `remote.origin.*`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewPlan } from '../../src/plan.js';
import { GitError, gitChangeSet, gitInvocation, readBlobs } from '../../src/sources/git.js';
import { defaultPlan, tempClone, tempRepo, testGitEnv, type TempRepo } from './git-helpers.js';

/** The plan of the built-in catalogue and the default configuration. */
let plan: ReviewPlan;
beforeAll(async () => {
  plan = await defaultPlan();
});

const MISSING = 'the clone is missing objects (a partial clone?): fetch them first (git fetch --refetch --no-filter, or clone without --filter); nothing was fetched';

const repos: TempRepo[] = [];
function track<T extends TempRepo>(r: T): T {
  repos.push(r);
  return r;
}
afterEach(() => {
  while (repos.length) repos.pop()!.cleanup();
});

/** A repository that serves partial clones, with a change on `change`. */
function source(): TempRepo {
  const src = track(tempRepo());
  src.write({ 'infra/main.tf': 'variable "a" {}\n', 'README.md': '# x\n' });
  src.commit('base');
  src.git('checkout', '-q', '-b', 'change');
  src.write({ 'infra/main.tf': 'variable "b" {}\n' });
  src.commit('change');
  src.git('checkout', '-q', 'main');
  src.git('config', 'uploadpack.allowFilter', 'true');
  src.git('config', 'uploadpack.allowAnySHA1InWant', 'true');
  return src;
}

/** A blob-less clone of `src` whose own configuration runs `touch MARKER` when git fetches from it. */
interface Attack {
  name: string;
  configure(clone: TempRepo, src: TempRepo, marker: string): void;
}

const ATTACKS: Attack[] = [
  {
    name: 'remote.origin.uploadpack over file://, every protocol allowed',
    configure(clone, _src, marker) {
      clone.git('config', 'remote.origin.uploadpack', `touch '${marker}'; git-upload-pack`);
      clone.git('config', 'protocol.allow', 'always');
      clone.git('config', 'protocol.file.allow', 'always');
    },
  },
  {
    name: 'core.sshCommand over ssh://',
    configure(clone, src, marker) {
      clone.git('config', 'remote.origin.url', `ssh://localhost${src.dir}`);
      clone.git('config', 'core.sshCommand', `touch '${marker}'; false`);
      clone.git('config', 'protocol.ssh.allow', 'always');
    },
  },
  {
    name: 'an ext:: url, protocol.ext.allow=always',
    configure(clone, _src, marker) {
      clone.git('config', 'remote.origin.url', `ext::sh -c touch% ${marker}`);
      clone.git('config', 'protocol.ext.allow', 'always');
    },
  },
  {
    name: 'a remote helper through remote.origin.vcs',
    configure(clone, _src, marker) {
      clone.git('config', 'remote.origin.vcs', 'ext');
      clone.git('config', 'remote.origin.url', `sh -c touch% ${marker}`);
      clone.git('config', 'protocol.ext.allow', 'always');
    },
  },
  {
    name: 'core.gitProxy over git://',
    configure(clone, _src, marker) {
      const proxy = join(dirname(marker), 'proxy.sh');
      writeFileSync(proxy, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
      chmodSync(proxy, 0o755);
      clone.git('config', 'remote.origin.url', 'git://example.invalid/repo');
      clone.git('config', 'core.gitProxy', proxy);
      clone.git('config', 'protocol.git.allow', 'always');
    },
  },
];

function attacked(src: TempRepo, attack: Attack): { clone: TempRepo; marker: string } {
  const clone = track(tempClone(`file://${src.dir}`, '--filter=blob:none', '--no-checkout'));
  const marker = join(dirname(clone.dir), 'pwned');
  attack.configure(clone, src, marker);
  return { clone, marker };
}

describe('partial clones: nothing is fetched, nothing the repository configures runs', () => {
  it.each(ATTACKS)('$name', async (attack) => {
    const src = source();
    const missingBlob = src.git('rev-parse', 'change:infra/main.tf');

    // The attack is real: plain git, asked for a missing blob, runs the repository's command.
    const control = attacked(src, attack);
    spawnSync('git', ['cat-file', '-p', missingBlob], { cwd: control.clone.dir, env: testGitEnv(), encoding: 'utf8' });
    expect(existsSync(control.marker)).toBe(true);

    const { clone, marker } = attacked(src, attack);
    const review = gitChangeSet(clone.dir, { plan, base: 'origin/main', head: 'origin/change' });
    await expect(review).rejects.toThrow(GitError);
    await expect(review).rejects.toThrow(MISSING);
    expect(existsSync(marker)).toBe(false);
    // Still missing: nothing was fetched.
    expect(clone.git('rev-list', '--objects', '--missing=print', 'origin/change')).toContain(`?${missingBlob}`);

    // Git before GIT_NO_LAZY_FETCH (2.44, and 2.39.4 and later maintenance releases) still fetches
    // lazily; with our settings its fetch cannot run anything either.
    const { command, args, env } = gitInvocation(['cat-file', '-p', missingBlob]);
    delete env.GIT_NO_LAZY_FETCH;
    const old = spawnSync(command, args, { cwd: clone.dir, env, encoding: 'utf8' });
    expect(old.status).not.toBe(0);
    expect(old.stderr).toMatch(/not allowed|is not a git command|could not fetch/);
    expect(existsSync(marker)).toBe(false);
  });

  it('fails with one line, no stack, when blobs are missing, and reads a complete partial clone', async () => {
    const src = source();
    const clone = track(tempClone(`file://${src.dir}`, '--filter=blob:none', '--no-checkout'));
    const err = await gitChangeSet(clone.dir, { plan, base: 'origin/main', head: 'origin/change' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toBe(MISSING);

    // Once the user fetched the objects, the review reads them.
    clone.git('fetch', '-q', '--refetch', '--no-filter', 'origin');
    const cs = await gitChangeSet(clone.dir, { plan, base: 'origin/main', head: 'origin/change' });
    expect(cs.files[0]).toMatchObject({ path: 'infra/main.tf', base: 'variable "a" {}\n', head: 'variable "b" {}\n' });
  });
});

describe('missing objects outside partial clones', () => {
  it('cat-file --batch reports a missing blob, which fails the read with the clear error', async () => {
    const r = track(tempRepo());
    r.write({ 'a.tf': 'variable "a" {}\n', 'b.tf': 'variable "b" {}\n' });
    r.commit('base');
    const present = r.git('rev-parse', 'HEAD:a.tf');
    const gone = r.git('rev-parse', 'HEAD:b.tf');
    rmSync(join(r.dir, '.git', 'objects', gone.slice(0, 2), gone.slice(2)));
    expect(spawnSync('git', ['cat-file', '--batch-check'], { cwd: r.dir, env: testGitEnv(), input: `${gone}\n`, encoding: 'utf8' }).stdout).toBe(`${gone} missing\n`);

    await expect(readBlobs(r.dir, [present, gone])).rejects.toThrow(MISSING);
    expect((await readBlobs(r.dir, [present])).get(present)?.toString('utf8')).toBe('variable "a" {}\n');
  });

  it('a change whose blob is gone fails the review with the clear error, not a skipped file', async () => {
    const r = track(tempRepo());
    r.write({ 'a.tf': 'variable "a" {}\n' });
    r.commit('base');
    r.git('checkout', '-q', '-b', 'c');
    r.write({ 'a.tf': 'variable "b" {}\n', 'infra/x.tf': 'variable "x" {}\n' });
    r.commit('c');
    const gone = r.git('rev-parse', 'main:a.tf');
    rmSync(join(r.dir, '.git', 'objects', gone.slice(0, 2), gone.slice(2)));
    await expect(gitChangeSet(r.dir, { plan, base: 'main' })).rejects.toThrow(MISSING);
  });
});
