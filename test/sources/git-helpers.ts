/** Temporary git repositories for source and CLI tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine.js';
import type { ReviewPlan } from '../../src/plan.js';
import { TODAY } from '../helpers/engine.js';

export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  write(files: Record<string, string | Buffer>): void;
  remove(...paths: string[]): void;
  commit(message: string): string;
  copyTree(from: string): void;
  cleanup(): void;
}

const IDENTITY = ['-c', 'user.name=ML Lens Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main'];

/** The environment test repositories are made in: no GIT_* variables, no system or global config. */
export function testGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_') && !['GIT_CONFIG_NOSYSTEM', 'GIT_CONFIG_GLOBAL'].includes(k)) delete env[k];
  return env;
}

export function tempRepo(defaultBranch = 'main'): TempRepo {
  const repo = wrap(mkdtempSync(join(tmpdir(), 'ml-lens-git-')));
  repo.git('init', '-q', '-b', defaultBranch);
  return repo;
}

/** `git clone ARGS... URL` into a new temporary directory, e.g. a partial clone with `--filter=blob:none`. */
export function tempClone(url: string, ...args: string[]): TempRepo {
  const parent = mkdtempSync(join(tmpdir(), 'ml-lens-clone-'));
  const dir = join(parent, 'clone');
  execFileSync('git', [...IDENTITY, 'clone', '-q', ...args, url, dir], { cwd: parent, env: testGitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const repo = wrap(dir);
  return { ...repo, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}

function wrap(dir: string): TempRepo {
  const env = testGitEnv();
  const git = (...args: string[]) => execFileSync('git', [...IDENTITY, ...args], { cwd: dir, env, encoding: 'utf8' }).trim();
  const repo: TempRepo = {
    dir,
    git,
    write(files) {
      for (const [p, content] of Object.entries(files)) {
        const abs = join(dir, p);
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
    },
    remove(...paths) {
      for (const p of paths) rmSync(join(dir, p), { force: true });
    },
    commit(message) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    copyTree(from) {
      for (const entry of execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean)) {
        rmSync(join(dir, entry), { force: true });
      }
      cpSync(from, dir, { recursive: true });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return repo;
}

/**
 * The plan a source is given for the built-in catalogue and `config` (default: the default
 * configuration): which changed files to keep, which unchanged ones to read as context.
 */
export async function defaultPlan(config: Config = defaultConfig()): Promise<ReviewPlan> {
  const engine = await createEngine();
  return engine.plan({ config, catalogue: engine.catalogue(), today: TODAY });
}
