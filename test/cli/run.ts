/** Runs the CLI in-process with captured output. */
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
