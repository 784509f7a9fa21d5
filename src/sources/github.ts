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
 *   in the same query, at most 50 files a query: ceil((a + context)/50). Anything the caller also
 *   needs from the default branch (custom rules, templates, CODEOWNERS) rides in the first query;
 * - `git.getBlob` only for a blob GraphQL returned truncated.
 * Files whose path no artifact kind accepts are listed but never fetched.
 */
import type { Octokit } from '@octokit/rest';
import type { Config } from '../config/schema.js';
import type { ChangeSet, FileChange, FileStatus } from '../model.js';
import { isArtifactPath } from '../formats/index.js';
import {
  BINARY_REASON,
  isBinary,
  MAX_FILE_BYTES,
  pathFilter,
  readableText,
  tooLargeReason,
} from './files.js';

export interface RepoTarget {
  octokit: Octokit;
  owner: string;
  repo: string;
}

/** `pulls.listFiles` returns at most this many files. */
export const MAX_LISTED_FILES = 3000;
export const FILES_PER_PAGE = 100;
/** Files (head and base of each) per GraphQL query. */
export const FILES_PER_QUERY = 50;
/** A query is also split when the files it would return are estimated larger than this. */
export const MAX_QUERY_BYTES = 8 * 1024 * 1024;
/** Unchanged files read as context for repository rules, at most (4 queries). */
export const MAX_CONTEXT_FILES = 200;

const SYMLINK = '120000';
/** GraphQL gives tree entry modes as numbers: 0o120000. */
const SYMLINK_MODE = 0o120000;
const ZERO_SHA = /^0+$/;

/** A changed file as `pulls.listFiles` (or `repos.compareCommits`) gives it. */
export interface ListedFile {
  filename: string;
  status: string;
  previous_filename?: string | undefined;
  patch?: string | undefined;
  sha?: string | null | undefined;
}



// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

function hasNextPage(link: string | undefined): boolean {
  return typeof link === 'string' && /rel="next"/.test(link);
}

/** The pull request's changed files, 100 a page, at most 3000 (GitHub's cap). */
export async function listPullRequestFiles(gh: RepoTarget, pullNumber: number): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  for (let page = 1; out.length < MAX_LISTED_FILES; page++) {
    const res = await gh.octokit.rest.pulls.listFiles({
      owner: gh.owner,
      repo: gh.repo,
      pull_number: pullNumber,
      per_page: FILES_PER_PAGE,
      page,
    });
    out.push(...res.data);
    if (res.data.length === 0 || !hasNextPage(res.headers.link)) break;
  }
  return out.slice(0, MAX_LISTED_FILES);
}

/** Files changed between two commits (for pushes the payload does not describe), at most 3000. */
export async function compareFiles(gh: RepoTarget, base: string, head: string): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  for (let page = 1; out.length < MAX_LISTED_FILES; page++) {
    const res = await gh.octokit.rest.repos.compareCommitsWithBasehead({
      owner: gh.owner,
      repo: gh.repo,
      basehead: `${base}...${head}`,
      per_page: FILES_PER_PAGE,
      page,
    });
    const files = res.data.files ?? [];
    out.push(...files);
    if (files.length === 0 || !hasNextPage(res.headers.link)) break;
  }
  return out.slice(0, MAX_LISTED_FILES);
}

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size?: number | undefined;
}

export interface Tree {
  entries: Map<string, TreeEntry>;
  /** GitHub cut the listing (over 100 000 entries or 7 MB). */
  truncated: boolean;
}

/** Every path of a commit's tree, in one call. */
export async function readTree(gh: RepoTarget, sha: string): Promise<Tree> {
  const res = await gh.octokit.rest.git.getTree({ owner: gh.owner, repo: gh.repo, tree_sha: sha, recursive: '1' });
  const entries = new Map<string, TreeEntry>();
  for (const e of res.data.tree) {
    if (e.path === undefined || e.type === 'tree') continue;
    entries.set(e.path, { mode: e.mode ?? '', type: e.type ?? 'blob', sha: e.sha ?? '', size: e.size });
  }
  return { entries, truncated: res.data.truncated };
}

// ---------------------------------------------------------------------------------------------
// Batched contents through GraphQL
// ---------------------------------------------------------------------------------------------

/** One object to read: `<sha or branch>:<path>`; `tree` lists a folder's files with their texts. */
export interface ObjectSpec {
  expression: string;
  tree?: boolean;
}

export interface FetchedBlob {
  type: 'blob';
  oid: string;
  byteSize: number;
  isBinary: boolean | null;
  isTruncated: boolean;
  text: string | null;
}

export type FetchedObject =
  | FetchedBlob
  | { type: 'missing' }
  | { type: 'other'; typename: string }
  | { type: 'tree'; entries: { name: string; type: string; mode: number; blob: FetchedBlob | null }[] };

const BLOB_FIELDS = 'oid byteSize isBinary isTruncated text';

/** The GraphQL document for one batch (expressions are variables, so no path is ever spliced in). */
export function objectsQuery(specs: readonly ObjectSpec[]): string {
  const vars = specs.map((_, i) => `$e${i}: String!`).join(', ');
  const fields = specs
    .map((s, i) =>
      s.tree
        ? `    o${i}: object(expression: $e${i}) { __typename ... on Tree { entries { name type mode object { __typename ... on Blob { ${BLOB_FIELDS} } } } } }`
        : `    o${i}: object(expression: $e${i}) { __typename ... on Blob { ${BLOB_FIELDS} } }`,
    )
    .join('\n');
  return `query MlLensObjects($owner: String!, $name: String!${vars ? `, ${vars}` : ''}) {\n  repository(owner: $owner, name: $name) {\n${fields}\n  }\n}`;
}

interface RawBlob {
  __typename?: string;
  oid?: string;
  byteSize?: number;
  isBinary?: boolean | null;
  isTruncated?: boolean;
  text?: string | null;
}
interface RawObject extends RawBlob {
  entries?: { name: string; type: string; mode?: number; object: RawBlob | null }[];
}

function toBlob(raw: RawBlob): FetchedBlob {
  return {
    type: 'blob',
    oid: raw.oid ?? '',
    byteSize: raw.byteSize ?? 0,
    isBinary: raw.isBinary ?? null,
    isTruncated: raw.isTruncated ?? false,
    text: raw.text ?? null,
  };
}

function toObject(raw: RawObject | null | undefined): FetchedObject {
  if (!raw) return { type: 'missing' };
  if (raw.__typename === 'Blob') return toBlob(raw);
  if (raw.__typename === 'Tree') {
    return {
      type: 'tree',
      entries: (raw.entries ?? []).map((e) => ({
        name: e.name,
        type: e.type,
        mode: e.mode ?? 0,
        blob: e.object && e.object.__typename === 'Blob' ? toBlob(e.object) : null,
      })),
    };
  }
  return { type: 'other', typename: raw.__typename ?? 'unknown' };
}

function isTimeout(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  return status === 502 || status === 504;
}

/**
 * Runs one GraphQL query per batch and returns the objects in the same shape. A batch GitHub
 * times out on (502/504) is split in two and retried, down to single objects.
 */
export async function fetchObjects(gh: RepoTarget, batches: readonly (readonly ObjectSpec[])[]): Promise<FetchedObject[][]> {
  const out: FetchedObject[][] = [];
  for (const batch of batches) out.push(await fetchBatch(gh, batch));
  return out;
}

async function fetchBatch(gh: RepoTarget, specs: readonly ObjectSpec[]): Promise<FetchedObject[]> {
  if (specs.length === 0) return [];
  const variables: Record<string, string> = { owner: gh.owner, name: gh.repo };
  specs.forEach((s, i) => (variables[`e${i}`] = s.expression));
  try {
    const data = await gh.octokit.graphql<{ repository: Record<string, RawObject | null> | null }>(objectsQuery(specs), variables);
    const repo = data.repository ?? {};
    return specs.map((_, i) => toObject(repo[`o${i}`]));
  } catch (e) {
    if (!isTimeout(e) || specs.length === 1) throw e;
    const half = Math.ceil(specs.length / 2);
    return [...(await fetchBatch(gh, specs.slice(0, half))), ...(await fetchBatch(gh, specs.slice(half)))];
  }
}

/**
 * A blob's text, or why it is not read. Truncated texts, and blobs whose encoding GitHub could not
 * tell, are read again through `git.getBlob` and decoded here (UTF-16 included).
 */
export async function blobText(gh: RepoTarget, blob: FetchedBlob, maxBytes = MAX_FILE_BYTES): Promise<{ text: string } | { skipped: string }> {
  if (blob.byteSize > maxBytes) return { skipped: tooLargeReason(blob.byteSize, maxBytes) };
  if (blob.isBinary === true) return { skipped: BINARY_REASON };
  if (blob.text !== null && !blob.isTruncated) {
    return isBinary(encoder.encode(blob.text.slice(0, 8192))) ? { skipped: BINARY_REASON } : { text: blob.text };
  }
  const res = await gh.octokit.rest.git.getBlob({ owner: gh.owner, repo: gh.repo, file_sha: blob.oid });
  const bytes = res.data.encoding === 'base64' ? Buffer.from(res.data.content, 'base64') : Buffer.from(res.data.content, 'utf8');
  return readableText(bytes, res.data.size ?? bytes.length, maxBytes);
}

const encoder = new TextEncoder();

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
  /** `paths.include` / `paths.exclude`: other files are not part of the change set. */
  config?: Pick<Config, 'paths'>;
  /** Files over this size are skipped (default 1 MB). */
  maxBytes?: number;
  /** Unchanged artifact-like files of the head tree read as context (default 200; 0: none). */
  maxContextFiles?: number;
  /** Read these from another ref in the first query. */
  extras?: ExtrasRequest;
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

function statusOf(s: string): FileStatus {
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
export async function buildChangeSet(gh: RepoTarget, input: ChangeInput, options: SourceOptions = {}): Promise<GitHubChange> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const maxContext = options.maxContextFiles ?? MAX_CONTEXT_FILES;
  const include = pathFilter(options.config);
  const tree = input.tree.entries;
  const patches = new Map<string, string>();

  const planned: Planned[] = [];
  for (const f of input.files) {
    const previous = f.previous_filename ?? undefined;
    if (!include(f.filename) && !(previous !== undefined && include(previous))) continue;
    const status = statusOf(f.status);
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
    // Paths no artifact kind reads (FormatModule.accepts) are listed, never fetched.
    if (!isArtifactPath(f.filename) && !(previous !== undefined && isArtifactPath(previous))) continue;
    if (entry?.size !== undefined && entry.size > maxBytes) {
      change.skipped = tooLargeReason(entry.size, maxBytes);
      continue;
    }
    if (status !== 'removed') {
      p.head = { spec: { expression: `${input.headSha}:${f.filename}` } };
      p.bytes += entry?.size ?? 0;
    }
    if (input.baseSha !== undefined && status !== 'added') {
      p.base = { spec: { expression: `${input.baseSha}:${change.previousPath ?? f.filename}` } };
      p.bytes += entry?.size ?? 0;
    }
  }

  // Context: unchanged artifact-like files of the head tree, for repository-level rules.
  const changed = new Set(input.files.flatMap((f) => [f.filename, f.previous_filename ?? f.filename]));
  let contextComplete = !input.tree.truncated && (input.truncated ?? 0) === 0;
  const context: { path: string; spec: ObjectSpec; bytes: number; result?: FetchedObject }[] = [];
  const candidates = [...tree.entries()]
    .filter(([p, e]) => !changed.has(p) && e.type === 'blob' && e.mode !== SYMLINK && isArtifactPath(p) && include(p))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [path, e] of candidates) {
    if (e.size !== undefined && e.size > maxBytes) {
      contextComplete = false;
      continue;
    }
    if (context.length >= maxContext) {
      contextComplete = false;
      break;
    }
    context.push({ path, spec: { expression: `${input.headSha}:${path}` }, bytes: e.size ?? 0 });
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

  const contextFiles: { path: string; text: string }[] = [];
  for (const c of context) {
    const r = await read(c.result);
    if (r && 'text' in r) contextFiles.push({ path: c.path, text: r.text });
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

  const meta: ChangeSet['meta'] = { source: 'github', head: input.headSha };
  if (input.baseSha !== undefined) meta.base = input.baseSha;
  if (input.title !== undefined) meta.title = input.title;
  const changeSet: ChangeSet = {
    files: planned.map((p) => p.change),
    tree: [...tree.keys()],
    context: contextFiles,
    contextComplete,
    meta,
  };
  if (input.truncated) changeSet.truncated = input.truncated;
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
export async function pullRequestChangeSet(gh: RepoTarget, pr: PullRequestRef, options: SourceOptions = {}): Promise<GitHubChange> {
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
export async function pushChangeSet(gh: RepoTarget, push: PushRef, options: SourceOptions = {}): Promise<GitHubChange> {
  const [tree, listed] = await Promise.all([
    readTree(gh, push.after),
    push.paths !== undefined || ZERO_SHA.test(push.before) ? Promise.resolve(undefined) : compareFiles(gh, push.before, push.after),
  ]);
  // A renamed file's old path is gone: whatever was tracked there can be closed.
  const paths = push.paths ?? listed?.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])) ?? [];
  const files: ListedFile[] = [...new Set(paths)].sort().map((p) => ({ filename: p, status: tree.entries.has(p) ? 'modified' : 'removed' }));
  return buildChangeSet(gh, { files, headSha: push.after, tree }, options);
}
