/**
 * Where a node of a Python module is, for the readers: the function it is in (for addresses) and
 * the bindings its names resolve in (the function's, then the module's, then constants imported
 * from other modules of the review). Worked out from the tree on need and kept per function, so a
 * call can be read where another refers to it as well as where a walk meets it.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { ImportedNames, type ModuleSource } from './imports.js';
import { bindingsOf, mutatedNames, type Bindings, type Scope } from './values.js';

export interface Place {
  fn: string | undefined;
  scope: Scope;
}

export class Scopes {
  private readonly mutated: Set<string>;
  private readonly moduleScope: Scope;
  private readonly places = new Map<number, Place>();
  /** Constants imported from other modules of the review; its trees are freed by `dispose()`. */
  private readonly foreign: ImportedNames;

  constructor(root: SyntaxNode, path: string, modules: ModuleSource | undefined) {
    this.mutated = mutatedNames(root);
    this.foreign = new ImportedNames(path, root, modules);
    this.moduleScope = { chain: [bindingsOf(root, this.mutated)], params: new Set(), imports: this.foreign };
  }

  /** The function a node is in, and its scope. */
  placeOf(node: SyntaxNode): Place {
    let fn: SyntaxNode | null = node.parent;
    while (fn && fn.type !== 'function_definition') fn = fn.parent;
    if (!fn) return { fn: undefined, scope: this.moduleScope };
    let place = this.places.get(fn.id);
    if (!place) {
      // The function's names, then those of the functions around it (a closure reads them), then the module's.
      const chain: Bindings[] = [];
      for (let f: SyntaxNode | null = fn; f; f = f.parent) {
        if (f.type !== 'function_definition') continue;
        const body = f.childForFieldName('body');
        const names = body ? bindingsOf(body, this.mutated) : new Map<string, SyntaxNode | null>();
        for (const p of paramsOf(f)) names.set(p, null);
        chain.push(names);
      }
      place = { fn: fn.childForFieldName('name')?.text, scope: { chain: [...chain, ...this.moduleScope.chain], params: paramsOf(fn), imports: this.foreign } };
      this.places.set(fn.id, place);
    }
    return place;
  }

  /** Frees the syntax trees of the modules read for imported constants. */
  dispose(): void {
    this.foreign.dispose();
  }
}

function paramsOf(fn: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    const name = p.type === 'identifier' ? p : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
    if (name) out.add(name.text);
  }
  return out;
}
