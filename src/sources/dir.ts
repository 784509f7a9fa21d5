/**
 * Files and directories on disk as a ChangeSet: every file is `added` (head text, no base), so a
 * scan reviews everything as new. Paths are relative to a common root: the current directory when
 * every given path is under it, else the deepest directory that holds them all. The change set also
 * carries the `.gitattributes` files above the files read and the paths given (`scanned`), which
 * decide what is left out by default (src/generated.ts).
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KINDS, type ChangeSet, type FileChange } from '../model.js';
import { attributesFilesFor } from '../gitattributes.js';
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
  const changeSet: ChangeSet = {
    files,
    trees: { head: tree, base: baseTreeOf(tree, files) },
    // Every file is part of the change: nothing is left to read as context.
    context: { kinds: [...KINDS], files: [], complete: true },
    meta: { source: 'dir' },
  };
  const attributes = await readAttributes(root, tree, selected.map(([, rel]) => rel), absolute, maxBytes);
  if (attributes) changeSet.attributes = attributes;
  // A folder the scan was given is not left out for its name (`scan cdk.out`).
  const scanned = absolute.map((a) => toPosix(relative(root, a))).filter((p) => p !== '');
  if (scanned.length > 0) changeSet.scanned = scanned;
  return changeSet;
}

/** How many folders above the scan's root are looked at for the repository's top (a `.git`). */
const MAX_DEPTH_ABOVE = 32;

/**
 * The `.gitattributes` files that bear on the scanned files, as git would apply them: those of
 * the folders above each file up to the top of the git repository the root is in (the root when it
 * is in none), with paths from that top (`under`: where the root is in it). Never through a link.
 */
async function readAttributes(root: string, walked: readonly string[], selected: readonly string[], given: readonly string[], maxBytes: number): Promise<ChangeSet['attributes'] | undefined> {
  let top = root;
  for (let dir = root, i = 0; i < MAX_DEPTH_ABOVE; i++) {
    if (existsSync(join(dir, '.git'))) {
      top = dir;
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const under = toPosix(relative(top, root));
  const fromTop = (rel: string) => (under === '' ? rel : rel === '' ? under : `${under}/${rel}`);
  // Candidates: what the walk found, and the folders from the top down to each path given.
  const candidates = new Set(walked.filter((p) => p === '.gitattributes' || p.endsWith('/.gitattributes')).map(fromTop));
  for (const a of given) {
    const segments = toPosix(relative(top, a)).split('/').filter((s) => s !== '');
    for (let i = 0; i <= segments.length; i++) candidates.add([...segments.slice(0, i), '.gitattributes'].join('/'));
  }
  const files: { path: string; text: string }[] = [];
  for (const path of attributesFilesFor(candidates, selected.map(fromTop))) {
    const abs = join(top, ...path.split('/'));
    try {
      if (!(await lstat(abs)).isFile()) continue;
      const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const size = (await handle.stat()).size;
        const r = size > maxBytes ? undefined : readableText(await handle.readFile(), size, maxBytes);
        if (r && 'text' in r) files.push({ path, text: r.text });
      } finally {
        await handle.close();
      }
    } catch {
      // absent or unreadable: as if there were none
    }
  }
  if (files.length === 0) return undefined;
  return under === '' ? { files } : { files, under };
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
