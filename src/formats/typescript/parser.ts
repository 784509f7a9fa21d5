/**
 * The TypeScript parser: tree-sitter's TypeScript grammar (the `tree-sitter-typescript` package's
 * WebAssembly build), run by `web-tree-sitter` like the Python and Terraform ones. Started by the
 * engine; the code it parses is only ever read, never compiled or run.
 */
import { grammar } from '../grammar.js';

const typescript = grammar('TypeScript', 'tree-sitter-typescript', 'tree-sitter-typescript.wasm');

export const initTypeScript = (): Promise<void> => typescript.start();
export const typescriptParser = () => typescript.parser();
