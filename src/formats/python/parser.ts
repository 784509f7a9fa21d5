/**
 * The Python parser: tree-sitter's Python grammar (the `tree-sitter-python` package's WebAssembly
 * build), run by `web-tree-sitter` like the Terraform one. Started by the engine; the code it
 * parses is only ever read, never imported or run.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { grammar } from '../grammar.js';

const python = grammar('Python', 'tree-sitter-python', 'tree-sitter-python.wasm');

export const initPython = (): Promise<void> => python.start();
export const pythonParser = () => python.parser();

/** The line (1-based) of the first syntax error of a tree, breadth first, without recursion; 1 when none is found. */
export function syntaxErrorLine(root: SyntaxNode): number {
  const queue: SyntaxNode[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    if (n.type === 'ERROR' || n.isMissing) return n.startPosition.row + 1;
    for (const c of n.children) if (c && c.hasError) queue.push(c);
  }
  return 1;
}
