/** Runs the CLI in-process with captured output; temporary folders for the CLI tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';
import { main } from '../../src/cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  tty?: boolean;
  columns?: number;
}

export const TODAY = new Date('2026-11-28T12:00:00Z');

export async function runCli(argv: string[], opts: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty ?? false, ...(opts.columns ? { columns: opts.columns } : {}) },
    stderr: { write: (s: string) => (stderr += s), isTTY: opts.tty ?? false },
    env: opts.env ?? { NO_COLOR: '1' },
    cwd: opts.cwd ?? process.cwd(),
    now: () => TODAY,
  });
  return { code, stdout, stderr };
}

/**
 * Temporary folders for a test file, removed after each test: `dir(files)` writes a folder of
 * files; `later(fn)` runs another clean-up (a temporary repository's) at the same time.
 */
export function tempDirs(prefix: string): { dir(files: Record<string, string>): string; later(fn: () => void): void } {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    while (cleanup.length) cleanup.pop()!();
  });
  return {
    dir(files) {
      const d = mkdtempSync(join(tmpdir(), prefix));
      cleanup.push(() => rmSync(d, { recursive: true, force: true }));
      for (const [p, content] of Object.entries(files)) {
        mkdirSync(dirname(join(d, p)), { recursive: true });
        writeFileSync(join(d, p), content);
      }
      return d;
    },
    later(fn) {
      cleanup.push(fn);
    },
  };
}
