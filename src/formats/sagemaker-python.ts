/**
 * SageMaker in Python, read statically (never imported or run): today the boto3 SageMaker client's
 * `create_*` calls that rules/mappings/boto3-sagemaker.yaml maps. Each call is a target whose node
 * holds its keyword arguments — the API request — under the key where a declarative format holds
 * the same request (`Arguments` of a pipeline step, `Properties` of a CloudFormation resource), so
 * the rules of those formats apply as they are (FormatModule.answers). Values are resolved as a
 * reader would (python/values.ts); what cannot be is unknown. A call with `**kwargs` is unknown as
 * a whole: any argument may be in it.
 *
 * The SageMaker Python SDK (estimators, processors, `@step`, `Pipeline`) is not read yet: a file
 * that uses it is listed as not reviewed (unread.ts), also when its boto3 calls are read here.
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
  code: ['boto3-sagemaker'],
  accepts: (path) => CODE_PATH.test(path),
  claims: () => false,
  detect: (path, text) => CODE_PATH.test(path) && BOTO3.test(text) && BOTO3_SAGEMAKER.test(text),
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
    const targets = callTargets(root);
    if (targets.length === 0) return { notArtifact: 'no boto3 SageMaker call this reviewer reads' };
    for (const t of targets) relocate(t, fileLine);
    const rootNode: Node = { type: 'map', entries: targets.map((t) => ({ key: t.address, keyLine: t.startLine, value: t.node })), startLine: 1, endLine: countLines(text) };
    return makeDocument(KIND, path, text, rootNode, targets);
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

/** Every mapped `x.create_*(...)` call, with its function's scope. Iterative: no depth limit to hit. */
function callTargets(root: SyntaxNode): Target[] {
  const mutated = mutatedNames(root);
  const moduleBindings = bindingsOf(root, mutated);
  const targets: Target[] = [];
  const seen = new Map<string, number>();
  const stack: { node: SyntaxNode; fn: string | undefined; scope: Scope }[] = [{ node: root, fn: undefined, scope: { chain: [moduleBindings], params: new Set() } }];
  while (stack.length > 0) {
    const { node, fn, scope } = stack.pop()!;
    let inner = { fn, scope };
    if (node.type === 'function_definition') {
      const body = node.childForFieldName('body');
      const chain: Bindings[] = body ? [bindingsOf(body, mutated), moduleBindings] : [moduleBindings];
      inner = { fn: node.childForFieldName('name')?.text ?? fn, scope: { chain, params: paramsOf(node) } };
    } else if (node.type === 'call') {
      const t = callTarget(node, fn, scope, seen);
      if (t) targets.push(t);
    }
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const c = node.namedChild(i);
      if (c) stack.push({ node: c, ...inner });
    }
  }
  return targets.sort((a, b) => a.startLine - b.startLine);
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
  const base = `${fn ?? '<module>'}.${method}`;
  const n = (seen.get(base) ?? 0) + 1;
  seen.set(base, n);
  const address = n === 1 ? base : `${base}#${n}`;
  const startLine = call.startPosition.row + 1;
  const endLine = call.endPosition.row + 1;
  const request = requestOf(call, scope);
  const node: Node = { type: 'map', entries: [{ key: m.under, keyLine: startLine, value: request }], startLine, endLine };
  const name = request.type === 'map' ? request.entries.find((e) => e.key === m.name)?.value : undefined;
  return { type: m.target, name: name?.type === 'scalar' ? String(name.value) : address, address, node, startLine, endLine };
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
