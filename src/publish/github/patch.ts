/**
 * Unified diff -> the lines a review comment can be anchored on. Pure.
 *
 * GitHub accepts a review comment with `side: RIGHT` on any line its file diff shows on the new
 * side: added (`+`) and context (` `) lines inside a hunk. A multi-line comment (`start_line` ..
 * `line`) must lie within one hunk. Anything else is rejected with 422, and one bad anchor rejects
 * the whole review, so anchors are checked here before posting.
 */

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** New-side line numbers the hunk shows (context and added), ascending. */
  right: number[];
  /** New-side line numbers the hunk adds. */
  added: number[];
}

export interface PatchLines {
  hunks: Hunk[];
  /** Every new-side line shown by some hunk. */
  right: Set<number>;
  /** Every added line. */
  added: Set<number>;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Parses a file's unified diff (GitHub's `patch` of `pulls.listFiles`, or `git diff` output for one
 * file). Lines before the first hunk header (`diff --git`, `---`, `+++`) are ignored; so are
 * `\ No newline at end of file` markers. A missing patch (binary, too large, a pure rename) shows
 * no lines.
 */
export function parsePatch(patch: string | null | undefined): PatchLines {
  const out: PatchLines = { hunks: [], right: new Set(), added: new Set() };
  if (!patch) return out;
  let hunk: Hunk | null = null;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  for (const raw of patch.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const header = HUNK_HEADER.exec(line);
    if (header) {
      const oldLines = header[2] === undefined ? 1 : Number(header[2]);
      const newLines = header[4] === undefined ? 1 : Number(header[4]);
      hunk = { oldStart: Number(header[1]), oldLines, newStart: Number(header[3]), newLines, right: [], added: [] };
      out.hunks.push(hunk);
      oldLeft = oldLines;
      newLeft = newLines;
      newLine = hunk.newStart;
      continue;
    }
    if (!hunk || (oldLeft <= 0 && newLeft <= 0)) continue;
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    const tag = line[0];
    if (tag === '+') {
      hunk.right.push(newLine);
      hunk.added.push(newLine);
      out.right.add(newLine);
      out.added.add(newLine);
      newLine++;
      newLeft--;
    } else if (tag === '-') {
      oldLeft--;
    } else if (tag === ' ' || line === '') {
      // A context line; some tools strip the single space of an empty context line.
      hunk.right.push(newLine);
      out.right.add(newLine);
      newLine++;
      newLeft--;
      oldLeft--;
    }
  }
  return out;
}

/** Index of the hunk that shows new-side line `line`, or -1. */
export function hunkIndex(p: PatchLines, line: number): number {
  return p.hunks.findIndex((h) => h.right.includes(line));
}

/**
 * Whether a RIGHT-side comment on `startLine`..`line` can be posted: both ends shown by the same
 * hunk (hunks show contiguous new-side lines, so every line between is shown too).
 */
export function canAnchor(p: PatchLines, startLine: number, line: number): boolean {
  if (!Number.isInteger(startLine) || !Number.isInteger(line) || startLine < 1 || startLine > line) return false;
  const h = hunkIndex(p, line);
  return h !== -1 && p.hunks[h]!.right.includes(startLine);
}
