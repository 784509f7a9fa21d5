/**
 * The SageMaker Python SDK, read statically: estimators, processors, `@step` functions, transformers, model registration, models and `.deploy(...)`
 * mapped onto the API request the SDK sends, by the data of rules/mappings/sagemaker-sdk.yaml.
 * What a file calls of the SDK beyond that (pipelines and their steps, tuners,
 * transformers, monitors...) is named, so the file is said to be partly reviewed.
 */
import { readFileSync } from 'node:fs';
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import type { MapEntry, MapNode, Node, Scalar } from '../../document.js';
import { emptyMap } from '../tree.js';
import { bindingOf, valueOf, type Scope } from './values.js';

interface ArgumentMapping {
  arguments: Record<string, string>;
  written?: Record<string, Scalar>;
  /** Paths the SDK fills when the code runs: unknown when the argument is omitted. */
  runtime?: string[];
}

export interface Construct extends ArgumentMapping {
  id: string;
  classes?: string[];
  /** Decorators whose function runs as the construct (`@step`). */
  decorators?: string[];
  method?: string;
  on?: string[];
  target: string;
  answers: 'sagemaker-pipeline' | 'cloudformation';
  under: string;
}

interface SdkMapping {
  constructs: Construct[];
  byClass: Map<string, Construct>;
  byDecorator: Map<string, Construct>;
  values: Map<string, ArgumentMapping>;
  positional: Map<string, string[]>;
  helpers: Set<string>;
}

const MAPPING_FILE = new URL('../../../rules/mappings/sagemaker-sdk.yaml', import.meta.url);
let mapping: SdkMapping | undefined;

/** The mapping, read once; ours, so a malformed entry is a bug that says where. */
export function sdkMapping(): SdkMapping {
  if (mapping) return mapping;
  const data = parseYaml(readFileSync(MAPPING_FILE, 'utf8')) as {
    constructs: Record<string, Omit<Construct, 'id'>>;
    values: Record<string, ArgumentMapping>;
    positional: Record<string, string[]>;
    helpers: string[];
  };
  const constructs: Construct[] = [];
  const byClass = new Map<string, Construct>();
  const byDecorator = new Map<string, Construct>();
  for (const [id, c] of Object.entries(data.constructs)) {
    if (!c.target || !c.under || !c.arguments || (c.answers !== 'sagemaker-pipeline' && c.answers !== 'cloudformation') || (!c.classes && !c.method && !c.decorators)) {
      throw new Error(`rules/mappings/sagemaker-sdk.yaml: ${id}: target, answers, under, arguments and classes, decorators or method are required`);
    }
    const construct = { ...c, id };
    constructs.push(construct);
    for (const cls of c.classes ?? []) byClass.set(cls, construct);
    for (const d of c.decorators ?? []) byDecorator.set(d, construct);
  }
  mapping = {
    constructs,
    byClass,
    byDecorator,
    values: new Map(Object.entries(data.values)),
    positional: new Map(Object.entries(data.positional)),
    helpers: new Set(data.helpers),
  };
  return mapping;
}

/** The names the file binds to the SDK: `from sagemaker.x import A as B` (B -> A), and module aliases. */
export interface SdkImports {
  names: Map<string, string>;
  modules: Set<string>;
}

export function sdkImports(root: SyntaxNode): SdkImports {
  const names = new Map<string, string>();
  const modules = new Set<string>();
  for (const stmt of root.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'import_from_statement') {
      const from = stmt.childForFieldName('module_name')?.text ?? '';
      if (from !== 'sagemaker' && !from.startsWith('sagemaker.')) continue;
      for (const n of stmt.childrenForFieldName('name')) {
        if (!n) continue;
        const original = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
        if (original && local) {
          // `from sagemaker import estimator`: a module, reached as `estimator.Estimator`.
          if (/^[a-z_]+$/.test(original) && from === 'sagemaker' && original !== 'get_execution_role') modules.add(local);
          names.set(local, original.split('.').pop()!);
        }
      }
    } else if (stmt.type === 'import_statement') {
      for (const n of stmt.namedChildren) {
        if (!n) continue;
        const dotted = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        if (!dotted || (dotted !== 'sagemaker' && !dotted.startsWith('sagemaker.'))) continue;
        modules.add(n.type === 'aliased_import' ? (n.childForFieldName('alias')?.text ?? dotted) : dotted.split('.')[0]!);
      }
    }
  }
  return { names, modules };
}

/** The SDK name a callee refers to (`Estimator` for `Estimator`, `sagemaker.estimator.Estimator` or an alias), if any. */
export function sdkName(callee: SyntaxNode | null | undefined, imports: SdkImports): string | undefined {
  if (!callee) return undefined;
  if (callee.type === 'identifier') return imports.names.get(callee.text);
  if (callee.type !== 'attribute') return undefined;
  let root: SyntaxNode | null = callee;
  while (root?.type === 'attribute') root = root.childForFieldName('object');
  if (root?.type !== 'identifier' || !(imports.modules.has(root.text) || imports.names.has(root.text))) return undefined;
  return callee.childForFieldName('attribute')?.text;
}

/** Sets `value` at a request path (`ProductionVariants[0].InstanceType`), creating maps and lists on the way. */
function setPath(root: MapNode, path: string, value: Node, keyLine: number): void {
  const segments = path.split('.');
  let map = root;
  segments.forEach((segment, i) => {
    const indexed = /^(.+)\[0\]$/.exec(segment);
    const key = indexed ? indexed[1]! : segment;
    const last = i === segments.length - 1;
    let entry = map.entries.find((e) => e.key === key);
    if (last && !indexed) {
      if (entry) entry.value = value;
      else map.entries.push({ key, keyLine, value });
      return;
    }
    if (!entry) {
      const child = emptyMap(keyLine);
      entry = { key, keyLine, value: indexed ? { type: 'list', items: [child], startLine: keyLine, endLine: keyLine } : child };
      map.entries.push(entry);
    }
    const next = entry.value.type === 'list' ? entry.value.items[0] : entry.value;
    if (next?.type !== 'map') return; // a value already set there wins
    if (last) {
      // `X[0]` as a whole: the item itself.
      if (entry.value.type === 'list') entry.value.items[0] = value;
      return;
    }
    map = next;
  });
}

/** Follows a name to the call it is bound to, as values.ts resolves names. */
export function boundCall(n: SyntaxNode, scope: Scope): SyntaxNode | undefined {
  for (let depth = 0; depth < 16; depth++) {
    if (n.type === 'call') return n;
    const bound = n.type === 'identifier' ? bindingOf(scope, n.text) : undefined;
    if (!bound) return undefined;
    n = bound;
  }
  return undefined;
}

/**
 * The request a call builds by a mapping: its arguments at their paths (an SDK value construct's
 * arguments mapped in turn), then what the SDK writes for those omitted. A positional argument the
 * mapping does not place, or `**kwargs`, makes it unknown.
 */
export function requestFrom(call: SyntaxNode, cls: string, m: ArgumentMapping, scope: Scope, imports: SdkImports): Node {
  // A bare decorator (`@step`) has no arguments: what the SDK writes is the whole request.
  if (call.type !== 'call') return withWritten({ type: 'map', entries: [], startLine: call.startPosition.row + 1, endLine: call.endPosition.row + 1 }, m, new Set());
  const line = call.startPosition.row + 1;
  const endLine = call.endPosition.row + 1;
  const unknown: Node = { type: 'symbolic', expr: (call.childForFieldName('arguments')?.text ?? '').slice(0, 120), refs: [], startLine: line, endLine };
  const request: MapNode = { type: 'map', entries: [], startLine: line, endLine };
  const given = new Set<string>();
  const positional = sdkMapping().positional.get(cls) ?? [];
  let at = 0;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    let name: string | undefined;
    let valueNode: SyntaxNode | null;
    if (a.type === 'keyword_argument') {
      name = a.childForFieldName('name')?.text;
      valueNode = a.childForFieldName('value');
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') return unknown;
    else {
      name = positional[at++];
      if (name === undefined) return unknown;
      valueNode = a;
    }
    if (!name || !valueNode) continue;
    given.add(name);
    const path = m.arguments[name];
    if (!path) continue;
    const keyLine = a.startPosition.row + 1;
    const inner = boundCall(valueNode, scope);
    const valueClass = inner ? sdkName(inner.childForFieldName('function'), imports) : undefined;
    const valueMapping = valueClass ? sdkMapping().values.get(valueClass) : undefined;
    const value = inner && valueClass && valueMapping ? requestFrom(inner, valueClass, valueMapping, scope, imports) : valueOf(valueNode, scope);
    // `None` is the SDK's "not given": the request has no such key.
    if (value.type === 'scalar' && value.value === null) {
      given.delete(name);
      continue;
    }
    setPath(request, path, value, keyLine);
  }
  return withWritten(request, m, given);
}

/** Adds what the SDK writes for the arguments not given (and not set through another path). */
function withWritten(request: MapNode, m: ArgumentMapping, given: ReadonlySet<string>): MapNode {
  const line = request.startLine;
  for (const [path, v] of Object.entries(m.written ?? {})) {
    const argument = Object.entries(m.arguments).find(([, p]) => p === path)?.[0];
    if (argument !== undefined && given.has(argument)) continue;
    if (hasPath(request, path)) continue;
    setPath(request, path, { type: 'scalar', value: v, startLine: line, endLine: line }, line);
  }
  for (const path of m.runtime ?? []) {
    if (hasPath(request, path)) continue;
    setPath(request, path, { type: 'symbolic', expr: 'decided by the SageMaker SDK when the code runs', refs: [], startLine: line, endLine: line }, line);
  }
  return request;
}

function hasPath(root: MapNode, path: string): boolean {
  let node: Node | undefined = root;
  for (const segment of path.split('.')) {
    const indexed = /^(.+)\[0\]$/.exec(segment);
    const key = indexed ? indexed[1]! : segment;
    if (node?.type !== 'map') return false;
    const entry: MapEntry | undefined = node.entries.find((e) => e.key === key);
    node = entry ? (indexed && entry.value.type === 'list' ? entry.value.items[0] : entry.value) : undefined;
    if (!node) return false;
  }
  return true;
}
