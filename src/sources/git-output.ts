/**
 * Parsers of the output of the git commands the git source (git.ts) runs: `diff --raw -z`,
 * `ls-tree -z` and a multi-file `diff --patch`.
 */
import type { FileStatus } from '../model.js';

export interface RawEntry {
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

export interface TreeEntry {
  mode: string;
  sha: string;
  size?: number | undefined;
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
