/**
 * A pull request (or a push) read through the GitHub API as a ChangeSet, by commit SHA only: fork
 * pull requests read the same way (the base repository holds their commits) and nothing from the
 * repository is ever run.
 *
 * Requests, for a change of n files of which a are artifact-looking:
 * - `pulls.listFiles`, 100 a page: ceil(n/100) (GitHub lists at most 3000; the rest is counted in
 *   `truncated`);
 * - `git.getTree` of the head, recursive: 1 (every path, mode and size: repository rules,
 *   symbolic links, submodules and oversized files are known before anything is fetched);
 * - GraphQL `repository { object(expression: "<sha>:<path>") }` aliases, head and base of a file
 *   in the same query, at most FILES_PER_QUERY (300) files a query: ceil((a + context)/300). Anything the caller also
 *   needs from the default branch (custom rules, templates, CODEOWNERS) rides in the first query,
 *   and so do the head's `.gitattributes` files above the changed files (at most 20; a request of
 *   their own only when no content is fetched but a file that is listed, an oversized one say);
 * - `git.getBlob` only for a blob GraphQL returned truncated.
 * Files whose path no artifact kind accepts are listed but never fetched.
 */
import type { ChangeSet, ContextFact, FileChange, FileStatus } from '../model.js';
import type { ContextBlob } from '../parse-cache.js';
import { isArtifactPath, kindReads } from '../formats/index.js';
import type { SourcePlan } from '../plan.js';
import { attributesFilesFor } from '../gitattributes.js';
import { baseTreeOf, selectContext } from './context.js';
import { MAX_FILE_BYTES, tooLargeReason } from './files.js';
import { listPullRequestFiles, compareFiles, readTree, type ListedFile, type RepoTarget, type Tree } from './github-listing.js';
import { blobText, fetchObjects, type FetchedObject, type ObjectSpec } from './github-objects.js';

export { compareFiles, FILES_PER_PAGE, listPullRequestFiles, MAX_LISTED_FILES, readTree } from './github-listing.js';
export type { ListedFile, RepoTarget, Tree, TreeEntry } from './github-listing.js';
export { blobText, fetchObjects, objectsQuery } from './github-objects.js';
export type { FetchedBlob, FetchedObject, ObjectSpec } from './github-objects.js';

/**
 * Files (head and base of each) per GraphQL query: 600 `object` lookups, far from GitHub's node
 * limit (they are not connections) and, for the text of small IaC files, a response of a few
 * hundred kilobytes. A 300-file pull request is read in one query whatever its mix, which keeps
 * a whole review within 15 requests (test/app/budget.test.ts). A batch GitHub times out on is split
 * and read again (github-objects.ts), so a large batch costs a retry, never the review.
 */
export const FILES_PER_QUERY = 300;
/** A query is also split when the files it would return are estimated larger than this. */
export const MAX_QUERY_BYTES = 4 * 1024 * 1024;

const SYMLINK = '120000';
/** GraphQL gives tree entry modes as numbers: 0o120000. */
const SYMLINK_MODE = 0o120000;
const ZERO_SHA = /^0+$/;

// ---------------------------------------------------------------------------------------------
// ChangeSet
// ---------------------------------------------------------------------------------------------

export interface ExtrasRequest {
  /** A branch name or SHA, e.g. the default branch. */
  ref: string;
  /** Folders whose files are read (one level), e.g. `.github/ml-lens/rules`. */
  dirs: string[];
  /** Single files, e.g. the CODEOWNERS candidates. */
  files: string[];
}

export interface Extras {
  /** Per folder: its files (name and text), or null when the folder does not exist. */
  dirs: Map<string, { name: string; text: string | null; skipped?: string }[] | null>;
  /** Per file: its text, or null when it does not exist or is not readable. */
  files: Map<string, string | null>;
}

export interface SourceOptions {
  /** Files over this size are skipped (default 1 MB). */
  maxBytes?: number;
  /** Which changed files to keep and which unchanged ones to read as context. */
  plan: SourcePlan;
  /** Read these from another ref in the first query. */
  extras?: ExtrasRequest;
  /**
   * What earlier reviews remember of context files (parse-cache.ts), by path: a file it answers
   * for is not fetched. Called once, with every context file the plan reads and its blob id.
   */
  known?: ((files: ContextBlob[]) => Promise<ReadonlyMap<string, ContextFact>>) | undefined;
}

export interface GitHubChange {
  changeSet: ChangeSet;
  /** Patches by head path, as listFiles gave them (inline comments are validated against them). */
  patches: Map<string, string>;
  extras: Extras;
}

export interface ChangeInput {
  files: ListedFile[];
  headSha: string;
  /** The base commit; undefined: base texts are not read (pushes: every finding counts as present). */
  baseSha?: string | undefined;
  tree: Tree;
  /** Files the listing left out (over GitHub's cap). */
  truncated?: number;
  title?: string | undefined;
}

/** Every listed file as a change of the trees (the path filter does not apply: the trees are whole). */
function listedChanges(files: readonly ListedFile[]): { path: string; status: FileStatus; previousPath?: string }[] {
  return files.map((f) => {
    const status = fileStatusOf(f.status);
    return status === 'renamed' && f.previous_filename ? { path: f.filename, status, previousPath: f.previous_filename } : { path: f.filename, status };
  });
}

function fileStatusOf(s: string): FileStatus {
  switch (s) {
    case 'added':
    case 'copied':
      return 'added';
    case 'removed':
      return 'removed';
    case 'renamed':
      return 'renamed';
    case 'unchanged':
      return 'unchanged';
    default:
      return 'modified';
  }
}

interface Planned {
  change: FileChange;
  head?: { spec: ObjectSpec; result?: FetchedObject };
  base?: { spec: ObjectSpec; result?: FetchedObject };
  bytes: number;
}

/** Turns listed files and the head tree into a ChangeSet, reading what it needs in batches. */
export async function buildChangeSet(gh: RepoTarget, input: ChangeInput, options: SourceOptions): Promise<GitHubChange> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const include = options.plan.wanted;
  const tree = input.tree.entries;
  const patches = new Map<string, string>();

  const planned: Planned[] = [];
  for (const f of input.files) {
    const previous = f.previous_filename ?? undefined;
    if (!include(f.filename) && !(previous !== undefined && include(previous))) continue;
    const status = fileStatusOf(f.status);
    const change: FileChange = { path: f.filename, status, head: null, base: null };
    if (previous !== undefined && status === 'renamed') change.previousPath = previous;
    if (f.patch) {
      change.patch = f.patch;
      patches.set(f.filename, f.patch);
    }
    const p: Planned = { change, bytes: 0 };
    planned.push(p);
    const entry = status === 'removed' ? undefined : tree.get(f.filename);
    // Known from the tree, for any path (as the git source reports them).
    if (entry?.type === 'commit') change.skipped = 'submodule';
    else if (entry?.mode === SYMLINK) change.skipped = 'symbolic link';
    if (change.skipped) continue;
    // Paths no artifact kind reads (FormatModule.accepts), and that cannot be ML code the reviewer
    // must say it did not read (formats/unread.ts), are listed, never fetched.
    if (!isArtifactPath(f.filename) && !(previous !== undefined && isArtifactPath(previous))) continue;
    if (entry?.size !== undefined && entry.size > maxBytes) {
      change.skipped = tooLargeReason(entry.size, maxBytes);
      continue;
    }
    if (status !== 'removed') {
      p.head = { spec: { expression: `${input.headSha}:${f.filename}` } };
      p.bytes += entry?.size ?? 0;
    }
    // Only a kind compares the two sides; code read for its imports needs just its head.
    const compared = kindReads(f.filename) || (previous !== undefined && kindReads(previous));
    if (input.baseSha !== undefined && status !== 'added' && compared) {
      p.base = { spec: { expression: `${input.baseSha}:${change.previousPath ?? f.filename}` } };
      p.bytes += entry?.size ?? 0;
    }
  }

  // Context: the unchanged files the plan's repository rules read (sources/context.ts).
  const changed = new Set(input.files.flatMap((f) => [f.filename, f.previous_filename ?? f.filename]));
  const selection = selectContext(
    [...tree].map(([path, e]) => ({ path, size: e.size, special: e.type !== 'blob' || e.mode === SYMLINK })),
    changed,
    options.plan,
    { maxBytes, maxFiles: options.plan.context.maxRemoteFiles },
  );
  let contextComplete = selection.complete && !input.tree.truncated && (input.truncated ?? 0) === 0;
  const blobs = selection.paths.flatMap((path) => {
    const blob = tree.get(path)?.sha;
    return blob ? [{ path, blob }] : [];
  });
  const facts = options.known && blobs.length > 0 ? await options.known(blobs) : new Map<string, ContextFact>();
  const known: { path: string; fact: ContextFact }[] = [];
  const context: { path: string; blob?: string | undefined; spec: ObjectSpec; bytes: number; result?: FetchedObject }[] = [];
  for (const path of selection.paths) {
    const fact = facts.get(path);
    if (fact) known.push({ path, fact });
    else context.push({ path, blob: tree.get(path)?.sha || undefined, spec: { expression: `${input.headSha}:${path}` }, bytes: tree.get(path)?.size ?? 0 });
  }

  // Batches: at most FILES_PER_QUERY files (both sides of each) and MAX_QUERY_BYTES a query.
  type Unit = { specs: { spec: ObjectSpec; set: (o: FetchedObject) => void }[]; bytes: number };
  const units: Unit[] = [];
  for (const p of planned) {
    const specs: Unit['specs'] = [];
    if (p.head) specs.push({ spec: p.head.spec, set: (o) => (p.head!.result = o) });
    if (p.base) specs.push({ spec: p.base.spec, set: (o) => (p.base!.result = o) });
    if (specs.length) units.push({ specs, bytes: p.bytes });
  }
  for (const c of context) units.push({ specs: [{ spec: c.spec, set: (o) => (c.result = o) }], bytes: c.bytes });

  const extras: Extras = { dirs: new Map(), files: new Map() };
  const extraSpecs: Unit['specs'] = [];
  const extraResults = new Map<string, FetchedObject>();
  if (options.extras) {
    const { ref, dirs, files } = options.extras;
    for (const d of dirs) extraSpecs.push({ spec: { expression: `${ref}:${d}`, tree: true }, set: (o) => extraResults.set(`d:${d}`, o) });
    for (const f of files) extraSpecs.push({ spec: { expression: `${ref}:${f}` }, set: (o) => extraResults.set(`f:${f}`, o) });
  }

  // The `.gitattributes` files above the changed files a review would list (what they mark
  // generated is left out), in the first query with the rest; the top one is asked for even when a
  // truncated tree does not list it.
  const listed = planned.filter((p) => p.change.status !== 'removed' && isArtifactPath(p.change.path)).map((p) => p.change.path);
  const candidates = input.tree.truncated ? new Set([...tree.keys(), '.gitattributes']) : tree.keys();
  const attributePaths = listed.length === 0 ? [] : attributesFilesFor(candidates, listed).filter((path) => {
    const e = tree.get(path);
    return e === undefined || (e.type === 'blob' && e.mode !== SYMLINK && (e.size === undefined || e.size <= maxBytes));
  });
  const attributeResults = new Map<string, FetchedObject>();
  for (const path of attributePaths) extraSpecs.push({ spec: { expression: `${input.headSha}:${path}` }, set: (o) => attributeResults.set(path, o) });

  const batches: Unit['specs'][] = [];
  let current: Unit['specs'] = [...extraSpecs];
  let files = 0;
  let bytes = 0;
  for (const u of units) {
    if (files > 0 && (files >= FILES_PER_QUERY || bytes + u.bytes > MAX_QUERY_BYTES)) {
      batches.push(current);
      current = [];
      files = 0;
      bytes = 0;
    }
    current.push(...u.specs);
    files++;
    bytes += u.bytes;
  }
  if (current.length > 0) batches.push(current);

  const results = await fetchObjects(
    gh,
    batches.map((b) => b.map((s) => s.spec)),
  );
  batches.forEach((b, i) => b.forEach((s, j) => s.set(results[i]![j]!)));

  // Texts.
  const read = async (o: FetchedObject | undefined): Promise<{ text: string } | { skipped: string } | null> => {
    if (!o || o.type === 'missing') return null;
    if (o.type === 'blob') return blobText(gh, o, maxBytes);
    if (o.type === 'other' && o.typename === 'Commit') return { skipped: 'submodule' };
    return { skipped: `not a file (${o.type === 'tree' ? 'a folder' : o.typename})` };
  };

  for (const p of planned) {
    if (p.change.skipped) continue;
    const head = p.head ? await read(p.head.result) : null;
    const base = p.base ? await read(p.base.result) : null;
    // A base that cannot be read (it was binary, or larger) is compared as absent: every finding
    // of the head is then new, which never hides one.
    const skipped = head && 'skipped' in head ? head.skipped : !p.head && base && 'skipped' in base ? base.skipped : undefined;
    if (skipped) {
      p.change.skipped = skipped;
      continue;
    }
    if (head && 'text' in head) p.change.head = head.text;
    else if (p.head) p.change.skipped = 'not found at the head commit';
    if (base && 'text' in base) p.change.base = base.text;
    // A base that is gone (the base branch moved on and deleted the file) reads as none.
  }

  const contextFiles: { path: string; text: string; blob?: string }[] = [];
  for (const c of context) {
    const r = await read(c.result);
    if (r && 'text' in r) contextFiles.push(c.blob ? { path: c.path, text: r.text, blob: c.blob } : { path: c.path, text: r.text });
    else if (!r || !/^binary/.test(r.skipped)) contextComplete = false;
  }

  if (options.extras) {
    for (const d of options.extras.dirs) {
      const o = extraResults.get(`d:${d}`);
      if (!o || o.type !== 'tree') {
        extras.dirs.set(d, null);
        continue;
      }
      const list: { name: string; text: string | null; skipped?: string }[] = [];
      for (const e of o.entries) {
        if (e.type !== 'blob' || !e.blob) continue;
        // A link's blob is its target's name, never the settings it points at: not read.
        if (e.mode === SYMLINK_MODE) {
          list.push({ name: e.name, text: null, skipped: 'symbolic link (not followed)' });
          continue;
        }
        const r = await blobText(gh, e.blob, maxBytes);
        list.push('text' in r ? { name: e.name, text: r.text } : { name: e.name, text: null, skipped: r.skipped });
      }
      extras.dirs.set(d, list);
    }
    for (const f of options.extras.files) {
      const r = await read(extraResults.get(`f:${f}`));
      extras.files.set(f, r && 'text' in r ? r.text : null);
    }
  }

  const attributes: { path: string; text: string }[] = [];
  for (const path of attributePaths) {
    const r = await read(attributeResults.get(path));
    if (r && 'text' in r) attributes.push({ path, text: r.text });
  }

  const meta: ChangeSet['meta'] = { source: 'github', head: input.headSha };
  if (input.baseSha !== undefined) meta.base = input.baseSha;
  if (input.title !== undefined) meta.title = input.title;
  const headTree = [...tree.keys()];
  const changeSet: ChangeSet = {
    files: planned.map((p) => p.change),
    trees: { head: headTree, base: baseTreeOf(headTree, listedChanges(input.files)) },
    context: { kinds: [...options.plan.context.kinds], files: contextFiles, complete: contextComplete },
    meta,
  };
  if (known.length > 0) changeSet.context.known = known;
  if (input.truncated) changeSet.truncated = input.truncated;
  if (attributes.length > 0) changeSet.attributes = { files: attributes };
  return { changeSet, patches, extras };
}

export interface PullRequestRef {
  number: number;
  headSha: string;
  baseSha: string;
  /** `changed_files` of the pull request, to count what is over GitHub's 3000-file cap. */
  changedFiles?: number | undefined;
  title?: string | undefined;
}

/** A pull request as a ChangeSet: listFiles and the head tree (in parallel), then the contents. */
export async function pullRequestChangeSet(gh: RepoTarget, pr: PullRequestRef, options: SourceOptions): Promise<GitHubChange> {
  const [files, tree] = await Promise.all([listPullRequestFiles(gh, pr.number), readTree(gh, pr.headSha)]);
  const truncated = Math.max(0, (pr.changedFiles ?? files.length) - files.length);
  return buildChangeSet(gh, { files, headSha: pr.headSha, baseSha: pr.baseSha, tree, truncated, title: pr.title }, options);
}

export interface PushRef {
  /** The commit pushed (the new tip of the branch). */
  after: string;
  /** The previous tip. */
  before: string;
  /** Paths the push touched, when the payload lists them all; otherwise they are compared. */
  paths?: string[] | undefined;
}

/**
 * The files a push touched, at the pushed commit (head only: what is on the branch now). Paths
 * gone from the tree are `removed`, so whatever was tracked in them can be closed.
 */
export async function pushChangeSet(gh: RepoTarget, push: PushRef, options: SourceOptions): Promise<GitHubChange> {
  const [tree, listed] = await Promise.all([
    readTree(gh, push.after),
    push.paths !== undefined || ZERO_SHA.test(push.before) ? Promise.resolve(undefined) : compareFiles(gh, push.before, push.after),
  ]);
  // A file the comparison says was renamed is one file, at its new path, that knows its old one:
  // its findings keep the identity (and the tracking issues) they had there.
  const renamedFrom = new Map((listed ?? []).filter((f) => f.status === 'renamed' && f.previous_filename).map((f) => [f.filename, f.previous_filename!]));
  const paths = push.paths ?? listed?.map((f) => f.filename) ?? [];
  const files: ListedFile[] = [...new Set(paths)].sort().map((p) => {
    if (!tree.entries.has(p)) return { filename: p, status: 'removed' };
    const from = renamedFrom.get(p);
    return from !== undefined ? { filename: p, status: 'renamed', previous_filename: from } : { filename: p, status: 'modified' };
  });
  return buildChangeSet(gh, { files, headSha: push.after, tree }, options);
}
