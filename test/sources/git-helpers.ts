/** Temporary git repositories for source and CLI tests. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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

export function tempRepo(defaultBranch = 'main'): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'ml-lens-git-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_') && !['GIT_CONFIG_NOSYSTEM', 'GIT_CONFIG_GLOBAL'].includes(k)) delete env[k];
  const git = (...args: string[]) => execFileSync('git', [...IDENTITY, ...args], { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', defaultBranch);
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
