/**
 * The text of HCL strings and heredocs: quoted and template escapes, interpolation holes, `<<-`
 * indentation, and JSON documents embedded in a string (IAM policies, container definitions).
 */
import type { Node } from '../../model.js';
import { parseJson, SyntaxProblem } from '../tree.js';

/** Decodes the escapes of a quoted HCL string (`\n`, `\"`, `\u00e9`, `$${`, `%%{` ...). */
export function unescapeQuoted(raw: string): string {
  if (raw.indexOf('\\') === -1) return unescapeTemplate(raw);
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const e = raw[++i]!;
    if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 't') out += '\t';
    else if (e === '"' || e === '\\') out += e;
    else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const code = Number.parseInt(raw.slice(i + 1, i + 1 + len), 16);
      if (Number.isNaN(code) || code > 0x10ffff) out += '\\' + e;
      else {
        out += String.fromCodePoint(code);
        i += len;
      }
    } else out += '\\' + e;
  }
  return unescapeTemplate(out);
}

/** Template escapes, the only ones heredocs know: `$${` is a literal `${`, `%%{` a literal `%{`. */
export function unescapeTemplate(raw: string): string {
  if (raw.indexOf('$${') === -1 && raw.indexOf('%%{') === -1) return raw;
  return raw.replaceAll('$${', '${').replaceAll('%%{', '%{');
}

/** Whether a template string has an interpolation or directive (not the `$${` / `%%{` escapes). */
export function hasTemplateHole(s: string): boolean {
  for (let i = s.indexOf('{', 1); i !== -1; i = s.indexOf('{', i + 1)) {
    const c = s[i - 1];
    if ((c === '$' || c === '%') && s[i - 2] !== c) return true;
  }
  return false;
}

/** `<<-` heredocs drop the smallest indentation of their non-blank lines. */
export function dedent(text: string): string {
  const rows = text.split('\n');
  let min = Infinity;
  for (const r of rows) {
    let i = 0;
    while (i < r.length && (r[i] === ' ' || r[i] === '\t')) i++;
    if (i < r.length && i < min) min = i;
  }
  if (min === Infinity || min === 0) return text;
  return rows.map((r) => r.slice(Math.min(min, r.length))).join('\n');
}

/** Moves every line of a tree parsed from an embedded text to where that text sits in the file. */
function shiftLines(node: Node, by: number): void {
  node.startLine += by;
  node.endLine += by;
  if (node.type === 'map') {
    for (const e of node.entries) {
      e.keyLine += by;
      shiftLines(e.value, by);
    }
  } else if (node.type === 'list') for (const i of node.items) shiftLines(i, by);
}

/**
 * A heredoc or string whose text is a JSON object or array (an IAM policy, container
 * definitions) becomes that structure, positioned in the file. Anything else is left alone.
 */
export function embeddedJson(text: string, firstLine: number): Node | undefined {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  let node: Node;
  try {
    node = parseJson(text);
  } catch (e) {
    if (e instanceof SyntaxProblem) return undefined;
    throw e;
  }
  if (node.type !== 'map' && node.type !== 'list') return undefined;
  shiftLines(node, firstLine - 1);
  return node;
}
