/**
 * The repository's own settings files read from a working tree (for `scan`, `rules`, `explain`):
 * the configuration and the custom rules folder, only from inside the repository and never
 * through a symbolic link, so a repository cannot make the command read (and quote in an error) a
 * file elsewhere on the machine, such as a token or `/proc/self/environ`. The result has the shape
 * of the git source's `readCommitFiles` and the GitHub source's extras, so one function
 * (jobs/setup.ts `repoSetup`) turns any of them into a catalogue.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitFiles } from './git.js';
import { MAX_FILE_BYTES, pathSegments, readableText, tooLargeReason } from './files.js';

const OUTSIDE = 'not a path inside the repository';


type Found = { kind: 'file' | 'dir'; abs: string } | { kind: 'missing' } | { kind: 'refused'; reason: string };

/** Walks `path` from `root` one segment at a time with lstat: a symbolic link anywhere is refused. */
async function locate(root: string, path: string): Promise<Found> {
  // On disk a backslash may be a separator: such a path is not taken as inside the repository.
  const parts = path.includes('\\') ? undefined : pathSegments(path);
  if (!parts) return { kind: 'refused', reason: OUTSIDE };
  let abs = root;
  for (let i = 0; i < parts.length; i++) {
    abs = join(abs, parts[i]!);
    let info;
    try {
      info = await lstat(abs);
    } catch {
      return { kind: 'missing' };
    }
    const last = i === parts.length - 1;
    if (info.isSymbolicLink()) return { kind: 'refused', reason: last ? 'symbolic link (not followed)' : `${parts.slice(0, i + 1).join('/')} is a symbolic link (not followed)` };
    if (last) return info.isFile() ? { kind: 'file', abs } : info.isDirectory() ? { kind: 'dir', abs } : { kind: 'refused', reason: 'not a regular file' };
    if (!info.isDirectory()) return { kind: 'missing' };
  }
  return { kind: 'missing' };
}

/** Reads a regular file without following a link swapped in since it was looked at (O_NOFOLLOW). */
async function readText(abs: string, maxBytes: number): Promise<{ text: string } | { skipped: string }> {
  const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { skipped: 'not a regular file' };
    if (info.size > maxBytes) return { skipped: tooLargeReason(info.size, maxBytes) };
    return readableText(await handle.readFile(), info.size, maxBytes);
  } catch (e) {
    return { skipped: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    await handle.close();
  }
}

export async function readWorkingFiles(
  root: string,
  request: { files?: readonly string[]; dirs?: readonly string[]; maxBytes?: number },
): Promise<CommitFiles> {
  const maxBytes = request.maxBytes ?? MAX_FILE_BYTES;
  const out: CommitFiles = { files: new Map(), dirs: new Map(), skipped: new Map() };
  for (const path of request.files ?? []) {
    const found = await locate(root, path);
    if (found.kind === 'file') {
      const r = await readText(found.abs, maxBytes).catch((e: NodeJS.ErrnoException) => ({ skipped: `cannot be read (${e.code ?? 'error'})` }));
      out.files.set(path, 'text' in r ? r.text : null);
      if ('skipped' in r) out.skipped.set(path, r.skipped);
    } else {
      out.files.set(path, null);
      if (found.kind === 'refused') out.skipped.set(path, found.reason);
      else if (found.kind === 'dir') out.skipped.set(path, 'not a file (a folder)');
    }
  }
  for (const path of request.dirs ?? []) {
    const found = await locate(root, path);
    if (found.kind !== 'dir') {
      out.dirs.set(path, null);
      if (found.kind === 'refused') out.skipped.set(path, found.reason);
      else if (found.kind === 'file') out.skipped.set(path, 'not a folder (a file)');
      continue;
    }
    const list: { name: string; text: string | null; skipped?: string }[] = [];
    const entries = await readdir(found.abs, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.isDirectory()) continue;
      if (e.isSymbolicLink()) list.push({ name: e.name, text: null, skipped: 'symbolic link (not followed)' });
      else if (!e.isFile()) list.push({ name: e.name, text: null, skipped: 'not a regular file' });
      else {
        const r = await readText(join(found.abs, e.name), maxBytes).catch((err: NodeJS.ErrnoException) => ({ skipped: `cannot be read (${err.code ?? 'error'})` }));
        list.push('text' in r ? { name: e.name, text: r.text } : { name: e.name, text: null, skipped: r.skipped });
      }
    }
    out.dirs.set(path, list);
  }
  return out;
}
