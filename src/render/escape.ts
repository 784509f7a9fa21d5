/**
 * Escaping of repository values for Markdown (GitHub Flavored Markdown as GitHub renders it).
 *
 * Every value that comes from a repository (paths, addresses, attribute names, rule texts of custom
 * rules, messages that embed repository values, headings of model cards, gate reasons) goes through
 * `esc` (running text) or `code` (an inline code span) before it reaches a comment, a check run or
 * an issue. Templates are compiled with `noEscape`, so these two functions are the only guard.
 *
 * `esc` works for *inline* use: the result is one line and can be placed in running text, in a
 * list item, in link text or in a table cell. The rules, character by character:
 *
 * - line breaks (`\r\n`, `\r`, `\n`, U+2028/2029, NEL) and tabs become a space; runs of white space
 *   collapse to one; the result is trimmed;
 * - control characters (C0 except those, DEL, C1) and bidirectional overrides/isolates (the
 *   "Trojan Source" characters) are removed;
 * - HTML: `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;` (so no tag, comment, autolink or blockquote);
 * - always backslash-escaped, because they change rendering anywhere in a line:
 *   `\` `` ` `` `*` `[` `]` `|` (table cells) `~` (strikethrough) `$` (GitHub math);
 * - `_` is escaped unless it sits between two letters or digits (`aws_s3_bucket` stays readable:
 *   CommonMark never opens or closes emphasis with an intraword underscore);
 * - at the start of the value only (where a template may put it at the start of a line): `#`
 *   (heading), `-` `+` `=` (list item, thematic break, setext underline), and the `.` or `)` after
 *   leading digits (ordered list); at the end, a `#` (a heading's closing sequence);
 * - `@name` gets a zero-width space after the `@` (`@&#8203;name`), so GitHub notifies nobody;
 *   `#123` likewise (`#&#8203;123`), so no issue gets a cross-reference from a bot comment;
 * - `(` `)` `{` `}` `.` `!` `+` `-` elsewhere are left alone: with `[`, `]` and `<` escaped they
 *   cannot form a link, an image or an autolink, and leaving them keeps paths and expressions
 *   (`infra/main.tf`, `${var.env}`) readable in the raw text;
 * - a bare URL stays as it is: GitHub links it, but the link text is the URL itself, so nothing
 *   can hide where a link goes (and a rule's message may mean to show a URL).
 *
 * `code` makes an inline code span: the fence is one backtick longer than the longest run inside,
 * padded with spaces when the value starts or ends with a backtick. Inside a code span nothing is
 * interpreted (no mention, no link, no HTML), so values shown as code need no other escaping; the
 * one exception is a value holding `<!--` or `-->`, which is shown as escaped text so that no
 * repository value can ever look like one of our hidden markers in the raw body.
 */

/** Zero-width space as an HTML entity: visible in the raw Markdown, invisible once rendered. */
export const ZWSP = '&#8203;';

// C0 controls other than tab/newline/carriage return, DEL, C1 controls, bidi embeddings,
// overrides and isolates, and the byte order mark.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u0084\u0086-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const BREAKS = /(?:\r\n|[\r\n\t\u0085\u2028\u2029\v\f])/g;
const WORD = /[\p{L}\p{N}]/u;

/** A value as a string: null and undefined become the empty string. */
function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : String(value);
}

/**
 * One clean line of plain text: control characters removed, line breaks collapsed, trimmed, and
 * clipped to `max` characters (code points) with an ellipsis. No Markdown escaping: for issue
 * titles, SARIF text, terminals and anything that is not Markdown.
 */
export function plain(value: unknown, max?: number): string {
  const s = str(value).replace(BREAKS, ' ').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return clip(s, max);
}

/** Clips to `max` code points, ending with `…` when something was cut. */
export function clip(s: string, max?: number): string {
  if (max === undefined || !Number.isFinite(max) || max <= 0) return s;
  if (s.length <= max) return s;
  const points = Array.from(s);
  if (points.length <= max) return s;
  return points.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

const INLINE = /[&<>\\`*[\]|~$_]|@(?=[A-Za-z0-9])|#(?=[0-9])/g;

/** Escapes a repository value for inline Markdown (see the module comment for the rules). */
export function esc(value: unknown, max?: number): string {
  const s = plain(value, max);
  if (s === '') return '';
  let out = s.replace(INLINE, (c, offset: number) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '_':
        // Intraword underscores never open or close emphasis; a surrogate neighbour counts as not a word.
        return WORD.test(s[offset - 1] ?? '') && WORD.test(s[offset + 1] ?? '') ? '_' : '\\_';
      case '@':
        return '@' + ZWSP;
      case '#':
        return '#' + ZWSP;
      default:
        return '\\' + c;
    }
  });
  // What only matters at the start of a line: a heading, a list item, a thematic break or setext
  // underline, an ordered list item ("1." or "1)").
  if (/^[#+=-]/.test(out)) out = '\\' + out;
  else out = out.replace(/^([0-9]{1,9})([.)])/, '$1\\$2');
  // In a heading line, a trailing " #" would be taken as the heading's closing sequence.
  if (out.endsWith('#') && out.length > 1) out = out.slice(0, -1) + '\\#';
  return out;
}

/** An inline code span holding `value` verbatim (one line; see the module comment). */
export function code(value: unknown, max?: number): string {
  const s = plain(value, max);
  if (s === '') return '` `';
  // A code span shows `<!-- ... -->` verbatim in the raw body, where a publisher looking for its
  // hidden markers could mistake it for one: such a value is shown as escaped text instead.
  if (s.includes('<!--') || s.includes('-->')) return esc(s);
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return fence + pad + s + pad + fence;
}

/**
 * A code span for a GFM table cell. Table rows are split on `|` before inline parsing, so a pipe
 * must be written `\|` even inside a code span, where a backslash is otherwise literal. When the
 * value holds a pipe the cell gets escaped text instead, which is correct in every case.
 */
export function codeCell(value: unknown, max?: number): string {
  const s = plain(value, max);
  return s.includes('|') ? esc(s) : code(s);
}

/**
 * A link destination that is safe to put in `[text](...)`: only http(s) URLs, with the characters
 * that could end the destination or a table cell percent-encoded. Anything else gives null (the
 * caller then shows the text without a link).
 */
export function safeUrl(value: unknown): string | null {
  const s = str(value).trim();
  if (!/^https?:\/\/[^\s]+$/i.test(s)) return null;
  return s.replace(/[()<>"'`|\\\s\u0000-\u001f\u007f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

/** A backtick fence for a fenced block: at least three, longer than any run of backticks in `body`. */
export function fenceFor(body: string): string {
  let longest = 0;
  for (const m of body.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Text for a terminal: like `plain`, so no escape sequence from a repository reaches the screen. */
export const terminalText = plain;
