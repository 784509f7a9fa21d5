/**
 * What every local source shares: which files are read (binary and size checks), which are
 * reviewed at all (`paths.include` / `paths.exclude` of the configuration), and which unchanged
 * files are worth handing to repository-level rules as context.
 */

/** Files larger than this are not read (DESIGN §8: default 1 MB). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** Git's heuristic: a NUL byte in the first 8000 bytes makes a file binary. We look at 8 KB. */
export const BINARY_SNIFF_BYTES = 8192;


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
 * Text from bytes: UTF-8 (a byte order mark dropped; invalid sequences become U+FFFD and the file
 * is still read, as an editor would show it), or UTF-16 when a byte order mark says so (editors on
 * Windows save YAML and JSON that way; its ASCII is full of NUL bytes, so the binary test comes
 * after). UTF-32 and NUL bytes without a UTF-16 mark are not read, with the reason.
 */
export function decodeText(bytes: Uint8Array): { text: string } | { skipped: string } {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe && bytes[2] === 0 && bytes[3] === 0) || (b0 === 0 && b1 === 0 && bytes[2] === 0xfe && bytes[3] === 0xff)) {
    return { skipped: 'UTF-32 text, which is not supported (save it as UTF-8)' };
  }
  if (b0 === 0xff && b1 === 0xfe) return { text: utf16le.decode(bytes) };
  if (b0 === 0xfe && b1 === 0xff) return { text: utf16be.decode(bytes) };
  if (isBinary(bytes)) return { skipped: BINARY_REASON };
  return { text: utf8.decode(bytes) };
}

/**
 * Decides whether file content is read as text: returns the text, or the reason it is skipped.
 * `size` lets callers pass the real size when they did not read the whole file.
 */
export function readableText(bytes: Uint8Array, size = bytes.length, max = MAX_FILE_BYTES): { text: string } | { skipped: string } {
  if (size > max) return { skipped: tooLargeReason(size, max) };
  return decodeText(bytes);
}

// The decoders drop a byte order mark (`ignoreBOM: false`): parsers never see one.
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf16le = new TextDecoder('utf-16le', { fatal: false });
const utf16be = new TextDecoder('utf-16be', { fatal: false });

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}

/** Directories a directory walk never enters: version control, installed packages, caches. */
export const SKIPPED_DIRS = new Set(['.git', 'node_modules', 'site-packages', '__pycache__', '.venv', '.tox', '.mypy_cache', '.pytest_cache']);

/**
 * Whether a directory walk skips a directory: a name of SKIPPED_DIRS, a copy of the app's own
 * files the CDK makes for deployment (`cdk.out/asset.*`; the synthesized templates next to them
 * are read), or a Python virtual environment (`pyvenv.cfg` at its top, whatever its name).
 */
export function skippedDirectory(name: string, parentName: string, isVirtualEnv: () => boolean): boolean {
  if (SKIPPED_DIRS.has(name)) return true;
  if (parentName === 'cdk.out' && name.startsWith('asset.')) return true;
  return isVirtualEnv();
}

/**
 * The segments of a repository path, or undefined when it is not one that stays inside the
 * repository: absolute, empty, or with `.`, `..` or empty segments. A leading `./` and trailing
 * `/` are dropped first.
 */
export function pathSegments(path: string): string[] | undefined {
  const trimmed = path.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
  if (trimmed === '' || path.startsWith('/') || trimmed.includes('\0')) return undefined;
  const segments = trimmed.split('/');
  return segments.some((s) => s === '' || s === '.' || s === '..') ? undefined : segments;
}

/** Converts an OS path to the `/`-separated form used in change sets. */
export function toPosix(path: string): string {
  return path.split('\\').join('/');
}
