/**
 * A local git range as a ChangeSet, exactly as a pull request from `head` into `base` would see it:
 * the diff from the merge base of the two to `head` (what `git diff base...head` shows), base texts
 * from the merge base, head texts from `head`. Only committed content is read, never the working tree.
 * `readCommitFiles` reads named files and folders of one commit (the configuration and custom rules
 * of the base side) the same way, through trees, never following a symbolic link.
 *
 * Git runs without a shell, with arguments as an array, and never runs anything the repository
 * could configure: no system config, hooks pointed at /dev/null, no fsmonitor, no external diff,
 * no textconv, no transport at all (a partial clone's lazy fetch would otherwise run the
 * repository's `core.sshCommand`, `remote.*.uploadpack`, ...): objects the clone lacks fail the
 * review with a clear message instead. Blobs are read through one `git cat-file --batch` process.
 */
import { spawn } from 'node:child_process';
import { isArtifactPath } from '../formats/index.js';
import type { ChangeSet, FileChange, FileStatus } from '../model.js';
import type { Config } from '../config/schema.js';
import {
  decodeText,
  pathSegments,
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
  /**
   * The range as `resolveRange` resolved it (`base` and `head` are then not looked at): a caller
   * that read the configuration from `range.mergeBase` reviews the change of the same commits.
   */
  range?: GitRange;
}

/** A range resolved to commits. */
export interface GitRange {
  /** Where the change starts: the merge base of base and head. Base texts are read from it. */
  mergeBase: string;
  /** The commit the base ref names (the tip of the base branch). */
  base: string;
  /** The commit the head ref names. */
  head: string;
  /** The base ref as given, or the default branch when none was. */
  baseRef: string;
  /** The head ref as given, or `HEAD`. */
  headRef: string;
}

const GITLINK = '160000';
const SYMLINK = '120000';
const TREE = '040000';

/**
 * Resolves `base` (default: the default branch) and `head` (default: HEAD) to commits, and their
 * merge base: the commit a pull request from head into base is reviewed against.
 */
export async function resolveRange(repoDir: string, refs: { base?: string; head?: string } = {}): Promise<GitRange> {
  await ensureRepository(repoDir);
  const headRef = refs.head ?? 'HEAD';
  const head = await resolveCommit(repoDir, headRef, 'head');
  const baseRef = refs.base ?? (await defaultBranch(repoDir));
  const base = await resolveCommit(repoDir, baseRef, 'base');
  const mergeBase = await findMergeBase(repoDir, baseRef, base, headRef, head);
  return { mergeBase, base, head, baseRef, headRef };
}

export async function gitChangeSet(repoDir: string, options: GitSourceOptions = {}): Promise<ChangeSet> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const maxContext = options.maxContextFiles ?? MAX_CONTEXT_FILES;
  const include = pathFilter(options.config);
  const { mergeBase, head } = options.range ?? (await resolveRange(repoDir, options));

  // `git diff base...head` is the diff from the merge base to head; naming the merge base we just
  // computed keeps the diff and the base texts we read on the same commit. `diff.submodule=diff` in
  // the repository's config would run a second git, without our flags, inside each submodule.
  const diffArgs = ['--no-color', '--no-ext-diff', '--no-textconv', '--submodule=short', '-M', mergeBase, head];
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
    .filter(([p, t]) => !changed.has(p) && t.mode !== GITLINK && t.mode !== SYMLINK && isArtifactPath(p) && include(p))
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
      const head = blobText(headSha, wanted, blobs, maxBytes);
      const base = blobText(baseSha, wanted, blobs, maxBytes);
      if (head && 'skipped' in head) change.skipped = head.skipped;
      else if (!head && base && 'skipped' in base) change.skipped = base.skipped; // a removed file
      else {
        change.head = head ? head.text : null;
        // A base that cannot be read (it was binary, or larger) is compared as absent: every
        // finding of the head is then new, which never hides one.
        change.base = base && 'text' in base ? base.text : null;
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
    const r = decodeText(bytes);
    if ('text' in r) contextFiles.push({ path, text: r.text }); // else not an artifact
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

/** The text of a blob, or why it is not read; undefined when there is no blob (that side is absent). */
function blobText(
  sha: string | undefined,
  sizes: Map<string, number | undefined>,
  blobs: Map<string, Buffer>,
  maxBytes: number,
): { text: string } | { skipped: string } | undefined {
  if (!sha) return undefined;
  const size = sizes.get(sha);
  if (size !== undefined && size > maxBytes) return { skipped: tooLargeReason(size, maxBytes) };
  const bytes = blobs.get(sha);
  if (!bytes) return { skipped: 'could not be read from git' };
  return decodeText(bytes);
}

// ---------------------------------------------------------------------------------------------
// Files of a commit
// ---------------------------------------------------------------------------------------------

export interface CommitFilesRequest {
  /** Files, as `/`-separated paths from the top of the repository, e.g. `.github/ml-lens.yml`. */
  files?: readonly string[];
  /** Folders whose regular files are read (one level), e.g. `.github/ml-lens/rules`. */
  dirs?: readonly string[];
  /** Files over this size are not read (default 1 MB). */
  maxBytes?: number;
}

/** What `readCommitFiles` read, keyed by the paths as requested (the shape of the GitHub source's `Extras`). */
export interface CommitFiles {
  /** Per file: its text, or null when it is not in the commit or is refused (`skipped` says why). */
  files: Map<string, string | null>;
  /**
   * Per folder: its regular files by name (text, or null and why not), or null when it is not in
   * the commit or is refused (`skipped` says why). Subfolders are left out.
   */
  dirs: Map<string, { name: string; text: string | null; skipped?: string }[] | null>;
  /** Why a requested file or folder was refused, by its path as requested. */
  skipped: Map<string, string>;
}

const OUTSIDE_REASON = 'not a path inside the repository';

/**
 * Reads files and folders of `commit` from its trees (`git ls-tree`, one tree at a time from the
 * root), never from the working tree. Symbolic links and submodules, at the path or on the way to
 * it, are refused and not followed: a link could point the configuration or the rules anywhere,
 * including outside the repository. So are paths with `..`, `.` or empty segments, absolute paths,
 * binary files and files over `maxBytes`. A leading `./` and a trailing `/` are allowed, as the
 * GitHub App allows them in `rules.custom`.
 */
export async function readCommitFiles(repoDir: string, commit: string, request: CommitFilesRequest): Promise<CommitFiles> {
  const maxBytes = request.maxBytes ?? MAX_FILE_BYTES;
  await ensureRepository(repoDir);
  const root = await resolveCommit(repoDir, commit, 'commit');
  const result: CommitFiles = { files: new Map(), dirs: new Map(), skipped: new Map() };

  // Each tree is listed once, however many requested paths go through it.
  const listings = new Map<string, Promise<Map<string, TreeEntry>>>();
  const list = (tree: string) => {
    let listing = listings.get(tree);
    if (!listing) {
      listing = git(repoDir, ['ls-tree', '-z', '--full-tree', tree]).then((out) => parseLsTree(out.toString('utf8')));
      listings.set(tree, listing);
    }
    return listing;
  };
  const find = async (path: string): Promise<Found> => {
    const segments = pathSegments(path);
    if (!segments) return { refused: OUTSIDE_REASON };
    let tree = root;
    for (let i = 0; i < segments.length; i++) {
      const entry = (await list(tree)).get(segments[i]!);
      if (!entry) return {};
      if (i === segments.length - 1) return { entry };
      const walked = segments.slice(0, i + 1).join('/');
      if (entry.mode === SYMLINK) return { refused: `${walked} is a symbolic link (not followed)` };
      if (entry.mode === GITLINK) return { refused: `${walked} is a submodule` };
      if (entry.mode !== TREE) return {};
      tree = entry.sha;
    }
    return {};
  };

  const files = [...new Set(request.files ?? [])];
  const dirs = [...new Set(request.dirs ?? [])];
  const [foundFiles, foundDirs] = await Promise.all([Promise.all(files.map(find)), Promise.all(dirs.map(find))]);

  // Blobs to read: the requested regular files, and the regular files of the requested folders.
  const fileBlobs = new Map<string, string>(); // path -> sha
  const dirBlobs = new Map<string, { name: string; sha?: string; skipped?: string }[]>();
  files.forEach((path, i) => {
    const { entry, refused } = foundFiles[i]!;
    const reason = refused ?? (entry ? notAFile(entry.mode) : undefined);
    result.files.set(path, null);
    if (reason) result.skipped.set(path, reason);
    else if (entry) fileBlobs.set(path, entry.sha);
  });
  await Promise.all(
    dirs.map(async (path, i) => {
      const { entry, refused } = foundDirs[i]!;
      const reason = refused ?? (entry && entry.mode !== TREE ? notAFolder(entry.mode) : undefined);
      result.dirs.set(path, null);
      if (reason) result.skipped.set(path, reason);
      if (!entry || reason) return;
      const listed: { name: string; sha?: string; skipped?: string }[] = [];
      for (const [name, e] of await list(entry.sha)) {
        if (e.mode === TREE) continue;
        const why = notAFile(e.mode);
        listed.push(why ? { name, skipped: why } : { name, sha: e.sha });
      }
      dirBlobs.set(path, listed);
    }),
  );

  const shas = new Set([...fileBlobs.values(), ...[...dirBlobs.values()].flatMap((l) => l.flatMap((e) => (e.sha ? [e.sha] : [])))]);
  const sizes = shas.size > 0 ? await blobSizes(repoDir, [...shas]) : new Map<string, number>();
  const blobs = await readBlobs(repoDir, [...shas].filter((sha) => (sizes.get(sha) ?? Infinity) <= maxBytes));
  const read = (sha: string): { text: string } | { skipped: string } => {
    const size = sizes.get(sha) ?? 0;
    if (size > maxBytes) return { skipped: tooLargeReason(size, maxBytes) };
    const bytes = blobs.get(sha);
    if (!bytes) return { skipped: 'could not be read from git' };
    return decodeText(bytes);
  };

  for (const [path, sha] of fileBlobs) {
    const r = read(sha);
    if ('text' in r) result.files.set(path, r.text);
    else result.skipped.set(path, r.skipped);
  }
  for (const [path, listed] of dirBlobs) {
    result.dirs.set(
      path,
      listed.map(({ name, sha, skipped }) => {
        const r = sha ? read(sha) : { skipped: skipped! };
        return 'text' in r ? { name, text: r.text } : { name, text: null, skipped: r.skipped };
      }),
    );
  }
  return result;
}

interface Found {
  entry?: TreeEntry;
  refused?: string;
}

function notAFile(mode: string): string | undefined {
  if (mode === SYMLINK) return 'symbolic link (not followed)';
  if (mode === GITLINK) return 'submodule';
  if (mode === TREE) return 'not a file (a folder)';
  return undefined;
}

function notAFolder(mode: string): string {
  if (mode === SYMLINK) return 'symbolic link (not followed)';
  if (mode === GITLINK) return 'submodule';
  return 'not a folder (a file)';
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
    if (e instanceof GitError && !(e instanceof MissingObjectsError)) throw new GitError(`${what} ref "${ref}" does not name a commit in ${repoDir}`);
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
  } catch (e) {
    if (e instanceof MissingObjectsError) throw e;
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

/**
 * Git's environment: ours, without GIT_* variables that could redirect it, and no system config.
 * The rest keeps every git we start, and every git those start (a lazy fetch is a child
 * `git fetch`, which inherits this environment and our `-c` settings), from reaching a remote:
 */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_OPTIONAL_LOCKS = '0';
  // A partial clone fetches the objects it lacks as soon as a command needs one. This turns that
  // off (git 2.44, and the 2.39.4+ maintenance releases); the objects are then reported missing.
  env.GIT_NO_LAZY_FETCH = '1';
  // For gits that ignore the above: the only transport allowed is one named "none/", which no URL
  // or `remote.*.vcs` can name a runnable helper for (`git-remote-none/` is a folder path). Unlike
  // `-c protocol.allow=never`, this also overrides the repository's own `protocol.<name>.allow`
  // (`protocol.ext.allow=always` would let an `ext::` URL run any command).
  env.GIT_ALLOW_PROTOCOL = 'none/';
  // These win over configuration even when empty, and empty runs nothing: the repository's
  // `core.sshCommand`, its `core.gitProxy` (the first value found wins there, so a `-c` after the
  // repository's cannot override it) and its `core.askPass`.
  env.GIT_SSH_COMMAND = '';
  env.GIT_PROXY_COMMAND = '';
  env.GIT_ASKPASS = '';
  env.LC_ALL = 'C';
  return env;
}

/**
 * Configuration over the repository's (`-c` comes last, and the last value wins), for each key
 * that could make one of the commands we run (rev-parse, symbolic-ref, merge-base, diff, ls-tree,
 * cat-file), or a lazy fetch they start, run a program.
 *
 * Not here, because they cannot run here: `core.pager`/`pager.*` (`--no-pager`), `diff.external`
 * and `diff.<driver>.command` (`--no-ext-diff`), `diff.<driver>.textconv` (`--no-textconv`),
 * `diff.submodule` (`--submodule=short`), `filter.<driver>.*` (only between the working tree and
 * the index, or `cat-file --filters`), `core.editor`/`sequence.editor` (nothing edits),
 * `gpg.program` and `gpg.*.program` (nothing verifies signatures), `merge.<driver>.driver`
 * (merge-base does not merge), `uploadpack.packObjectsHook` (read from protected configuration
 * only, and upload-pack never runs). `remote.*.uploadpack` and `remote.*.vcs` are not blocked by
 * key (the remote names are the repository's) but by the transport: no transport is allowed.
 */
const SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'core.fsmonitor=false',
  '-c', 'core.quotePath=false',
  '-c', 'diff.noprefix=false',
  // Second to GIT_ALLOW_PROTOCOL, which wins over it, and over the repository's
  // `protocol.<name>.allow`, which this does not.
  '-c', 'protocol.allow=never',
  // The ssh a transport would start; GIT_SSH_COMMAND overrides it too.
  '-c', 'core.sshCommand=',
  // Programs asked for credentials when a remote wants them; the empty value empties the list of helpers.
  '-c', 'credential.helper=',
  '-c', 'core.askPass=',
  // Run by a fetch (lazy or not) to list the refs of an alternate object store.
  '-c', 'core.alternateRefsCommand=',
  // A fetch ends with automatic maintenance (`git maintenance run --auto`, gc and its hooks).
  '-c', 'gc.auto=0',
  '-c', 'maintenance.auto=false',
];

/** The command line and environment of a git command (exported for tests). */
export function gitInvocation(args: string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { command: 'git', args: ['--no-pager', ...SAFE_CONFIG, ...args], env: gitEnv() };
}

function spawnGit(repoDir: string, args: string[]) {
  const invocation = gitInvocation(args);
  return spawn(invocation.command, invocation.args, {
    cwd: repoDir,
    env: invocation.env,
    shell: false,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** Objects the commands need are not in the repository, and were not fetched. */
class MissingObjectsError extends GitError {
  constructor() {
    super('the clone is missing objects (a partial clone?): fetch them first (git fetch --refetch --no-filter, or clone without --filter); nothing was fetched');
  }
}

/**
 * What git says when an object is not there: a partial clone's lazy fetch that was not allowed
 * (turned off, or no transport), or an object missing from a complete clone (diff, ls-tree).
 */
const MISSING_OBJECT = /from promisor remote|lazy fetching disabled|unable to read (?:tree )?[0-9a-f]{40}|not a tree object/;

function failure(command: string, stderr: Buffer[], code: number | null): GitError {
  const text = Buffer.concat(stderr).toString('utf8');
  if (MISSING_OBJECT.test(text)) return new MissingObjectsError();
  return new GitError(`git ${command} failed: ${firstLine(text) || `exit code ${code}`}`);
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
      else reject(failure(args[0] ?? '', err, code));
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
    if (type === 'missing') throw new MissingObjectsError();
    if (sha && type === 'blob' && size !== undefined) sizes.set(sha, Number(size));
  }
  return sizes;
}

/**
 * Contents of blobs, through one `git cat-file --batch` process, parsed as it streams. A blob the
 * repository does not have fails the read (MissingObjectsError): it would otherwise read as a file
 * that cannot be reviewed, when the clone is only incomplete.
 */
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
    let missing = false;

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
          if (type === 'missing') missing = true;
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
      if (code !== 0) reject(failure('cat-file', err, code));
      else if (missing) reject(new MissingObjectsError());
      else resolve(blobs);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(shas.join('\n') + '\n');
  });
}

