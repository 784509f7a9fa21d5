/**
 * A local git range as a ChangeSet, exactly as a pull request from `head` into `base` would see it:
 * the diff from the merge base of the two to `head` (what `git diff base...head` shows), base texts
 * from the merge base, head texts from `head`. Only committed content is read, never the working tree,
 * `.gitattributes` included (those above the changed files, at `head`: src/generated.ts).
 * `readCommitFiles` reads named files and folders of one commit (the configuration and custom rules
 * of the base side) the same way, through trees, never following a symbolic link.
 *
 * The head side can also be the index (`resolveStaged`): what `git commit` would record, against
 * HEAD (or nothing, before the first commit); `readStagedFiles` reads files of it as
 * `readCommitFiles` does of a commit. The working tree is never read.
 *
 * Git runs isolated, and blobs are read in one process (git-process.ts); its output is parsed by
 * git-output.ts.
 */
import type { ChangeSet, FileChange } from '../model.js';
import type { SourcePlan } from '../plan.js';
import { attributesFilesFor } from '../gitattributes.js';
import { baseTreeOf, selectContext } from './context.js';
import { decodeText, pathSegments, MAX_FILE_BYTES, tooLargeReason } from './files.js';
import { parseLsTree, parseRaw, splitPatch, type RawEntry, type TreeEntry } from './git-output.js';
import { blobSizes, git, GitError, MissingObjectsError, readBlobs, type GitOptions } from './git-process.js';

export { parseLsTree, parseRaw, splitPatch } from './git-output.js';
export { git, GitError, gitInvocation, readBlobs } from './git-process.js';

export interface GitSourceOptions {
  /** Base ref; default: the repository's default branch (origin/HEAD, else main, else master). */
  base?: string;
  /** Head ref; default HEAD. */
  head?: string;
  /** Which changed files are part of the change set, and which unchanged ones are read as context. */
  plan: SourcePlan;
  /** Files over this size are skipped (default 1 MB). */
  maxBytes?: number;
  /** Called as files are read. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The range as `resolveRange` resolved it (`base` and `head` are then not looked at): a caller
   * that read the configuration from `range.mergeBase` reviews the change of the same commits.
   */
  range?: GitRange;
  /**
   * Instead of a range: the index against HEAD, as `resolveStaged` read it (`base`, `head` and
   * `range` are then not looked at).
   */
  staged?: StagedChange;
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

/**
 * The index against HEAD, as `git commit` would record it: what `review --staged` reviews. Read once
 * (`resolveStaged`), so that the configuration (`readStagedFiles`) and the change come from the
 * same state of the index.
 */
export interface StagedChange {
  /** HEAD's commit, the base side; null before the first commit (the base side is then empty). */
  base: string | null;
  /** What the source reads: the staged changes, the index's files, the patches. */
  listing: Listing;
}

/** One side against another, as listed by git: the changed files, the head side's files, the patches. */
export interface Listing {
  /** `git diff --raw` from the base side to the head side. */
  entries: RawEntry[];
  /** The head side's files (a commit's `ls-tree -r -l`, or the index), by path; sizes where known. */
  tree: Map<string, TreeEntry>;
  /** Each entry's patch (undefined when the patch could not be split). */
  patches: (string | undefined)[] | undefined;
  /** What the change set's `meta` says the sides are. */
  meta: { base?: string; head: string };
}

/** `meta.head` of a change set read from the index. */
export const INDEX_HEAD = 'index';

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

export async function gitChangeSet(repoDir: string, options: GitSourceOptions): Promise<ChangeSet> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const include = options.plan.wanted;
  const { entries, tree, patches, meta } = options.staged?.listing ?? (await rangeListing(repoDir, options.range ?? (await resolveRange(repoDir, options))));

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

  // Context: the unchanged files the plan's repository rules read (sources/context.ts).
  const changed = new Set(entries.flatMap((e) => (e.previousPath !== undefined ? [e.path, e.previousPath] : [e.path])));
  const selection = selectContext(
    [...tree].map(([path, t]) => ({ path, size: t.size, special: t.mode === GITLINK || t.mode === SYMLINK })),
    changed,
    options.plan,
    { maxBytes, maxFiles: options.plan.context.maxFiles },
  );
  let contextComplete = selection.complete;
  const context = selection.paths.map((path) => ({ path, sha: tree.get(path)!.sha }));
  for (const c of context) if (!wanted.has(c.sha)) wanted.set(c.sha, tree.get(c.path)!.size);
  // The `.gitattributes` files above the changed files (what they mark generated is left out).
  // Git does not follow a `.gitattributes` that is a symbolic link; neither does this.
  const attributePaths = attributesFilesFor(tree.keys(), changes.map((c) => c.change.path)).filter((p) => tree.get(p)!.mode.startsWith('100'));
  for (const p of attributePaths) {
    const t = tree.get(p)!;
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

  const attributes: { path: string; text: string }[] = [];
  for (const path of attributePaths) {
    const r = blobText(tree.get(path)!.sha, wanted, blobs, maxBytes);
    if (r && 'text' in r) attributes.push({ path, text: r.text });
  }

  const headTree = [...tree.keys()];
  const changeSet: ChangeSet = {
    files,
    trees: { head: headTree, base: baseTreeOf(headTree, entries) },
    context: { kinds: [...options.plan.context.kinds], files: contextFiles, complete: contextComplete },
    meta: { source: 'git', ...meta },
  };
  if (attributes.length > 0) changeSet.attributes = { files: attributes };
  return changeSet;
}

/** The diff of a range and its head commit's files. */
async function rangeListing(repoDir: string, { mergeBase, head }: GitRange): Promise<Listing> {
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
  return {
    entries,
    tree: parseLsTree(treeOut.toString('utf8')),
    patches: splitPatch(patchOut.toString('utf8'), entries.length),
    meta: { base: mergeBase, head },
  };
}

/**
 * Reads the index against HEAD: `git diff --cached` (status, renames, the index's blob ids, the
 * patches) and HEAD's tree, to which the staged changes are applied to list the index's files (an
 * unchanged file is HEAD's blob, size included). `indexFile` is the index to read when it is not
 * the repository's own (`GIT_INDEX_FILE`). Before the first commit the base side is empty. An index
 * with unmerged paths (a conflicted merge) is an error, as `git commit` refuses it.
 */
export async function resolveStaged(repoDir: string, options: GitOptions = {}): Promise<StagedChange> {
  await ensureRepository(repoDir);
  const base = await headCommit(repoDir);
  // Without a commit, `git diff --cached` compares the index with nothing (an unborn branch).
  const diffArgs = ['--cached', '--no-color', '--no-ext-diff', '--no-textconv', '--submodule=short', '-M', ...(base ? [base] : []), '--'];
  const [rawOut, treeOut, patchOut] = await Promise.all([
    git(repoDir, ['diff', '--raw', '-z', '--no-abbrev', ...diffArgs], undefined, options),
    base ? git(repoDir, ['ls-tree', '-r', '-l', '-z', '--full-tree', base]) : Promise.resolve(Buffer.alloc(0)),
    git(repoDir, ['diff', '--patch', '--unified=3', ...diffArgs], undefined, options),
  ]);
  const entries = parseRaw(rawOut.toString('utf8'));
  // `git diff --cached --raw` gives an unmerged path as `:<mode> 000000 <sha> 0000... U`.
  const unmerged = entries.filter((e) => e.status !== 'removed' && /^0+$/.test(e.dstMode)).map((e) => e.path);
  if (unmerged.length > 0) {
    const shown = unmerged.slice(0, 3).join(', ') + (unmerged.length > 3 ? ` and ${unmerged.length - 3} more` : '');
    throw new GitError(`the index has unmerged paths (${shown}): resolve the conflicts and stage the result first`);
  }
  const listing: Listing = {
    entries,
    tree: applyChanges(parseLsTree(treeOut.toString('utf8')), entries),
    patches: splitPatch(patchOut.toString('utf8'), entries.length),
    meta: base ? { base, head: INDEX_HEAD } : { head: INDEX_HEAD },
  };
  return { base, listing };
}

/** A tree listing with a diff's changes applied: the head side's files. Changed files' sizes are unknown. */
function applyChanges(tree: Map<string, TreeEntry>, entries: readonly RawEntry[]): Map<string, TreeEntry> {
  let added = false;
  for (const e of entries) {
    if (e.status === 'renamed' && e.previousPath !== undefined) tree.delete(e.previousPath);
    if (e.status === 'removed') tree.delete(e.path);
    else {
      added ||= !tree.has(e.path);
      tree.set(e.path, { mode: e.dstMode, sha: e.dstSha });
    }
  }
  // In path order, as `git ls-tree -r` lists a tree.
  return added ? new Map([...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : tree;
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
  await ensureRepository(repoDir);
  const root = await resolveCommit(repoDir, commit, 'commit');

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
  return readTreeFiles(repoDir, root, list, request);
}

/**
 * Reads files and folders of the index, as `resolveStaged` listed it, exactly as `readCommitFiles`
 * reads them of a commit: the index holds files only, so its folders are made up from their paths
 * (a folder's id is its path) and walked the same way, refusing symbolic links and submodules.
 */
export function readStagedFiles(repoDir: string, staged: StagedChange, request: CommitFilesRequest): Promise<CommitFiles> {
  const folders = new Map<string, Map<string, TreeEntry>>([['', new Map()]]);
  for (const [path, entry] of staged.listing.tree) {
    const segments = path.split('/');
    let folder = '';
    for (let i = 0; i < segments.length; i++) {
      const name = segments[i]!;
      const inner = folder === '' ? name : `${folder}/${name}`;
      const listing = folders.get(folder)!;
      if (i === segments.length - 1) listing.set(name, entry);
      else {
        if (!listing.has(name)) listing.set(name, { mode: TREE, sha: inner });
        if (!folders.has(inner)) folders.set(inner, new Map());
      }
      folder = inner;
    }
  }
  return readTreeFiles(repoDir, '', (folder) => Promise.resolve(folders.get(folder) ?? new Map()), request);
}

/** `readCommitFiles` from the root folder `root`, listing a folder by its id with `list`. */
async function readTreeFiles(
  repoDir: string,
  root: string,
  list: (tree: string) => Promise<Map<string, TreeEntry>>,
  request: CommitFilesRequest,
): Promise<CommitFiles> {
  const maxBytes = request.maxBytes ?? MAX_FILE_BYTES;
  const result: CommitFiles = { files: new Map(), dirs: new Map(), skipped: new Map() };
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

/** HEAD's commit, or null on a branch with no commit yet. */
async function headCommit(repoDir: string): Promise<string | null> {
  try {
    return (await git(repoDir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).toString('utf8').trim();
  } catch (e) {
    if (e instanceof MissingObjectsError) throw e;
    // `--quiet`: exit code 1 and nothing said when HEAD names no commit (an unborn branch).
    if (e instanceof GitError && /exit code 1$/.test(e.message)) return null;
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
