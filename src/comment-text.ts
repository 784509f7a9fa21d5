/**
 * What the comment lexers share (comments.ts, comments-python.ts): a comment line, and turning
 * offsets into lines in one pass.
 */

/** One line of a comment: a comment spanning lines yields one entry per line. */
export interface Comment {
  /** 1-based line in the file. */
  line: number;
  /** The comment's text on that line, without its delimiters (`#`, `//`, `/*`, `<!--`...). */
  text: string;
}

/**
 * Line of an offset, for offsets that never decrease: each call only counts the newlines since the
 * previous one, so a whole file costs one pass however many comments it has.
 */
export function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let nl = text.indexOf('\n');
  return (offset) => {
    while (nl !== -1 && nl < offset) {
      line++;
      nl = text.indexOf('\n', nl + 1);
    }
    return line;
  };
}

/** Adds `text[start, end)` as one entry per line. */
export function addComment(out: Comment[], text: string, start: number, end: number, lineAt: (offset: number) => number): void {
  let from = start;
  for (const piece of text.slice(start, end).split('\n')) {
    out.push({ line: lineAt(from), text: piece.endsWith('\r') ? piece.slice(0, -1) : piece });
    from += piece.length + 1;
  }
}
