/**
 * The command line's I/O: the streams, environment and clock a run is given (tests inject them),
 * its exit codes, and writing its output to standard output or a file, with progress on stderr.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError, type Values } from './args.js';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when the stream is a terminal. */
  columns?: number;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The clock, for suppression expiry (`until=`). */
  now: () => Date;
}

export function defaultIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), now: () => new Date() };
}

export const EXIT = { pass: 0, fail: 1, error: 2 } as const;

export async function emit(text: string, values: Values, io: Io, what: string): Promise<void> {
  if (values.output === undefined) {
    io.stdout.write(text);
    return;
  }
  const file = resolve(io.cwd, values.output);
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot write ${values.output}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  io.stderr.write(`ml-lens: wrote ${what} to ${cwdRelative(file, io.cwd)}\n`);
}

export const PROGRESS_MIN_FILES = 100;

/** Progress on stderr, only when stderr is a terminal, on one line that is cleared afterwards. */
export function progressReporter(io: Io) {
  const tty = io.stderr.isTTY === true;
  let shown = false;
  return {
    update:
      (verb: string) =>
      (done: number, total: number): void => {
        if (!tty || total < PROGRESS_MIN_FILES) return;
        io.stderr.write(`\r${verb} ${done}/${total} files\x1b[K`);
        shown = true;
      },
    message(text: string, when: boolean): void {
      if (!tty || !when) return;
      io.stderr.write(`\r${text}\x1b[K`);
      shown = true;
    },
    done(): void {
      if (shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** A path as the user would type it: relative to the working directory when under it, else as given. */
export function cwdRelative(p: string, cwd: string): string {
  if (!isAbsolute(p)) return p;
  const rel = relative(cwd, p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : p;
}
