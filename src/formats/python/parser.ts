/**
 * The Python parser: tree-sitter's Python grammar (the `tree-sitter-python` package's WebAssembly
 * build), run by `web-tree-sitter` like the Terraform one. Started by the engine; the code it
 * parses is only ever read, never imported or run.
 */
import { grammar } from '../grammar.js';

export { syntaxErrorLine } from '../grammar.js';

const python = grammar('Python', 'tree-sitter-python', 'tree-sitter-python.wasm');

export const initPython = (): Promise<void> => python.start();
export const pythonParser = () => python.parser();

