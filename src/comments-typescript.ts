/**
 * The comments of TypeScript source (and so of `// ml-lens:ignore` in a CDK stack): `//` to the end
 * of the line and `/* ... *\/` blocks, as tree-sitter's TypeScript grammar finds them, so a `//`
 * inside a string, a template or a regular expression is not one. Never throws.
 */
import type { Comment } from './comment-text.js';
import { typescriptParser } from './formats/typescript/parser.js';

export function typescriptComments(text: string): Comment[] {
  let tree;
  try {
    tree = typescriptParser().parse(text);
  } catch {
    return []; // the parser is not started (no engine): no suppression is read rather than a wrong one
  }
  if (!tree) return [];
  try {
    const out: Comment[] = [];
    const stack = [tree.rootNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'comment') {
        const raw = n.text;
        const body = raw.startsWith('//') ? raw.slice(2) : raw.slice(2, raw.endsWith('*/') ? -2 : undefined);
        body.split('\n').forEach((piece, i) => out.push({ line: n.startPosition.row + 1 + i, text: piece.endsWith('\r') ? piece.slice(0, -1) : piece }));
      }
      for (let i = n.childCount - 1; i >= 0; i--) {
        const c = n.child(i);
        if (c) stack.push(c);
      }
    }
    return out;
  } finally {
    tree.delete();
  }
}
