/**
 * The comments of Python source (and so of `# ml-lens:ignore` in a `.py` file): `#` to the end of
 * the line, outside strings. A notebook's are those of its code cells, on the notebook's own lines
 * (formats/python/notebook.ts), so a suppression in a cell applies where its findings land.
 * Linear in the text, never throws.
 */
import { addComment, lineCounter, type Comment } from './comment-text.js';
import { looksLikeJson } from './formats/common.js';
import { notebookCode } from './formats/python/notebook.js';

const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NL = 0x0a;

/**
 * `#` comments of Python source, outside strings: single- and triple-quoted, with any prefix (an
 * `r` prefix does not let a backslash end a string early, which is Python's rule too).
 */
export function pythonComments(text: string): Comment[] {
  if (looksLikeJson(text)) return notebookComments(text);
  return sourceComments(text);
}

function notebookComments(text: string): Comment[] {
  let notebook;
  try {
    notebook = notebookCode(text);
  } catch {
    return []; // not notebook JSON: it has no comments
  }
  return sourceComments(notebook.code).map((c) => ({ line: notebook.fileLine(c.line), text: c.text }));
}

function sourceComments(text: string): Comment[] {
  const out: Comment[] = [];
  const lineAt = lineCounter(text);
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === HASH) {
      let end = text.indexOf('\n', i);
      if (end === -1) end = text.length;
      addComment(out, text, i + 1, end, lineAt);
      i = end;
    } else if (c === QUOTE || c === APOSTROPHE) {
      i = endOfPythonString(text, i, c);
    } else i++;
  }
  return out;
}

const APOSTROPHE = 0x27;

/** The offset after the string that opens at `at` (its quote), or the end of the text. */
function endOfPythonString(text: string, at: number, quote: number): number {
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  let i = at + (triple ? 3 : 1);
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === quote && (!triple || (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote))) return i + (triple ? 3 : 1);
    else if (c === NL && !triple) return i; // an unterminated one-line string ends with its line
    else i++;
  }
  return text.length;
}
