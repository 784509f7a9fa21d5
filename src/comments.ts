/**
 * The comments of a file, found by a lexer of its kind's syntax: the YAML package's own lexer, a
 * small HCL lexer, markdown-it for model cards, tree-sitter for TypeScript. Text that only looks like a comment (a `#` in a
 * string, a heredoc, a block scalar, a code block) is not one, so nothing written there can act as
 * an instruction to the reviewer. Every lexer here is linear in the text and never throws.
 */
import MarkdownIt from 'markdown-it';
import { CST, Lexer } from 'yaml';
import { addComment, lineCounter, type Comment } from './comment-text.js';
import { pythonComments } from './comments-python.js';
import { typescriptComments } from './comments-typescript.js';
import type { CommentSyntax } from './model.js';

export type { Comment } from './comment-text.js';

/**
 * The comments of `text` in a syntax (each kind's module says which: FormatModule.comments), in
 * file order. Kinds that can be YAML or JSON use the YAML lexer either way: JSON has no comments,
 * and a `#` in a JSON string is in a quoted scalar for YAML too. Terraform JSON goes through the
 * HCL lexer for the same reason.
 */
export function commentsOf(syntax: CommentSyntax, text: string): Comment[] {
  switch (syntax) {
    case 'hcl':
      return hclComments(text);
    case 'yaml':
      return yamlComments(text);
    case 'markdown':
      return markdownComments(text);
    case 'python':
      return pythonComments(text);
    case 'typescript':
      return typescriptComments(text);
    case 'none':
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

const HASH = 0x23;
const SLASH = 0x2f;
const STAR = 0x2a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const PERCENT = 0x25;
const LT = 0x3c;
const DASH = 0x2d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const NL = 0x0a;


// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/** The lexer's zero-width markers; in the text they would be taken for markers and shift offsets. */
const YAML_MARKERS = /[\x02\x18\x1f]/g;
// Read once: the loop below runs once per token, and a namespace lookup per token doubles its cost.
const { DOCUMENT, FLOW_END, SCALAR, tokenType } = CST;

function yamlComments(text: string): Comment[] {
  // DEL is not special to the lexer either, and keeps every offset where it was.
  const src = text.search(YAML_MARKERS) === -1 ? text : text.replace(YAML_MARKERS, '\x7f');
  const out: Comment[] = [];
  const lineAt = lineCounter(text);
  let offset = 0;
  let prev = '';
  for (const tok of new Lexer().lex(src)) {
    if (tok === DOCUMENT || tok === FLOW_END || tok === SCALAR) {
      prev = tok;
      continue;
    }
    // After the scalar marker comes the scalar itself: a block scalar at indentation 0 may start
    // with `#`. A `#` glued to the previous token is an error for the parser, not a comment.
    if (tokenType(tok) === 'comment' && prev !== SCALAR && separated(src, offset)) {
      addComment(out, text, offset + 1, offset + tok.length, lineAt);
    }
    offset += tok.length;
    prev = tok;
  }
  return out;
}

function separated(src: string, at: number): boolean {
  if (at === 0) return true;
  const c = src.charCodeAt(at - 1);
  return c === 0x20 || c === 0x09 || c === NL || c === 0x0d || (c === 0xfeff && at === 1);
}

// ---------------------------------------------------------------------------------------------
// HCL
// ---------------------------------------------------------------------------------------------

/**
 * Where the lexer is: expressions (the file, or the inside of a `${...}` / `%{...}` hole, with its
 * depth of nested braces), a quoted template, or a heredoc with its closing marker.
 */
type Frame = { t: 'code'; depth: number } | { t: 'quoted' } | { t: 'heredoc'; id: string };

/** iswspace of the tree-sitter scanner, for ASCII. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHeredocIdChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === DASH;
}

/**
 * Comments of HCL native syntax. Where HashiCorp's HCL and the tree-sitter grammar the Terraform
 * format module parses with disagree, this follows the tree-sitter scanner, so that what counts as
 * a comment here is a comment in the tree the rules ran on: quoted templates may span lines,
 * `$$` is literal even before `${`, the heredoc identifier may follow `<<` after whitespace, and a
 * heredoc ends at the first line holding only its identifier, indented or not, after `<<` too.
 */
function hclComments(text: string): Comment[] {
  const out: Comment[] = [];
  const lineAt = lineCounter(text);
  const stack: Frame[] = [{ t: 'code', depth: 0 }];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const f = stack[stack.length - 1]!;
    const c = text.charCodeAt(i);
    if (f.t === 'code') {
      const next = text.charCodeAt(i + 1);
      if (c === HASH || (c === SLASH && next === SLASH)) {
        const start = i + (c === HASH ? 1 : 2);
        const nl = text.indexOf('\n', start);
        const end = nl === -1 ? n : nl;
        addComment(out, text, start, end, lineAt);
        i = end;
      } else if (c === SLASH && next === STAR) {
        const end = text.indexOf('*/', i + 2);
        // Unterminated, it is no comment to the parser, and nothing after it can be trusted.
        if (end === -1) return out;
        addComment(out, text, i + 2, end, lineAt);
        i = end + 2;
      } else if (c === QUOTE) {
        stack.push({ t: 'quoted' });
        i++;
      } else if (c === LT && next === LT) {
        let j = i + 2;
        if (text.charCodeAt(j) === DASH) j++;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        const idStart = j;
        while (j < n && isHeredocIdChar(text.charCodeAt(j))) j++;
        stack.push({ t: 'heredoc', id: text.slice(idStart, j) });
        i = j;
      } else if (c === LBRACE) {
        f.depth++;
        i++;
      } else if (c === RBRACE) {
        if (f.depth > 0) f.depth--;
        else if (stack.length > 1) stack.pop();
        i++;
      } else {
        i++;
      }
    } else if (c === DOLLAR || c === PERCENT) {
      i = hole(text, i, c, stack);
    } else if (f.t === 'quoted') {
      if (c === QUOTE) {
        stack.pop();
        i++;
      } else {
        i += c === BACKSLASH ? 2 : 1;
      }
    } else if (c === NL) {
      i = heredocLineStart(text, i + 1, f.id, stack);
    } else {
      i++;
    }
  }
  return out;
}

/** `${` or `%{` at `i` in a template opens an expression; `$${` / `%%{` are literal. */
function hole(text: string, i: number, c: number, stack: Frame[]): number {
  const next = text.charCodeAt(i + 1);
  if (next === LBRACE) {
    stack.push({ t: 'code', depth: 0 });
    return i + 2;
  }
  if (next === c) return text.charCodeAt(i + 2) === LBRACE ? i + 3 : i + 2;
  return i + 1;
}

/**
 * At the start of a heredoc line: closes the heredoc when the line holds only its identifier
 * (whitespace around it allowed) and returns where lexing goes on.
 */
function heredocLineStart(text: string, from: number, id: string, stack: Frame[]): number {
  const n = text.length;
  let j = from;
  while (j < n && isSpace(text.charCodeAt(j))) j++;
  if (!text.startsWith(id, j)) return j;
  let k = j + id.length;
  while (k < n && isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== NL) k++;
  if (k < n && text.charCodeAt(k) === NL) {
    stack.pop();
    return k;
  }
  return j;
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/** A comment token's offset in its inline token's content, set by PositionedState. */
interface InlineMeta {
  at: number;
}

const md = new MarkdownIt({ html: true });

/**
 * markdown-it does not say where an inline token sits in its paragraph. An html_inline token is
 * pushed before the rule moves `pos` past it, so the state records `pos` at that moment.
 */
class PositionedState extends md.inline.State {
  override push(type: string, tag: string, nesting: -1 | 0 | 1) {
    const token = super.push(type, tag, nesting);
    if (type === 'html_inline') token.meta = { at: this.pos } satisfies InlineMeta;
    return token;
  }
}
md.inline.State = PositionedState;

/**
 * HTML comments markdown-it passes through as HTML: in html_block tokens and as html_inline
 * tokens of a paragraph, never in code blocks, code spans, image descriptions or front matter.
 */
function markdownComments(text: string): Comment[] {
  const out: Comment[] = [];
  const { body, skipped } = withoutFrontMatter(text);
  const lineOf = mdLines(body, skipped);
  let blockMap: [number, number] | null = null;
  for (const t of md.parse(body, {})) {
    if (t.map) blockMap = t.map;
    if (t.type === 'html_block' && t.map) {
      const lineAt = lineCounter(t.content);
      const first = t.map[0];
      htmlComments(t.content, (start, end) => {
        addComment(out, t.content, start, end, (o) => lineOf(first + lineAt(o) - 1));
      });
    } else if (t.type === 'inline' && t.children && blockMap) {
      const first = (t.map ?? blockMap)[0];
      let lineAt: ((offset: number) => number) | undefined;
      for (const c of t.children) {
        const at = (c.meta as InlineMeta | null)?.at;
        if (c.type !== 'html_inline' || at === undefined || !c.content.startsWith('<!--')) continue;
        if (c.content.length < 7 || !c.content.endsWith('-->')) continue; // `<!-->`, `<!--->`: empty
        // Should markdown-it ever push the token after moving on, no wrong span is read.
        if (!t.content.startsWith(c.content, at)) continue;
        lineAt ??= lineCounter(t.content);
        const count = lineAt;
        addComment(out, t.content, at + 4, at + c.content.length - 3, (o) => lineOf(first + count(o) - 1));
      }
    }
  }
  return out;
}

/**
 * The Markdown after a leading `---` ... `---` block: YAML front matter is data, whatever HTML it
 * seems to hold. A block that is not a mapping is dropped too, which loses nothing but comments.
 */
function withoutFrontMatter(text: string): { body: string; skipped: number } {
  const src = text.startsWith('\ufeff') ? text.slice(1) : text;
  const firstEnd = src.indexOf('\n');
  if (firstEnd === -1 || src.slice(0, firstEnd).trimEnd() !== '---') return { body: src, skipped: 0 };
  let line = 2;
  for (let start = firstEnd + 1; start < src.length; line++) {
    const nl = src.indexOf('\n', start);
    const end = nl === -1 ? src.length : nl;
    if (src.slice(start, end).trimEnd() === '---') return { body: nl === -1 ? '' : src.slice(nl + 1), skipped: line };
    if (nl === -1) break;
    start = nl + 1;
  }
  return { body: src, skipped: 0 };
}

/**
 * File line (1-based) of a markdown-it line (0-based in `body`). markdown-it also breaks lines at
 * a lone `\r`, which is no line break to the rest of the reviewer.
 */
function mdLines(body: string, skipped: number): (mdLine: number) => number {
  if (!/\r(?!\n)/.test(body)) return (l) => skipped + l + 1;
  const lines: number[] = [skipped + 1];
  let line = skipped + 1;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === NL) lines.push(++line);
    else if (c === 0x0d && body.charCodeAt(i + 1) !== NL) lines.push(line);
  }
  return (l) => lines[Math.min(l, lines.length - 1)]!;
}

/** Elements whose content is text to HTML, where `<!--` starts no comment. */
const RAW_TEXT: ReadonlySet<string> = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'plaintext',
]);

/**
 * Calls `each` with the body range of every comment of a run of raw HTML: outside tags (so not in
 * an attribute value) and outside raw-text elements. An unterminated comment runs to the end.
 */
function htmlComments(html: string, each: (start: number, end: number) => void): void {
  const n = html.length;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) return;
    if (html.startsWith('<!--', lt)) {
      const b = lt + 4;
      if (html.startsWith('>', b)) i = b + 1;
      else if (html.startsWith('->', b)) i = b + 2;
      else {
        const e = html.indexOf('-->', b);
        each(b, e === -1 ? n : e);
        if (e === -1) return;
        i = e + 3;
      }
      continue;
    }
    const c = html.charCodeAt(lt + 1);
    if (c === 0x21 || c === 0x3f) {
      // `<!DOCTYPE`, `<![CDATA[`, `<?`: bogus comments to HTML, ending at the first `>`.
      const gt = html.indexOf('>', lt + 2);
      if (gt === -1) return;
      i = gt + 1;
      continue;
    }
    const close = c === SLASH;
    const nameStart = close ? lt + 2 : lt + 1;
    if (!isAsciiLetter(html.charCodeAt(nameStart))) {
      i = lt + 1;
      continue;
    }
    let j = nameStart + 1;
    while (j < n && !isSpace(html.charCodeAt(j)) && html[j] !== '/' && html[j] !== '>') j++;
    const name = html.slice(nameStart, j).toLowerCase();
    i = endOfTag(html, j);
    if (!close && RAW_TEXT.has(name)) i = endOfRawText(html, i, name);
  }
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Offset after the `>` closing a tag, skipping quoted attribute values; the end if none. */
function endOfTag(html: string, from: number): number {
  const n = html.length;
  let afterEquals = false;
  for (let k = from; k < n; k++) {
    const ch = html[k]!;
    if (ch === '>') return k + 1;
    if (afterEquals && (ch === '"' || ch === "'")) {
      const q = html.indexOf(ch, k + 1);
      if (q === -1) return n;
      k = q;
      afterEquals = false;
    } else if (ch === '=') afterEquals = true;
    else if (!isSpace(ch.charCodeAt(0))) afterEquals = false;
  }
  return n;
}

/** Offset of the end tag closing a raw-text element (case-insensitive); the end if none. */
function endOfRawText(html: string, from: number, name: string): number {
  if (name === 'plaintext') return html.length;
  let k = html.indexOf('</', from);
  while (k !== -1) {
    const after = html.charCodeAt(k + 2 + name.length);
    const ends = Number.isNaN(after) || isSpace(after) || after === SLASH || after === 0x3e;
    if (ends && html.slice(k + 2, k + 2 + name.length).toLowerCase() === name) return k;
    k = html.indexOf('</', k + 2);
  }
  return html.length;
}
