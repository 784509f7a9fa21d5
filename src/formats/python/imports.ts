/**
 * Constants a Python file imports from another module of the same repository, when the reviewer
 * has that module's text (a file of the same change, on the same side): `from .config import
 * KMS_KEY`, `from pipelines.settings import ROLE as R`, `import pipelines.settings as s` then
 * `s.ROLE`, `from pipelines import settings` then `settings.ROLE`. The module is parsed, never run,
 * and the name read as a value of that module's own bindings (python/values.ts), so a name it binds
 * twice, changes, or takes from elsewhere stays unknown. The value is positioned where the
 * importing file uses it: a finding is about this file.
 *
 * A module the reviewer does not have (unchanged, third-party, the SDK itself) leaves the name
 * unknown, as before: never a guess.
 */
import type { Node as SyntaxNode, Tree } from 'web-tree-sitter';
import type { Node } from '../../document.js';
import { pythonParser } from './parser.js';
import { bindingsOf, MAX_DEPTH, mutatedNames, valueOf, type Scope } from './values.js';

/** The text of a repository file on the side being read, when the review has it. */
export type ModuleSource = (path: string) => string | undefined;

interface ImportedName {
  module: string;
  /** Leading dots of a relative import. */
  level: number;
  name: string;
}

/** Modules followed from one file: a chain of imports deeper than this is not followed. */
const MAX_MODULES = 32;
/** A module larger than this is not parsed for its constants. */
const MAX_MODULE_BYTES = 1 << 20;

/** What `from`/`import` statements at the top of a module bind: names, and module aliases. */
function importTable(root: SyntaxNode): { names: Map<string, ImportedName>; modules: Map<string, { module: string; level: number }> } {
  const names = new Map<string, ImportedName>();
  const modules = new Map<string, { module: string; level: number }>();
  for (const stmt of root.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'import_from_statement') {
      const from = stmt.childForFieldName('module_name');
      if (!from) continue;
      const text = from.text;
      const level = /^\.*/.exec(text)![0].length;
      const module = text.slice(level);
      for (const n of stmt.childrenForFieldName('name')) {
        if (!n) continue;
        const original = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
        if (!original || !local || original.includes('.')) continue;
        names.set(local, { module, level, name: original });
        // `from pipelines import settings`: maybe a module, reached as `settings.ROLE`.
        modules.set(local, { module: module === '' ? original : `${module}.${original}`, level });
      }
    } else if (stmt.type === 'import_statement') {
      for (const n of stmt.namedChildren) {
        if (n?.type !== 'aliased_import') continue; // `import a.b` is reached as `a.b.X`: not followed
        const dotted = n.childForFieldName('name')?.text;
        const alias = n.childForFieldName('alias')?.text;
        if (dotted && alias) modules.set(alias, { module: dotted, level: 0 });
      }
    }
  }
  return { names, modules };
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

const joined = (dir: string, rel: string) => (dir === '' ? rel : `${dir}/${rel}`);

/**
 * The candidate files of a module: relative to the importing file's package for `from .x`, else
 * from each folder above the importing file up to the repository root (where the import root may
 * be: the repository, `src/`, the pipeline's own folder).
 */
function candidates(from: string, module: string, level: number): string[] {
  const rel = module === '' ? '' : module.split('.').join('/');
  const files = (dir: string) => (rel === '' ? [joined(dir, '__init__.py')] : [`${joined(dir, rel)}.py`, joined(joined(dir, rel), '__init__.py')]);
  let dir = dirname(from);
  if (level > 0) {
    for (let i = 1; i < level; i++) dir = dirname(dir);
    return files(dir);
  }
  const out: string[] = [];
  for (;;) {
    out.push(...files(dir));
    if (dir === '') return out;
    dir = dirname(dir);
  }
}

interface Module {
  path: string;
  tree: Tree;
  scope: Scope;
  imports: ImportedNames;
}

/**
 * The imports of one file, resolved on demand. Owns the trees of the modules it parses: call
 * `dispose()` when the file is read (wasm memory is not garbage-collected).
 */
export class ImportedNames {
  private readonly names: Map<string, ImportedName>;
  private readonly moduleAliases: Map<string, { module: string; level: number }>;

  constructor(
    private readonly path: string,
    root: SyntaxNode,
    private readonly source: ModuleSource | undefined,
    private readonly loaded: Map<string, Module | null> = new Map(),
  ) {
    const table = importTable(root);
    this.names = table.names;
    this.moduleAliases = table.modules;
  }

  /** The value of a name this file imports, at `line`; undefined when it is not known. */
  name(name: string, line: number, depth: number): Node | undefined {
    const imported = this.names.get(name);
    if (!imported || !this.source || depth >= MAX_DEPTH) return undefined;
    return this.valueIn(imported.module, imported.level, imported.name, line, depth);
  }

  /** The value of `alias.NAME` for a module alias of this file, at `line`. */
  attribute(alias: string, name: string, line: number, depth: number): Node | undefined {
    const m = this.moduleAliases.get(alias);
    if (!m || !this.source || depth >= MAX_DEPTH) return undefined;
    return this.valueIn(m.module, m.level, name, line, depth);
  }

  dispose(): void {
    for (const m of this.loaded.values()) m?.tree.delete();
    this.loaded.clear();
  }

  private valueIn(module: string, level: number, name: string, line: number, depth: number): Node | undefined {
    const m = this.module(module, level);
    if (!m) return undefined;
    const bound = m.scope.chain[0]?.get(name);
    // Taken from yet another module: followed the same way, within the depth limit.
    const v = bound ? valueOf(bound, m.scope, depth + 1) : bound === undefined ? m.imports.name(name, line, depth + 1) : undefined;
    return v === undefined ? undefined : at(v, line);
  }

  private module(module: string, level: number): Module | undefined {
    const found = candidates(this.path, module, level).filter((p) => p !== this.path && (this.loaded.has(p) || this.source!(p) !== undefined));
    // An absolute import two files of the review could answer depends on sys.path: not known.
    if (found.length > 1 && level === 0) return undefined;
    for (const path of found) {
      const known = this.loaded.get(path);
      if (known !== undefined) return known ?? undefined;
      const text = this.source!(path);
      if (text === undefined) continue;
      if (text.length > MAX_MODULE_BYTES || this.loaded.size >= MAX_MODULES) {
        this.loaded.set(path, null);
        return undefined;
      }
      const tree = pythonParser().parse(text);
      if (!tree || tree.rootNode.hasError) {
        tree?.delete();
        this.loaded.set(path, null);
        return undefined;
      }
      const root = tree.rootNode;
      // The modules of one file share what they loaded, so a cycle of imports ends.
      const imports = new ImportedNames(path, root, this.source, this.loaded);
      const scope: Scope = { chain: [bindingsOf(root, mutatedNames(root))], params: new Set(), imports };
      const m: Module = { path, tree, scope, imports };
      this.loaded.set(path, m);
      return m;
    }
    return undefined;
  }
}

/** A value moved to one line: what another module holds, as the importing file uses it. */
function at(n: Node, line: number): Node {
  const moved = { startLine: line, endLine: line };
  if (n.type === 'map') return { ...n, ...moved, entries: n.entries.map((e) => ({ ...e, keyLine: line, value: at(e.value, line) })) };
  if (n.type === 'list') return { ...n, ...moved, items: n.items.map((i) => at(i, line)) };
  return { ...n, ...moved };
}
