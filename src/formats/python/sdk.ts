/**
 * The SageMaker Python SDK's mapping (rules/mappings/sagemaker-sdk.yaml) and how a call is read by
 * it: which SDK name a callee refers to, and the API request a call's arguments make (values of
 * SDK value classes mapped in turn, what the SDK writes for omitted arguments added).
 */
import { readFileSync } from 'node:fs';
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import type { MapEntry, MapNode, Node, Scalar } from '../../document.js';
import { emptyMap } from '../tree.js';
import { bindingOf, listItems, MAX_DEPTH, valueOf, type Scope } from './values.js';

export interface ArgumentMapping {
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
  /** A method whose request starts from what its receiver's own arguments map (a monitor's schedule). */
  receiver?: boolean;
  /** Absent for a construct that is no job of its own (a model monitor). */
  target?: string;
  answers: 'sagemaker-pipeline' | 'cloudformation';
  under: string;
  /** The step Type its request becomes in a pipeline. */
  step?: string;
  /** An argument that is another construct, whose request is placed at a path of this one. */
  job?: { argument: string; at: string; rename?: Record<string, string>; drop?: string[] };
}

/** A pipeline step class (`TrainingStep`). */
export interface StepMapping extends ArgumentMapping {
  /** The step's Type; without one, the Type of its job's construct (`ModelStep`). */
  type?: string;
  /** Arguments giving the job the step runs, whose request is the step's `Arguments`. */
  job?: string[];
  /** Arguments holding steps nested in this one, and the key under `Arguments` they go. */
  branches?: Record<string, string>;
}

interface SdkMapping {
  constructs: Construct[];
  byClass: Map<string, Construct>;
  byDecorator: Map<string, Construct>;
  values: Map<string, ArgumentMapping>;
  steps: Map<string, StepMapping>;
  /** What every step takes (`name`, `retry_policies`...), at step level. */
  stepArguments: Record<string, string>;
  pipeline: PipelineMapping;
  positional: Map<string, string[]>;
  helpers: Set<string>;
}

/** `Pipeline(...)`: the definition's top level, and how its `parameters` are declared. */
export interface PipelineMapping extends ArgumentMapping {
  classes: string[];
  parameters: { arguments: Record<string, string> };
}

const MAPPING_FILE = new URL('../../../rules/mappings/sagemaker-sdk.yaml', import.meta.url);
let mapping: SdkMapping | undefined;

/** The mapping, read once; ours, so a malformed entry is a bug that says where. */
export function sdkMapping(): SdkMapping {
  if (mapping) return mapping;
  // Merge keys (`<<: *retry`) share argument lists between related classes.
  const data = parseYaml(readFileSync(MAPPING_FILE, 'utf8'), { merge: true }) as {
    constructs: Record<string, Omit<Construct, 'id'>>;
    values: Record<string, ArgumentMapping>;
    steps: Record<string, StepMapping>;
    'step-arguments': Record<string, string>;
    pipeline: PipelineMapping;
    positional: Record<string, string[]>;
    helpers: string[];
  };
  const constructs: Construct[] = [];
  const byClass = new Map<string, Construct>();
  const byDecorator = new Map<string, Construct>();
  for (const [id, c] of Object.entries(data.constructs)) {
    if ((c.target && (!c.under || (c.answers !== 'sagemaker-pipeline' && c.answers !== 'cloudformation'))) || !c.arguments || (!c.classes && !c.method && !c.decorators)) {
      throw new Error(`rules/mappings/sagemaker-sdk.yaml: ${id}: arguments, classes, decorators or method, and with a target its answers and under are required`);
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
    steps: new Map(Object.entries(data.steps).map(([cls, m]) => [cls, { ...m, arguments: m.arguments ?? {} }])),
    stepArguments: data['step-arguments'],
    pipeline: data.pipeline,
    positional: new Map(Object.entries(data.positional)),
    helpers: new Set(data.helpers),
  };
  return mapping;
}

/** The names the file binds to the SDK: `from sagemaker.x import A as B` (B -> A), and module aliases. */
export interface SdkImports {
  names: Map<string, string>;
  modules: Set<string>;
  /** Calls of SDK value classes (`DataCaptureConfig(...)`) some request was read with: any other is not read. */
  valuesRead: Set<number>;
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
  return { names, modules, valuesRead: new Set() };
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
export function setPath(root: MapNode, path: string, value: Node, keyLine: number): void {
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
  const e = resolvedExpression(n, scope);
  return e?.type === 'call' ? e : undefined;
}

/**
 * The request a call builds by a mapping: its arguments at their paths (an SDK value construct's
 * arguments mapped in turn), then what the SDK writes for those omitted. A positional argument the
 * mapping does not place, or `**kwargs`, makes it unknown.
 */
export function requestFrom(call: SyntaxNode, cls: string, m: ArgumentMapping, scope: Scope, imports: SdkImports, depth = 0): Node {
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
    const value = mappedValue(valueNode, scope, imports, depth + 1);
    // `None` is the SDK's "not given": the request has no such key.
    if (value.type === 'scalar' && value.value === null) {
      given.delete(name);
      continue;
    }
    setPath(request, path, value, keyLine);
  }
  return withWritten(request, m, given);
}

/** How deep SDK values and lists of them are followed (`[StepRetryPolicy(...)]`, a condition in a condition). */
const MAX_VALUE_DEPTH = 8;

/**
 * An argument's value: a call of an SDK value class (`NetworkConfig(...)`, `CacheConfig(...)`,
 * `ParameterString(...)`) as what it maps to, a list of them item by item, anything else as the
 * Python value it is.
 */
export function mappedValue(n: SyntaxNode, scope: Scope, imports: SdkImports, depth = 0): Node {
  const bound = depth < MAX_VALUE_DEPTH ? resolvedExpression(n, scope) : undefined;
  if (bound?.type === 'call') {
    const cls = sdkName(bound.childForFieldName('function'), imports);
    const m = cls ? sdkMapping().values.get(cls) : undefined;
    if (cls && m) {
      imports.valuesRead.add(bound.id);
      // One depth for values in values, so `c = ConditionNot(expression=c)` ends.
      return requestFrom(bound, cls, m, scope, imports, depth + 1);
    }
  }
  const items = bound ? listItems(bound) : undefined;
  if (bound && items) return { type: 'list', items: items.map((c) => mappedValue(c, scope, imports, depth + 1)), startLine: bound.startPosition.row + 1, endLine: bound.endPosition.row + 1 };
  return valueOf(n, scope);
}

/** The expression a name stands for, followed through simple bindings; the node itself when it is no name. */
export function resolvedExpression(n: SyntaxNode, scope: Scope): SyntaxNode | undefined {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (n.type !== 'identifier') return n;
    const bound = bindingOf(scope, n.text);
    if (!bound) return undefined;
    n = bound;
  }
  return undefined;
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

export function hasPath(root: MapNode, path: string): boolean {
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
