/**
 * A local git range as a ChangeSet, exactly as a pull request from `head` into `base` would see it:
 * the diff from the merge base of the two to `head` (what `git diff base...head` shows), base texts
 * from the merge base, head texts from `head`. Only committed content is read, never the working tree.
 *
 * Git runs without a shell, with arguments as an array, and never runs anything the repository
 * could configure: no system config, hooks pointed at /dev/null, no fsmonitor, no external diff,
 * no textconv. Blobs are read through one `git cat-file --batch` process.
 */
import { spawn } from 'node:child_process';
import type { ChangeSet, FileChange, FileStatus } from '../model.js';
import type { Config } from '../config/schema.js';
import {
  BINARY_REASON,
  isBinary,
  looksLikeContextArtifact,
  MAX_CONTEXT_FILES,
  MAX_FILE_BYTES,
  pathFilter,
  tooLargeReason,
} from './files.js';

/** A git command failed; the message is one line that says why. */
export class GitError extends Error {
  override readonly name = 'GitError';
}

export interface GitSourceOptions {
  /** Base ref; default: the repository's default branch (origin/HEAD, else main, else master). */
  base?: string;
  /** Head ref; default HEAD. */
  head?: string;
  /** `paths.include` / `paths.exclude` decide which changed files are part of the change set. */
  config?: Pick<Config, 'paths'>;
  /** Files over this size are skipped (default 1 MB). */
  maxBytes?: number;
  /** At most this many unchanged files are read as context (default 2000). */
  maxContextFiles?: number;
  /** Called as files are read. */
  onProgress?: (done: number, total: number) => void;
}

const GITLINK = '160000';
const SYMLINK = '120000';

export async function gitChangeSet(repoDir: string, options: GitSourceOptions = {}): Promise<ChangeSet> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const maxContext = options.maxContextFiles ?? MAX_CONTEXT_FILES;
  const include = pathFilter(options.config);

  await ensureRepository(repoDir);
  const headRef = options.head ?? 'HEAD';
  const head = await resolveCommit(repoDir, headRef, 'head');
  const baseRef = options.base ?? (await defaultBranch(repoDir));
  const baseTip = await resolveCommit(repoDir, baseRef, 'base');
  const mergeBase = await findMergeBase(repoDir, baseRef, baseTip, headRef, head);

  // `git diff base...head` is the diff from the merge base to head; naming the merge base we just
  // computed keeps the diff and the base texts we read on the same commit.
  const diffArgs = ['--no-color', '--no-ext-diff', '--no-textconv', '-M', mergeBase, head];
  const [rawOut, treeOut, patchOut] = await Promise.all([
    git(repoDir, ['diff', '--raw', '-z', '--no-abbrev', ...diffArgs]),
    git(repoDir, ['ls-tree', '-r', '-l', '-z', '--full-tree', head]),
    git(repoDir, ['diff', '--patch', '--unified=3', ...diffArgs]),
  ]);

  const entries = parseRaw(rawOut.toString('utf8'));
  const tree = parseLsTree(treeOut.toString('utf8'));
  const patches = splitPatch(patchOut.toString('utf8'), entries.length);

  // Plan what to read.
  const wanted = new Map<string, number | undefined>(); // sha -> size when known
  const changes: Planned[] = [];
  entries.forEach((e, i) => {
    if (!include(e.path) && !(e.previousPath !== undefined && include(e.previousPath))) return;
    const change: FileChange = { path: e.path, status: e.status, head: null, base: null };
    if (e.previousPath !== undefined) change.previousPath = e.previousPath;
    const patch = patches?.[i];
    if (patch) change.patch = patch;
    const planned: Planned = { change };
    const modes = [e.status === 'removed' ? undefined : e.dstMode, e.status === 'added' ? undefined : e.srcMode];
    if (modes.includes(GITLINK)) change.skipped = 'submodule';
    else if (modes.includes(SYMLINK)) change.skipped = 'symbolic link';
    else {
      if (e.status !== 'removed') {
        planned.headSha = e.dstSha;
        wanted.set(e.dstSha, tree.get(e.path)?.size);
      }
      if (e.status !== 'added') {
        planned.baseSha = e.srcSha;
        if (!wanted.has(e.srcSha)) wanted.set(e.srcSha, undefined);
      }
    }
    changes.push(planned);
  });

  // Context: unchanged artifact-like files of the head tree, for repository-level rules.
  const changed = new Set(entries.map((e) => e.path));
  const candidates = [...tree.entries()]
    .filter(([p, t]) => !changed.has(p) && t.mode !== GITLINK && t.mode !== SYMLINK && looksLikeContextArtifact(p) && include(p))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let contextComplete = true;
  const context: { path: string; sha: string }[] = [];
  for (const [path, t] of candidates) {
    if (t.size !== undefined && t.size > maxBytes) {
      contextComplete = false;
      continue;
    }
    if (context.length >= maxContext) {
      contextComplete = false;
      break;
    }
    context.push({ path, sha: t.sha });
    if (!wanted.has(t.sha)) wanted.set(t.sha, t.size);
  }

  // Sizes of blobs ls-tree did not give (base side), so oversized blobs are never read.
  const unknownSize = [...wanted].filter(([, size]) => size === undefined).map(([sha]) => sha);
  if (unknownSize.length > 0) {
    for (const [sha, size] of await blobSizes(repoDir, unknownSize)) wanted.set(sha, size);
  }
  const toRead = [...wanted].filter(([, size]) => size !== undefined && size <= maxBytes).map(([sha]) => sha);
  const blobs = await readBlobs(repoDir, toRead, options.onProgress);

  const files: FileChange[] = [];
  for (const { change, headSha, baseSha } of changes) {
    if (!change.skipped) {
      const reason = skipReason(headSha, wanted, blobs, maxBytes) ?? skipReason(baseSha, wanted, blobs, maxBytes);
      if (reason) change.skipped = reason;
      else {
        change.head = headSha ? textOf(blobs.get(headSha)) : null;
        change.base = baseSha ? textOf(blobs.get(baseSha)) : null;
      }
    }
    files.push(change);
  }

  const contextFiles: { path: string; text: string }[] = [];
  for (const { path, sha } of context) {
    const bytes = blobs.get(sha);
    if (!bytes) {
      contextComplete = false;
      continue;
    }
    if (isBinary(bytes)) continue; // not an artifact
    contextFiles.push({ path, text: textOf(bytes) });
  }

  return {
    files,
    tree: [...tree.keys()],
    context: contextFiles,
    contextComplete,
    meta: { source: 'git', base: mergeBase, head },
  };
}

interface Planned {
  change: FileChange;
  headSha?: string;
  baseSha?: string;
}

function skipReason(sha: string | undefined, sizes: Map<string, number | undefined>, blobs: Map<string, Buffer>, maxBytes: number): string | undefined {
  if (!sha) return undefined;
  const size = sizes.get(sha);
  if (size !== undefined && size > maxBytes) return tooLargeReason(size, maxBytes);
  const bytes = blobs.get(sha);
  if (!bytes) return 'could not be read from git';
  if (isBinary(bytes)) return BINARY_REASON;
  return undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
function textOf(bytes: Buffer | undefined): string {
  return bytes ? decoder.decode(bytes) : '';
}

// ---------------------------------------------------------------------------------------------
// Refs
// ---------------------------------------------------------------------------------------------

async function ensureRepository(repoDir: string): Promise<void> {
  try {
    await git(repoDir, ['rev-parse', '--git-dir']);
  } catch (e) {
    if (e instanceof GitError && /not a git repository/i.test(e.message)) throw new GitError(`${repoDir} is not a git repository`);
    if (e instanceof GitError && /ENOENT|cannot change to|No such file/i.test(e.message)) throw new GitError(`${repoDir} does not exist`);
    throw e;
  }
}

async function resolveCommit(repoDir: string, ref: string, what: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitError(`${what} ref "${ref}" is not a valid ref`);
  try {
    const out = await git(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return out.toString('utf8').trim();
  } catch (e) {
    if (e instanceof GitError) throw new GitError(`${what} ref "${ref}" does not name a commit in ${repoDir}`);
    throw e;
  }
}

/**
 * The branch pull requests target by default: `origin/HEAD` when the clone has it, else a local
 * `main`, else `master`.
 */
export async function defaultBranch(repoDir: string): Promise<string> {
  try {
    const out = (await git(repoDir, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD'])).toString('utf8').trim();
    if (out.startsWith('refs/remotes/')) return out.slice('refs/remotes/'.length);
  } catch {
    // no origin/HEAD
  }
  for (const name of ['main', 'master']) {
    try {
      await git(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}^{commit}`]);
      return name;
    } catch {
      // next
    }
  }
  throw new GitError('no base given and no default branch found (origin/HEAD, main or master); pass --base REF');
}

async function findMergeBase(repoDir: string, baseRef: string, base: string, headRef: string, head: string): Promise<string> {
  try {
    return (await git(repoDir, ['merge-base', base, head])).toString('utf8').trim();
  } catch {
    throw new GitError(`${baseRef} and ${headRef} have no common ancestor`);
  }
}

// ---------------------------------------------------------------------------------------------
// Output parsers
// ---------------------------------------------------------------------------------------------

interface RawEntry {
  srcMode: string;
  dstMode: string;
  srcSha: string;
  dstSha: string;
  status: FileStatus;
  path: string;
  previousPath?: string;
}

/** `git diff --raw -z`: `:srcmode dstmode srcsha dstsha STATUS\0path\0[path2\0]`. */
export function parseRaw(out: string): RawEntry[] {
  const parts = out.split('\0');
  const entries: RawEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const meta = parts[i]!;
    if (!meta.startsWith(':')) continue;
    const [srcMode, dstMode, srcSha, dstSha, statusField] = meta.slice(1).split(' ');
    const letter = (statusField ?? '')[0];
    const first = parts[++i] ?? '';
    if (letter === 'R' || letter === 'C') {
      const second = parts[++i] ?? '';
      entries.push({
        srcMode: srcMode!, dstMode: dstMode!, srcSha: srcSha!, dstSha: dstSha!,
        status: letter === 'R' ? 'renamed' : 'added',
        path: second,
        previousPath: first,
      });
      continue;
    }
    const status: FileStatus = letter === 'A' ? 'added' : letter === 'D' ? 'removed' : 'modified';
    entries.push({ srcMode: srcMode!, dstMode: dstMode!, srcSha: srcSha!, dstSha: dstSha!, status, path: first });
  }
  return entries;
}

interface TreeEntry {
  mode: string;
  sha: string;
  size?: number;
}

/** `git ls-tree -r -l -z`: `mode type sha size\tpath\0`. */
export function parseLsTree(out: string): Map<string, TreeEntry> {
  const tree = new Map<string, TreeEntry>();
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    if (tab === -1) continue;
    const [mode, , sha, size] = rec.slice(0, tab).split(/ +/);
    const n = Number(size);
    tree.set(rec.slice(tab + 1), { mode: mode!, sha: sha!, size: Number.isFinite(n) ? n : undefined });
  }
  return tree;
}

/**
 * Splits a multi-file patch into one patch per file, in the order of `git diff --raw` (the same
 * diff queue). Each patch keeps only its hunks (from the first `@@`), as GitHub's `patch` field
 * does. Returns undefined when the split does not line up with `expected` files.
 */
export function splitPatch(out: string, expected: number): (string | undefined)[] | undefined {
  if (expected === 0) return [];
  const lines = out.split('\n');
  const files: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('diff --git ')) files.push([]);
    else files[files.length - 1]?.push(line);
  }
  if (files.length !== expected) return undefined;
  return files.map((f) => {
    const start = f.findIndex((l) => l.startsWith('@@'));
    if (start === -1) return undefined;
    let end = f.length;
    while (end > start && f[end - 1] === '') end--;
    return f.slice(start, end).join('\n');
  });
}

// ---------------------------------------------------------------------------------------------
// Running git
// ---------------------------------------------------------------------------------------------

/** Git's environment: ours, without GIT_* variables that could redirect it, and no system config. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_OPTIONAL_LOCKS = '0';
  env.LC_ALL = 'C';
  return env;
}

const SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.quotePath=false',
  '-c', 'diff.noprefix=false',
];

function spawnGit(repoDir: string, args: string[]) {
  return spawn('git', ['--no-pager', ...SAFE_CONFIG, ...args], {
    cwd: repoDir,
    env: gitEnv(),
    shell: false,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** Runs git and returns its stdout; rejects with a one-line GitError. */
export function git(repoDir: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawnGit>;
    try {
      child = spawnGit(repoDir, args);
    } catch (e) {
      reject(new GitError(spawnProblem(e, repoDir)));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(spawnProblem(e, repoDir))));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new GitError(`git ${args[0]} failed: ${firstLine(Buffer.concat(err).toString('utf8')) || `exit code ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

function spawnProblem(e: unknown, repoDir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `cannot run git in ${repoDir} (git is not installed, or the directory does not exist)`;
  return `cannot run git: ${e instanceof Error ? e.message : String(e)}`;
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').replace(/^(fatal|error): /, '').trim();
}

/** Sizes of blobs, through one `git cat-file --batch-check`. */
async function blobSizes(repoDir: string, shas: string[]): Promise<Map<string, number>> {
  const out = await git(repoDir, ['cat-file', '--batch-check'], shas.join('\n') + '\n');
  const sizes = new Map<string, number>();
  for (const line of out.toString('utf8').split('\n')) {
    const [sha, type, size] = line.split(' ');
    if (sha && type === 'blob' && size !== undefined) sizes.set(sha, Number(size));
  }
  return sizes;
}

/** Contents of blobs, through one `git cat-file --batch` process, parsed as it streams. */
export function readBlobs(repoDir: string, shas: string[], onProgress?: (done: number, total: number) => void): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  if (shas.length === 0) return Promise.resolve(blobs);
  return new Promise((resolve, reject) => {
    const child = spawnGit(repoDir, ['cat-file', '--batch']);
    const err: Buffer[] = [];
    let pending: Buffer[] = [];
    let pendingLength = 0;
    let header: { sha: string; size: number } | undefined;
    let done = 0;

    const take = (n: number): Buffer => {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLength);
      const head = all.subarray(0, n);
      const rest = all.subarray(n);
      pending = rest.length > 0 ? [rest] : [];
      pendingLength = rest.length;
      return head;
    };

    const drain = () => {
      for (;;) {
        if (!header) {
          // Look for the end of the header line.
          const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLength);
          pending = all.length > 0 ? [all] : [];
          const nl = all.indexOf(0x0a);
          if (nl === -1) return;
          const line = take(nl + 1).toString('utf8').trimEnd();
          const [sha, type, size] = line.split(' ');
          if (type === 'missing' || size === undefined) {
            done++;
            continue;
          }
          header = { sha: sha!, size: Number(size) };
        }
        if (pendingLength < header.size + 1) return;
        const body = take(header.size + 1).subarray(0, header.size);
        blobs.set(header.sha, Buffer.from(body));
        header = undefined;
        done++;
        if (onProgress && (done % 50 === 0 || done === shas.length)) onProgress(done, shas.length);
      }
    };

    child.stdout.on('data', (b: Buffer) => {
      pending.push(b);
      pendingLength += b.length;
      drain();
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(spawnProblem(e, repoDir))));
    child.on('close', (code) => {
      if (code === 0) resolve(blobs);
      else reject(new GitError(`git cat-file failed: ${firstLine(Buffer.concat(err).toString('utf8')) || `exit code ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(shas.join('\n') + '\n');
  });
}

