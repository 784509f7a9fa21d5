/**
 * SageMaker in Python and notebooks, read statically (never imported or run): the boto3 SageMaker
 * client's `create_*` calls (rules/mappings/boto3-sagemaker.yaml) and the SDK's estimators,
 * processors, models and `.deploy()` (rules/mappings/sagemaker-sdk.yaml, python/sdk.ts). Each is a
 * target whose node holds the API request under the key where a declarative format holds the same
 * request (`Arguments` of a pipeline step, `Properties` of a CloudFormation resource), so the rules
 * of those formats apply as they are (FormatModule.answers). Values are resolved as a reader would
 * (python/values.ts); what cannot be is unknown, and `**kwargs` makes a whole request unknown.
 *
 * What a file uses of the SDK beyond that (pipelines, steps, `@step`, tuners, monitors) is named in
 * the document's `meta.unread`, and the file is listed as partly reviewed (parse-change.ts).
 */
import { readFileSync } from 'node:fs';
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import type { Document, MapEntry, Node, NotAnArtifact, Target } from '../model.js';
import type { FormatModule } from './module.js';
import { guard, makeDocument } from './common.js';
import { SyntaxProblem } from './problem.js';
import { notebookCode } from './python/notebook.js';
import { countLines } from './tree.js';
import { pythonParser } from './python/parser.js';
import { boundCall, sdkImports, sdkMapping, sdkName, requestFrom, type Construct, type SdkImports } from './python/sdk.js';
import { bindingsOf, mutatedNames, valueOf, type Bindings, type Scope } from './python/values.js';
import { BOTO3_SAGEMAKER, pyImport } from './unread.js';

const KIND = 'sagemaker-python';

interface CallMapping {
  target: string;
  answers: 'sagemaker-pipeline' | 'cloudformation';
  under: string;
  name: string;
}

const MAPPING_FILE = new URL('../../rules/mappings/boto3-sagemaker.yaml', import.meta.url);
let mapping: ReadonlyMap<string, CallMapping> | undefined;

/** The mapping of boto3 calls, read once; ours, so a malformed entry is a bug that says where. */
function calls(): ReadonlyMap<string, CallMapping> {
  if (!mapping) {
    const data = parseYaml(readFileSync(MAPPING_FILE, 'utf8')) as { calls?: Record<string, Partial<CallMapping>> };
    const out = new Map<string, CallMapping>();
    for (const [method, m] of Object.entries(data.calls ?? {})) {
      if (!m.target || !m.under || !m.name || (m.answers !== 'sagemaker-pipeline' && m.answers !== 'cloudformation')) {
        throw new Error(`rules/mappings/boto3-sagemaker.yaml: ${method}: target, answers, under and name are required`);
      }
      out.set(method, m as CallMapping);
    }
    mapping = out;
  }
  return mapping;
}

const PY_PATH = /\.py$/i;
const NOTEBOOK_PATH = /\.ipynb$/i;
const CODE_PATH = /\.(?:py|ipynb)$/i;
const BOTO3 = pyImport('boto3');
const SAGEMAKER = pyImport('sagemaker');

export const sagemakerPython: FormatModule = {
  kind: KIND,
  phrase: 'a SageMaker Python file',
  address: '`<function>.<call>` (`run_training.create_training_job`; `<module>` outside functions, `#2` for a second call in one function)',
  documentAddress: 'module',
  comments: 'python',
  holds: () => false,
  fix: null,
  answers: [
    { kind: 'sagemaker-pipeline', under: 'Arguments' },
    { kind: 'cloudformation', under: 'Properties' },
  ],
  code: ['boto3-sagemaker', 'sagemaker'],
  accepts: (path) => CODE_PATH.test(path),
  claims: () => false,
  detect: (path, text) => CODE_PATH.test(path) && ((BOTO3.test(text) && BOTO3_SAGEMAKER.test(text)) || SAGEMAKER.test(text)),
  parse(path, text) {
    if (!NOTEBOOK_PATH.test(path)) return guard(KIND, path, () => parsePython(path, text, text));
    return guard(KIND, path, () => {
      const notebook = notebookCode(text);
      return parsePython(path, notebook.code, text, notebook.fileLine);
    });
  },
};

/**
 * Reads Python `code` of the file `text` (the same, or the notebook that holds it, with
 * `fileLine` mapping code lines to the notebook's). A syntax error throws, for guard().
 */
function parsePython(path: string, code: string, text: string, fileLine: (line: number) => number = (l) => l): Document | NotAnArtifact {
  const tree = pythonParser().parse(code);
  if (!tree) throw new SyntaxProblem('the Python parser gave no tree', 1);
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const bad = firstError(root);
      throw new SyntaxProblem('Python syntax error', fileLine(bad ? bad.startPosition.row + 1 : 1));
    }
    const { targets, unread } = callTargets(root);
    if (targets.length === 0) return { notArtifact: 'no SageMaker call or construct this reviewer reads' };
    for (const t of targets) relocate(t, fileLine);
    const rootNode: Node = { type: 'map', entries: targets.map((t) => ({ key: t.address, keyLine: t.startLine, value: t.node })), startLine: 1, endLine: countLines(text) };
    // What the file uses of the SDK that is not read: parse-change.ts lists it as partly reviewed.
    const meta = unread.size > 0 ? { unread: `uses SageMaker Python SDK constructs this reviewer does not read yet: ${[...unread].sort().join(', ')}` } : undefined;
    return makeDocument(KIND, path, text, rootNode, targets, meta);
  } finally {
    tree.delete(); // wasm memory is not garbage-collected
  }
}

/** Moves a target and everything in it from code lines to the file's lines (a notebook's JSON lines). */
function relocate(t: Target, fileLine: (line: number) => number): void {
  t.startLine = fileLine(t.startLine);
  t.endLine = fileLine(t.endLine);
  const stack: Node[] = [t.node];
  const seen = new Set<Node>();
  while (stack.length > 0) {
    const n = stack.pop()!;
    // A value bound once and used twice is one node in two places: moved once.
    if (seen.has(n)) continue;
    seen.add(n);
    n.startLine = fileLine(n.startLine);
    n.endLine = fileLine(n.endLine);
    if (n.type === 'map') {
      for (const e of n.entries) {
        e.keyLine = fileLine(e.keyLine);
        stack.push(e.value);
      }
    } else if (n.type === 'list') stack.push(...n.items);
  }
}

/** The first syntax error of a tree, breadth first, without recursion. */
function firstError(root: SyntaxNode): SyntaxNode | undefined {
  const queue: SyntaxNode[] = [root];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    if (n.type === 'ERROR' || n.isMissing) return n;
    for (const c of n.children) if (c && c.hasError) queue.push(c);
  }
  return undefined;
}

/**
 * Every mapped call: boto3 `x.create_*(...)`, SDK constructs (`PyTorch(...)`) and methods
 * (`model.deploy(...)`), each with its function's scope; and the SDK names used that are not read.
 * Iterative: no depth limit to hit.
 */
function callTargets(root: SyntaxNode): { targets: Target[]; unread: Set<string> } {
  const mutated = mutatedNames(root);
  const moduleBindings = bindingsOf(root, mutated);
  const imports = sdkImports(root);
  const sdk = sdkMapping();
  const targets: Target[] = [];
  const unread = new Set<string>();
  const seen = new Map<string, number>();
  const stack: { node: SyntaxNode; fn: string | undefined; scope: Scope }[] = [{ node: root, fn: undefined, scope: { chain: [moduleBindings], params: new Set() } }];
  while (stack.length > 0) {
    const { node, fn, scope } = stack.pop()!;
    let inner = { fn, scope };
    if (node.type === 'function_definition') {
      const body = node.childForFieldName('body');
      const chain: Bindings[] = body ? [bindingsOf(body, mutated), moduleBindings] : [moduleBindings];
      inner = { fn: node.childForFieldName('name')?.text ?? fn, scope: { chain, params: paramsOf(node) } };
    } else if (node.type === 'decorator') {
      const d = node.namedChildren[0];
      const name = sdkName(d?.type === 'call' ? d.childForFieldName('function') : d, imports);
      const construct = name ? sdk.byDecorator.get(name) : undefined;
      if (d && name && construct) targets.push(decoratorTarget(node, d, name, construct, fn, scope, seen, imports));
      else if (name && !sdk.byClass.has(name) && !sdk.values.has(name) && !sdk.helpers.has(name)) unread.add(`@${name}`);
    } else if (node.type === 'call') {
      const t = callTarget(node, fn, scope, seen) ?? sdkTarget(node, fn, scope, seen, imports);
      if (t) targets.push(t);
      else {
        const name = sdkName(node.childForFieldName('function'), imports);
        if (name && !sdk.values.has(name) && !sdk.helpers.has(name) && /^[A-Z]/.test(name)) unread.add(name);
      }
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const c = node.namedChild(i);
      if (c) stack.push({ node: c, ...inner });
    }
  }
  return { targets: targets.sort((a, b) => a.startLine - b.startLine), unread };
}

/** A decorated function that runs as a job (`@step(...) def train(...)`), addressed by the function. */
function decoratorTarget(
  decorator: SyntaxNode,
  expr: SyntaxNode,
  name: string,
  construct: Construct,
  fn: string | undefined,
  scope: Scope,
  seen: Map<string, number>,
  imports: SdkImports,
): Target {
  const defined = decorator.parent?.childForFieldName('definition')?.childForFieldName('name')?.text ?? name;
  return requestTarget(construct.target, construct.under, addressFor(seen, fn, defined), decorator, requestFrom(expr, name, construct, scope, imports));
}

/** A target spanning `at`, whose node holds the request under the key its format keeps it (`Arguments`). */
function requestTarget(type: string, under: string, address: string, at: SyntaxNode, request: Node): Target {
  const startLine = at.startPosition.row + 1;
  const endLine = at.endPosition.row + 1;
  const node: Node = { type: 'map', entries: [{ key: under, keyLine: startLine, value: request }], startLine, endLine };
  return { type, name: address, address, node, startLine, endLine };
}

/** A stable address: `<function>.<name>`, `#2` for a second one in the same function. */
function addressFor(seen: Map<string, number>, fn: string | undefined, name: string): string {
  const base = `${fn ?? '<module>'}.${name}`;
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  return n === 1 ? base : `${base}#${n}`;
}

/** The name a call's value is assigned to (`estimator = PyTorch(...)`), if it is. */
function assignedName(call: SyntaxNode): string | undefined {
  const parent = call.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== call.id) return undefined;
  const left = parent.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

/** An SDK construct (`PyTorch(...)`) or method on one (`model.deploy(...)`) as a target. */
function sdkTarget(call: SyntaxNode, fn: string | undefined, scope: Scope, seen: Map<string, number>, imports: SdkImports): Target | undefined {
  const sdk = sdkMapping();
  const callee = call.childForFieldName('function');
  let construct: Construct | undefined;
  let cls: string | undefined;
  let name: string | undefined;
  const direct = sdkName(callee, imports);
  if (direct && sdk.byClass.has(direct)) {
    construct = sdk.byClass.get(direct);
    cls = direct;
    name = assignedName(call) ?? direct;
  } else if (callee?.type === 'attribute') {
    const method = callee.childForFieldName('attribute')?.text;
    const receiver = callee.childForFieldName('object');
    const m = sdk.constructs.find((c) => c.method === method);
    if (!m || receiver?.type !== 'identifier') return undefined;
    // The receiver must be built by a construct the method belongs to (`model = Model(...)`).
    const bound = boundCall(receiver, scope);
    const builder = bound ? sdkName(bound.childForFieldName('function'), imports) : undefined;
    const of = builder ? sdk.byClass.get(builder) : undefined;
    if (!of || !m.on?.includes(of.id)) return undefined;
    construct = m;
    cls = method;
    name = `${receiver.text}.${method}`;
  }
  if (!construct || !cls || !name) return undefined;
  return requestTarget(construct.target, construct.under, addressFor(seen, fn, name), call, requestFrom(call, cls, construct, scope, imports));
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

function callTarget(call: SyntaxNode, fn: string | undefined, scope: Scope, seen: Map<string, number>): Target | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text;
  const m = method ? calls().get(method) : undefined;
  if (!method || !m) return undefined;
  const request = requestOf(call, scope);
  const target = requestTarget(m.target, m.under, addressFor(seen, fn, method), call, request);
  // Named by what it creates, when that is a literal (messages only; the address stays stable).
  const name = request.type === 'map' ? request.entries.find((e) => e.key === m.name)?.value : undefined;
  if (name?.type === 'scalar') target.name = String(name.value);
  return target;
}

/**
 * The keyword arguments as the request map. `**params` adds the entries of a dict the reader can
 * resolve (a literal bound once and never changed); any other `**` or a positional argument makes
 * the whole request unknown: any argument may be in it.
 */
function requestOf(call: SyntaxNode, scope: Scope): Node {
  const args = call.childForFieldName('arguments');
  const startLine = call.startPosition.row + 1;
  const endLine = call.endPosition.row + 1;
  const unknown: Node = { type: 'symbolic', expr: (args?.text ?? '').slice(0, 120), refs: [], startLine, endLine };
  const entries: MapEntry[] = [];
  for (const a of args?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'dictionary_splat') {
      const inner = a.namedChildren[0];
      const v = inner ? valueOf(inner, scope) : undefined;
      if (v?.type !== 'map') return unknown;
      for (const e of v.entries) entries.push(e);
      continue;
    }
    if (a.type !== 'keyword_argument') return unknown;
    const key = a.childForFieldName('name')?.text;
    const value = a.childForFieldName('value');
    if (!key || !value) continue;
    entries.push({ key, keyLine: a.startPosition.row + 1, value: valueOf(value, scope) });
  }
  return { type: 'map', entries, startLine, endLine };
}
