/**
 * A tree-sitter grammar's lifetime, for the format modules that parse with one (Terraform,
 * Python): loaded once from its package's WebAssembly build by the engine (engine.ts), then used
 * synchronously, since `FormatModule.parse` is. A failed load is forgotten, so a later start can
 * retry.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, type Node as SyntaxNode } from 'web-tree-sitter';

export interface Grammar {
  /** Loads the runtime and the grammar (once; concurrent calls share the load). */
  start(): Promise<void>;
  /** The parser; throws when the grammar was not started: a wiring bug, not a property of a file. */
  parser(): Parser;
}

export function grammar(name: string, pkg: string, wasm: string): Grammar {
  let parser: Parser | undefined;
  let loading: Promise<void> | null = null;
  const load = async () => {
    await Parser.init();
    const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
    const p = new Parser();
    p.setLanguage(await Language.load(join(dir, wasm)));
    parser = p;
  };
  return {
    start() {
      loading ??= load().catch((e: unknown) => {
        loading = null;
        throw e;
      });
      return loading;
    },
    parser() {
      if (!parser) throw new Error(`${name} parser not started: create the engine first (await createEngine())`);
      return parser;
    },
  };
}

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
