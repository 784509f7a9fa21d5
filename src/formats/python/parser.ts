/**
 * The Python parser's lifetime: tree-sitter's Python grammar (the `tree-sitter-python` package's
 * WebAssembly build), run by `web-tree-sitter` like the Terraform one. Started by the engine; the
 * code it parses is only ever read, never imported or run.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

let parser: Parser | undefined;
let loading: Promise<void> | null = null;

export async function initPython(): Promise<void> {
  // A failed load is forgotten so that a later call can retry.
  loading ??= load().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function load(): Promise<void> {
  await Parser.init();
  const pkg = createRequire(import.meta.url).resolve('tree-sitter-python/package.json');
  const language = await Language.load(join(dirname(pkg), 'tree-sitter-python.wasm'));
  const p = new Parser();
  p.setLanguage(language);
  parser = p;
}

export function pythonParser(): Parser {
  // Thrown rather than returned as a ParseError: this is a wiring bug, not a property of the file.
  if (!parser) throw new Error('Python parser not started: create the engine first (await createEngine())');
  return parser;
}
