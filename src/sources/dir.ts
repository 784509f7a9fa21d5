/**
 * Files and directories on disk as a ChangeSet: every file is `added` (head text, no base), so a
 * scan reviews everything as new. Paths are relative to a common root: the current directory when
 * every given path is under it, else the deepest directory that holds them all.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KINDS, type ChangeSet, type FileChange } from '../model.js';
import { baseTreeOf } from './context.js';
import { MAX_FILE_BYTES, readableText, skippedDirectory, toPosix, tooLargeReason } from './files.js';

/** A path given to a scan does not exist or cannot be read. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

export interface DirSourceOptions {
  /** Directory relative paths are resolved against and, when it holds them all, the root. Default: process.cwd(). */
  cwd?: string;
  /** `paths.include` / `paths.exclude` decide which files are part of the change set (default: all). */
  wanted?: (path: string) => boolean;
  maxBytes?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function dirChangeSet(paths: string[], options: DirSourceOptions = {}): Promise<ChangeSet> {
  const cwd = options.cwd ?? process.cwd();
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const include = options.wanted ?? (() => true);
  if (paths.length === 0) throw new SourceError('no path given');

  const absolute = paths.map((p) => resolve(cwd, p));
  const found = new Map<string, string>(); // absolute -> relative
  const root = await scanRoot(absolute, cwd);
  for (const abs of absolute) {
    let info;
    try {
      info = await stat(abs);
    } catch {
      throw new SourceError(`${relativeForMessage(cwd, abs)} does not exist`);
    }
    if (info.isDirectory()) await walk(abs, root, found);
    else if (info.isFile()) found.set(abs, toPosix(relative(root, abs)));
  }

  const all = [...found].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  const selected = all.filter(([, rel]) => include(rel));
  const files: FileChange[] = [];
  let done = 0;
  for (const [abs, rel] of selected) {
    files.push(await readFile(abs, rel, maxBytes));
    done++;
    if (options.onProgress && (done % 50 === 0 || done === selected.length)) options.onProgress(done, selected.length);
  }

  const tree = all.map(([, rel]) => rel);
  // Every file is new: a scan has no base side, so its tree holds only what the scan did not take.
  return {
    files,
    trees: { head: tree, base: baseTreeOf(tree, files) },
    // Every file is part of the change: nothing is left to read as context.
    context: { kinds: [...KINDS], files: [], complete: true },
    meta: { source: 'dir' },
  };
}

/**
 * The directory scan paths are relative to: `cwd` when every path is inside it, else the deepest
 * common ancestor (for a single directory, the directory itself).
 */
export async function scanRoot(absolutePaths: string[], cwd: string): Promise<string> {
  const base = resolve(cwd);
  if (absolutePaths.every((p) => isInside(base, p))) return base;
  const dirs: string[] = [];
  for (const p of absolutePaths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      // reported by the caller
    }
    dirs.push(isDir ? p : dirname(p));
  }
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) while (!isInside(common, d)) common = dirname(common);
  return common;
}

function isInside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function relativeForMessage(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') ? rel : abs;
}

/** Collects regular files under `dir`; does not follow symbolic links, skips what `skippedDirectory` says. */
async function walk(dir: string, root: string, found: Map<string, string>): Promise<void> {
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue; // unreadable directory
    }
    for (const e of entries) {
      const abs = current + sep + e.name;
      if (e.isDirectory()) {
        if (!skippedDirectory(e.name, basename(current), () => existsSync(join(abs, 'pyvenv.cfg')))) stack.push(abs);
      } else if (e.isFile()) {
        found.set(abs, toPosix(relative(root, abs)));
      }
    }
  }
}

async function readFile(abs: string, rel: string, maxBytes: number): Promise<FileChange> {
  const change: FileChange = { path: rel, status: 'added', head: null, base: null };
  try {
    const info = await stat(abs);
    if (info.size > maxBytes) {
      change.skipped = tooLargeReason(info.size, maxBytes);
      return change;
    }
    const handle = await open(abs, 'r');
    try {
      const bytes = await handle.readFile();
      const r = readableText(bytes, bytes.length, maxBytes);
      if ('text' in r) change.head = r.text;
      else change.skipped = r.skipped;
    } finally {
      await handle.close();
    }
  } catch (e) {
    change.skipped = `could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  return change;
}
