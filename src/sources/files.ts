/**
 * What every local source shares: which files are read (binary and size checks), which are
 * reviewed at all (`paths.include` / `paths.exclude` of the configuration), and which unchanged
 * files are worth handing to repository-level rules as context.
 */
import picomatch from 'picomatch';
import type { Config } from '../config/schema.js';

/** Files larger than this are not read (DESIGN §8: default 1 MB). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Git's heuristic: a NUL byte in the first 8000 bytes makes a file binary. We look at 8 KB. */
export const BINARY_SNIFF_BYTES = 8192;

/** At most this many unchanged files are read as context for repository-level rules. */
export const MAX_CONTEXT_FILES = 2000;

export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

export function tooLargeReason(size: number, max = MAX_FILE_BYTES): string {
  return `larger than ${formatBytes(max)} (${formatBytes(size)})`;
}

export const BINARY_REASON = 'binary file';

/**
 * Decides whether file content is read as text: returns the text, or the reason it is skipped.
 * `size` lets callers pass the real size when they did not read the whole file.
 */
export function readableText(bytes: Uint8Array, size = bytes.length, max = MAX_FILE_BYTES): { text: string } | { skipped: string } {
  if (size > max) return { skipped: tooLargeReason(size, max) };
  if (isBinary(bytes)) return { skipped: BINARY_REASON };
  return { text: decoder.decode(bytes) };
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}

export type PathFilter = (path: string) => boolean;

/**
 * `paths.include` / `paths.exclude` of the configuration as a predicate over repository-relative,
 * `/`-separated paths. Globs are picomatch globs with `dot: true` (so `**` covers `.github/`).
 */
export function pathFilter(config?: Pick<Config, 'paths'>): PathFilter {
  if (!config) return () => true;
  const include = config.paths.include.length > 0 ? picomatch(config.paths.include, { dot: true }) : () => false;
  const exclude = config.paths.exclude.length > 0 ? picomatch(config.paths.exclude, { dot: true }) : () => false;
  return (path) => include(path) && !exclude(path);
}

/** Directories a directory walk never enters. */
export const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

const CONTEXT_SUFFIXES = ['.tf', '.yaml', '.yml', '.json', '.md', '.tpl'];

/**
 * Unchanged files whose text repository-level rules may need: the kinds of file artifacts are
 * made of (Terraform, YAML, JSON, Markdown, MLproject).
 */
export function looksLikeContextArtifact(path: string): boolean {
  const lower = path.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  if (base === 'mlproject') return true;
  return CONTEXT_SUFFIXES.some((s) => base.endsWith(s));
}

/** Converts an OS path to the `/`-separated form used in change sets. */
export function toPosix(path: string): string {
  return path.split('\\').join('/');
}
