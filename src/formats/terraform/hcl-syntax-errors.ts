/**
 * Syntax errors of a `.tf` file: the first ERROR or MISSING node of the tree-sitter tree, worded
 * the way Terraform words them (`missing "}": the block opened on line 3 is not closed`).
 */
import type { Node as TsNode } from 'web-tree-sitter';
import { SyntaxProblem } from '../tree.js';

/** Named tokens tree-sitter may insert as MISSING, with what the user should have typed. */
const CLOSERS: Record<string, string> = {
  '}': '}',
  ']': ']',
  ')': ')',
  block_end: '}',
  object_end: '}',
  tuple_end: ']',
  template_interpolation_end: '}',
  template_directive_end: '}',
  quoted_template_end: '"',
  heredoc_identifier: 'heredoc end marker',
};

const CONSTRUCT: Record<string, string> = {
  block: 'block',
  object: 'object',
  tuple: 'list',
  string_lit: 'string',
  quoted_template: 'string',
  heredoc_template: 'heredoc',
  template_interpolation: 'interpolation',
  function_call: 'function call',
};

/** The first ERROR or MISSING node in document order, as a SyntaxProblem. */
export function firstProblem(top: TsNode, src: string): SyntaxProblem {
  if (top.isError) return unexpected(top, src);
  const ancestors: TsNode[] = [];
  let node = top;
  for (;;) {
    let next: TsNode | null = null;
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.isMissing) return missing(k, [...ancestors, node]);
      if (k.isError) return missingEquals(node, kids[i - 1], src) ?? unexpected(k, src);
      if (k.hasError) {
        next = k;
        break;
      }
    }
    if (!next) return unexpected(node, src);
    ancestors.push(node);
    node = next;
  }
}

/**
 * A missing closer is reported where its construct opens (as Terraform does): the MISSING node
 * itself usually sits at the end of the file.
 */
function missing(k: TsNode, ancestors: TsNode[]): SyntaxProblem {
  const token = CLOSERS[k.type];
  if (!token) return new SyntaxProblem(`missing ${k.type}`, k.startPosition.row + 1);
  const what = token === '"' ? 'closing quote' : token.length === 1 ? `"${token}"` : token;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const construct = CONSTRUCT[ancestors[i]!.type];
    if (!construct) continue;
    const line = ancestors[i]!.startPosition.row + 1;
    return new SyntaxProblem(`missing ${what}: the ${construct} opened on line ${line} is not closed`, line);
  }
  return new SyntaxProblem(`missing ${what}`, k.startPosition.row + 1);
}

/** `name "value"` inside a block: tree-sitter keeps the attribute and flags what follows its name. */
function missingEquals(parent: TsNode, prev: TsNode | undefined, src: string): SyntaxProblem | null {
  if (parent.type !== 'attribute' || prev?.type !== 'identifier') return null;
  const name = src.slice(prev.startIndex, prev.endIndex);
  return new SyntaxProblem(`missing "=" after "${name}"`, prev.startPosition.row + 1);
}

/** Reports the first token of an ERROR node (`unexpected "}"`), or the end of the file. */
function unexpected(k: TsNode, src: string): SyntaxProblem {
  let line = k.startPosition.row + 1;
  let i = k.startIndex;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '\n') line++;
    else if (c !== ' ' && c !== '\t' && c !== '\r') break;
  }
  if (i >= src.length) return new SyntaxProblem('unexpected end of file', line);
  let j = i;
  while (j < src.length && j - i < 30 && src[j] !== ' ' && src[j] !== '\t' && src[j] !== '\r' && src[j] !== '\n') j++;
  return new SyntaxProblem(`unexpected ${showToken(src.slice(i, j))}`, line);
}

/** `"}"`, or JSON-quoted when the token has quotes or control characters of its own. */
function showToken(t: string): string {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c === 0x22) return JSON.stringify(t);
  }
  return `"${t}"`;
}
