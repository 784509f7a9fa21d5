/**
 * A Python file or notebook as the Python readers take it: the code (a notebook's code cells,
 * python/notebook.ts), its syntax tree, and the map from code lines to the file's lines. A syntax
 * error throws SyntaxProblem on the file's line, for guard(); the tree is freed once read, as
 * WebAssembly memory is not garbage-collected.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { SyntaxProblem } from '../problem.js';
import { notebookCode } from './notebook.js';
import { pythonParser, syntaxErrorLine } from './parser.js';

const NOTEBOOK_PATH = /\.ipynb$/i;

export interface PythonSource {
  root: SyntaxNode;
  /** The file's line of a line of the code (the same line, but in a notebook). */
  fileLine: (line: number) => number;
  notebook: boolean;
}

export function readPythonSource<T>(path: string, text: string, read: (source: PythonSource) => T): T {
  const notebook = NOTEBOOK_PATH.test(path) ? notebookCode(text) : undefined;
  const fileLine = notebook?.fileLine ?? ((line: number) => line);
  const tree = pythonParser().parse(notebook?.code ?? text);
  if (!tree) throw new SyntaxProblem('the Python parser gave no tree', 1);
  try {
    const root = tree.rootNode;
    if (root.hasError) throw new SyntaxProblem('Python syntax error', fileLine(syntaxErrorLine(root)));
    return read({ root, fileLine, notebook: notebook !== undefined });
  } finally {
    tree.delete();
  }
}
