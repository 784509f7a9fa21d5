/**
 * What every source (git, directory, GitHub) adds around the changed files, decided once:
 *
 * - which unchanged files are read as context for repository rules. Lazily: only files a kind the
 *   plan's repository rules read could be (`plan.context.kinds`, by path), never a symbolic link or
 *   submodule, never one over the size cap, at most `limit` of them. Whenever a file that could
 *   matter is left out, the context is incomplete, and a repository rule that finds nothing is then
 *   unknown instead of a (false) failure.
 * - the base side's tree, so repository rules on the base see the repository as it was.
 */
import { isContextPath } from '../formats/index.js';
import type { FileChange } from '../model.js';
import type { ReviewPlan } from '../plan.js';

/** A path of the head tree as a source lists it. */
export interface TreeEntry {
  path: string;
  /** Bytes, when the listing gives them. */
  size?: number | undefined;
  /** A symbolic link, submodule or anything else that is not a regular file: never read. */
  special: boolean;
}

export interface ContextSelection {
  /** Paths to read, in path order. */
  paths: string[];
  /** False when a file that could matter was left out (too large, a link, over the limit). */
  complete: boolean;
}

export function selectContext(
  entries: Iterable<TreeEntry>,
  changed: ReadonlySet<string>,
  plan: Pick<ReviewPlan, 'wanted' | 'context'>,
  limits: { maxBytes: number; maxFiles: number },
): ContextSelection {
  const kinds = plan.context.kinds;
  if (kinds.size === 0) return { paths: [], complete: true };
  const candidates: TreeEntry[] = [];
  for (const e of entries) {
    if (!changed.has(e.path) && plan.wanted(e.path) && isContextPath(e.path, kinds)) candidates.push(e);
  }
  candidates.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let complete = true;
  const paths: string[] = [];
  for (const e of candidates) {
    if (e.special || (e.size !== undefined && e.size > limits.maxBytes)) {
      complete = false;
      continue;
    }
    if (paths.length >= limits.maxFiles) {
      complete = false;
      break;
    }
    paths.push(e.path);
  }
  return { paths, complete };
}

/**
 * The base side's tree, from the head's and the change: what the change added or renamed to is
 * not there, what it removed or renamed from is.
 */
export function baseTreeOf(headTree: readonly string[], files: readonly Pick<FileChange, 'path' | 'status' | 'previousPath'>[]): string[] {
  const gone = new Set<string>();
  const back: string[] = [];
  for (const f of files) {
    if (f.status === 'added') gone.add(f.path);
    else if (f.status === 'renamed' && f.previousPath !== undefined) {
      gone.add(f.path);
      back.push(f.previousPath);
    } else if (f.status === 'removed') back.push(f.path);
  }
  const out = headTree.filter((p) => !gone.has(p));
  const present = new Set(out);
  for (const p of back) if (!present.has(p)) out.push(p);
  return out.sort();
}
