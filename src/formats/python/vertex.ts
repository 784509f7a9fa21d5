/**
 * The Vertex AI SDK (`google-cloud-aiplatform`) in a Python module, read statically: each job,
 * pipeline job, endpoint and deployment the module creates, as the REST resource the SDK sends for
 * it (camelCase, as the REST API names the fields), by rules/mappings/vertex-sdk.yaml. A job and
 * the `.run(...)`/`.submit(...)` that starts it are one resource; `aiplatform.init(...)` gives the
 * key, network and service account a call omits. Values are read as python/values.ts reads them;
 * what cannot be known (a parameter, `**kwargs`, a run this module does not show) is unknown,
 * never absent. Nothing is imported or run.
 */
import { readFileSync } from 'node:fs';
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import type { ListNode, MapNode, Node, Scalar, SymbolicNode, Target } from '../../document.js';
import { Addresses } from '../addresses.js';
import { hasPath, resolvedExpression, setPath } from './sdk.js';
import type { Scopes } from './scopes.js';
import { valueOf, type Scope } from './values.js';

export interface VertexRead {
  targets: Target[];
  /** Vertex SDK names the module uses that are not read. */
  unread: Set<string>;
}

interface Mapped {
  positional?: string[];
  arguments: Record<string, string>;
  written?: Record<string, Scalar>;
  /** Arguments the SDK writes only when truthy. */
  truthy?: string[];
  /** Seconds, written as `"<N>s"`. */
  durations?: string[];
  /** Arguments whose dict keys are snake_case in Python and camelCase in the request. */
  camel?: string[];
  /** Argument -> the `aiplatform.init` argument used when it is omitted. */
  fallbacks?: Record<string, string>;
}

interface RunMapping extends Mapped {
  methods: string[];
  rename?: Record<string, string>;
}

interface ConstructMapping extends Mapped {
  target: string;
  pool?: { from: 'call' | 'run'; at: string; image: string; key: string };
  run?: RunMapping;
  model?: boolean;
  job?: { argument: string; from: string; at: string };
}

interface DeployMapping extends Mapped {
  target: string;
  positional: string[];
  byReceiver: { model: string[]; endpoint: string[] };
  endpoint: Mapped;
}

interface VertexMapping {
  init: string[];
  references: Set<string>;
  pools: { arguments: Record<string, string>; written: Record<string, Scalar>; replicas: string };
  constructs: Map<string, ConstructMapping>;
  deploy: DeployMapping;
}

const MAPPING_FILE = new URL('../../../rules/mappings/vertex-sdk.yaml', import.meta.url);
let mapping: VertexMapping | undefined;

/** The mapping, read once; ours, so a malformed entry is a bug that says where. */
export function vertexMapping(): VertexMapping {
  if (mapping) return mapping;
  const data = parseYaml(readFileSync(MAPPING_FILE, 'utf8'), { merge: true }) as {
    init: string[];
    references: string[];
    pools: VertexMapping['pools'];
    constructs: Record<string, ConstructMapping>;
    deploy: Omit<DeployMapping, 'positional' | 'byReceiver'> & { positional: DeployMapping['byReceiver'] };
  };
  for (const [id, c] of Object.entries(data.constructs)) {
    if (!c.target || !c.arguments) throw new Error(`rules/mappings/vertex-sdk.yaml: ${id}: target and arguments are required`);
  }
  const { positional, ...deploy } = data.deploy;
  mapping = {
    init: data.init,
    references: new Set(data.references),
    pools: data.pools,
    constructs: new Map(Object.entries(data.constructs)),
    deploy: { ...deploy, positional: [], byReceiver: positional },
  };
  return mapping;
}

/** The resource types the reader makes targets of (FormatModule.holds). */
export function vertexTypes(): ReadonlySet<string> {
  if (!types) {
    const m = vertexMapping();
    types = new Set([...[...m.constructs.values()].map((c) => c.target), m.deploy.target]);
  }
  return types;
}
let types: ReadonlySet<string> | undefined;

/** Submodules whose classes the `aiplatform` package re-exports (`aiplatform.jobs.CustomJob`). */
const CLASS_MODULES = new Set(['jobs', 'models', 'training_jobs', 'pipeline_jobs']);
const PREBUILT = /(?:docker\.pkg\.dev\/vertex-ai\/|gcr\.io\/cloud-aiplatform\/)/;
const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;

/** The names a module binds to the SDK, from its imports anywhere in the file (notebooks and components import inside functions). */
interface VertexImports {
  /** Local names of the `aiplatform` module (or a submodule that re-exports its classes). */
  modules: Set<string>;
  /** `from google.cloud.aiplatform import CustomJob as CJ`: CJ -> CustomJob. */
  names: Map<string, string>;
  /** `import google.cloud.aiplatform` without an alias. */
  dotted: boolean;
}

function vertexImports(root: SyntaxNode): VertexImports {
  const out: VertexImports = { modules: new Set(), names: new Map(), dotted: false };
  for (const n of root.descendantsOfType(['import_from_statement', 'import_statement'])) {
    if (n.type === 'import_from_statement') {
      const from = n.childForFieldName('module_name')?.text ?? '';
      const inPackage = from === 'google.cloud.aiplatform' || from.startsWith('google.cloud.aiplatform.');
      if (from !== 'google.cloud' && !inPackage) continue;
      for (const c of n.childrenForFieldName('name')) {
        if (!c) continue;
        const original = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
        const local = c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text;
        if (!original || !local) continue;
        if (from === 'google.cloud') {
          if (original === 'aiplatform') out.modules.add(local);
        } else if (from === 'google.cloud.aiplatform' && CLASS_MODULES.has(original)) out.modules.add(local);
        else out.names.set(local, original);
      }
      continue;
    }
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        if (!c) continue;
        const dotted = c.type === 'aliased_import' ? c.childForFieldName('name')?.text : c.text;
        if (!dotted) continue;
        const sub = dotted.startsWith('google.cloud.aiplatform.') ? dotted.slice('google.cloud.aiplatform.'.length) : undefined;
        if (dotted !== 'google.cloud.aiplatform' && !(sub && CLASS_MODULES.has(sub))) continue;
        if (c.type === 'aliased_import') out.modules.add(c.childForFieldName('alias')?.text ?? '');
        else out.dotted = true;
      }
    }
  }
  return out;
}

/** The SDK name a callee stands for, below the package (`CustomJob`, `CustomJob.from_local_script`, `init`). */
function vertexName(callee: SyntaxNode | null | undefined, imports: VertexImports): string | undefined {
  const segments: string[] = [];
  let n: SyntaxNode | null | undefined = callee;
  while (n?.type === 'attribute') {
    const a = n.childForFieldName('attribute')?.text;
    if (!a) return undefined;
    segments.unshift(a);
    n = n.childForFieldName('object');
  }
  if (n?.type !== 'identifier') return undefined;
  let rest: string[];
  if (imports.modules.has(n.text)) rest = segments;
  else if (imports.names.has(n.text)) rest = [imports.names.get(n.text)!, ...segments];
  else if (n.text === 'google' && imports.dotted && segments[0] === 'cloud' && segments[1] === 'aiplatform') rest = segments.slice(2);
  else return undefined;
  if (rest.length > 1 && CLASS_MODULES.has(rest[0]!) && /^[A-Z]/.test(rest[1]!)) rest = rest.slice(1);
  return rest.length > 0 ? rest.join('.') : undefined;
}

/** A call's arguments by name (positional ones named by `positional`); `unknown` when `*`/`**` or an unplaced positional argument may set anything. */
interface Args {
  values: Map<string, SyntaxNode>;
  unknown: boolean;
  call: SyntaxNode;
}

function argumentsOf(call: SyntaxNode, positional: readonly string[] = []): Args {
  const out: Args = { values: new Map(), unknown: false, call };
  let at = 0;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) out.values.set(name, value);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') out.unknown = true;
    else {
      const name = positional[at++];
      if (name === undefined) out.unknown = true;
      else out.values.set(name, a);
    }
  }
  return out;
}

function symbolicAt(expr: string, at: number, end = at): SymbolicNode {
  return { type: 'symbolic', expr, refs: [], startLine: at, endLine: end };
}

/** `"...{}...".format(A, B)` with every value known: the string it makes. */
function formatted(call: SyntaxNode, scope: Scope): Node | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return undefined;
  const object = fn.childForFieldName('object');
  const template = object ? valueOf(object, scope) : undefined;
  if (template?.type !== 'scalar' || typeof template.value !== 'string' || /\{\{|\}\}/.test(template.value)) return undefined;
  const values: string[] = [];
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument' || a.type === 'list_splat' || a.type === 'dictionary_splat') return undefined;
    const v = valueOf(a, scope);
    if (v.type !== 'scalar' || (typeof v.value !== 'string' && typeof v.value !== 'number')) return undefined;
    values.push(String(v.value));
  }
  let next = 0;
  let ok = true;
  const out = template.value.replace(/\{(\d*)\}|\{[^}]*\}/g, (m, index: string | undefined) => {
    if (index === undefined) ok = false;
    const v = index === '' ? values[next++] : values[Number(index)];
    if (v === undefined) ok = false;
    return v ?? m;
  });
  return ok ? { type: 'scalar', value: out, startLine: line(call), endLine: endLine(call) } : undefined;
}

/** An argument's value: as values.ts reads it, and a `str.format` of known values as the string it makes. */
function argumentValue(n: SyntaxNode, scope: Scope): Node {
  const e = resolvedExpression(n, scope);
  if (e?.type === 'call') {
    const f = formatted(e, scope);
    if (f) return f;
  }
  return valueOf(n, scope);
}

const isFalsy = (v: Node) => v.type === 'scalar' && (v.value === null || v.value === false || v.value === 0 || v.value === '');

/** snake_case keys as camelCase, all the way down (a worker pool spec given as a dict). */
function camelKeys(n: Node, depth = 0): Node {
  if (depth > 64) return n;
  if (n.type === 'map') return { ...n, entries: n.entries.map((e) => ({ ...e, key: e.key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()), value: camelKeys(e.value, depth + 1) })) };
  if (n.type === 'list') return { ...n, items: n.items.map((i) => camelKeys(i, depth + 1)) };
  return n;
}

function renamePath(path: string, rename: Readonly<Record<string, string>> | undefined): string {
  if (!rename) return path;
  const [head, ...rest] = path.split('.');
  return [rename[head!] ?? head!, ...rest].join('.');
}

/** What `aiplatform.init(...)` calls of the module give, by init argument; absent when no call gives it. */
type InitValues = Map<string, Node>;

function initValues(calls: readonly SyntaxNode[], scopes: Scopes, names: readonly string[]): InitValues {
  const out: InitValues = new Map();
  const given = new Map<string, Node[]>();
  let unknownAt: SyntaxNode | undefined;
  for (const call of calls) {
    const args = argumentsOf(call);
    if (args.unknown) unknownAt ??= call;
    const scope = scopes.placeOf(call).scope;
    for (const name of names) {
      const v = args.values.get(name);
      if (!v) continue;
      const value = argumentValue(v, scope);
      if (!isFalsy(value)) given.set(name, [...(given.get(name) ?? []), value]);
    }
  }
  for (const name of names) {
    const values = given.get(name) ?? [];
    if (unknownAt) out.set(name, symbolicAt(`aiplatform.init(${unknownAt.childForFieldName('arguments')?.text.slice(1, 100) ?? ''}`, line(unknownAt)));
    else if (values.length === 1) out.set(name, values[0]!);
    // Several calls that set it: which one applies depends on the order the code runs in.
    else if (values.length > 1) out.set(name, { ...symbolicAt('set by several aiplatform.init calls', values[0]!.startLine), startLine: values[0]!.startLine, endLine: values[0]!.endLine });
  }
  return out;
}

/** A call on a value (`job.run(...)`, `model.deploy(...)`): the call that built its receiver, when the reader can follow it. */
interface MethodCall {
  call: SyntaxNode;
  method: string;
  receiver: SyntaxNode | undefined;
}

class VertexReader {
  private readonly m = vertexMapping();
  private readonly imports: VertexImports;
  readonly unread = new Set<string>();
  private readonly inits: SyntaxNode[] = [];
  private readonly constructs: { call: SyntaxNode; id: string }[] = [];
  private readonly methods: MethodCall[] = [];
  private readonly names = new Map<number, string>();
  private init: InitValues = new Map();
  private readonly addresses = new Addresses();

  constructor(
    private readonly root: SyntaxNode,
    private readonly scopes: Scopes,
  ) {
    this.imports = vertexImports(root);
  }

  read(): Target[] {
    if (this.imports.modules.size === 0 && this.imports.names.size === 0 && !this.imports.dotted) return [];
    this.walk();
    this.init = initValues(this.inits, this.scopes, this.m.init);
    // A custom job a tuning job runs as its trials is part of that job.
    const consumed = new Set<number>();
    for (const c of this.constructs) {
      const job = this.m.constructs.get(c.id)!.job;
      if (!job) continue;
      const arg = argumentsOf(c.call, this.m.constructs.get(c.id)!.positional).values.get(job.argument);
      const inner = arg ? this.builtBy(arg) : undefined;
      if (inner) consumed.add(inner.id);
    }
    const items: { at: SyntaxNode; make: () => Target[] }[] = [];
    for (const c of this.constructs) if (!consumed.has(c.call.id)) items.push({ at: c.call, make: () => this.constructTargets(c.call, c.id) });
    for (const mc of this.methods) {
      if (mc.method !== 'deploy' || !mc.receiver) continue;
      const kind = this.receiverKind(mc.receiver);
      if (kind) items.push({ at: mc.call, make: () => this.deployTargets(mc.call, kind) });
    }
    items.sort((a, b) => a.at.startIndex - b.at.startIndex);
    return items.flatMap((i) => i.make());
  }

  private walk(): void {
    for (const n of this.root.descendantsOfType('call')) this.visit(n);
  }

  private visit(call: SyntaxNode): void {
    const callee = call.childForFieldName('function');
    const name = vertexName(callee, this.imports);
    if (name !== undefined) {
      this.names.set(call.id, name);
      if (name === 'init') this.inits.push(call);
      else if (this.m.constructs.has(name)) this.constructs.push({ call, id: name });
      else if (!this.m.references.has(name) && /^[A-Z]/.test(name)) this.unread.add(name);
      return;
    }
    if (callee?.type !== 'attribute') return;
    const method = callee.childForFieldName('attribute')?.text;
    const object = callee.childForFieldName('object');
    if (!method || !object || !['run', 'submit', 'deploy'].includes(method)) return;
    this.methods.push({ call, method, receiver: this.builtBy(object) });
  }

  /** The call an expression's value comes from (itself, or the call a name is bound to once). */
  private builtBy(n: SyntaxNode): SyntaxNode | undefined {
    const e = resolvedExpression(n, this.scopes.placeOf(n).scope);
    return e?.type === 'call' ? e : undefined;
  }

  private nameOf(call: SyntaxNode): string | undefined {
    return this.names.get(call.id) ?? vertexName(call.childForFieldName('function'), this.imports);
  }

  /** Whether a deploy's receiver is a model (a Vertex Model, or the model a training job's run returns) or an endpoint. */
  private receiverKind(receiver: SyntaxNode): 'model' | 'endpoint' | undefined {
    const name = this.nameOf(receiver);
    if (name !== undefined) {
      const head = name.split('.')[0];
      if (head === 'Model') return 'model';
      if (head === 'Endpoint' || head === 'PrivateEndpoint') return 'endpoint';
      return undefined;
    }
    const run = this.methods.find((mc) => mc.call.id === receiver.id && mc.method === 'run');
    const job = run?.receiver ? this.nameOf(run.receiver) : undefined;
    return job !== undefined && this.m.constructs.get(job)?.model ? 'model' : undefined;
  }

  /** A job and each of its runs: one target a run (a run not in this module: its settings unknown). */
  private constructTargets(call: SyntaxNode, id: string): Target[] {
    const m = this.m.constructs.get(id)!;
    const runs = m.run ? this.methods.filter((mc) => mc.receiver?.id === call.id && m.run!.methods.includes(mc.method)) : [];
    const fn = this.scopes.placeOf(call).fn;
    const list = m.run && runs.length > 0 ? runs.map((r) => r.call) : [undefined];
    return list.map((run) => {
      const { request, anchors } = this.request(call, m, run);
      const address = this.addresses.next(fn, id);
      const t: Target = { type: m.target, name: address, address, node: request, startLine: line(call), endLine: endLine(call) };
      if (Object.keys(anchors).length > 0) t.anchors = anchors;
      return t;
    });
  }

  /** The resource a job makes with its run (`run` undefined: not run in this module; null: run by another job). */
  private request(call: SyntaxNode, m: ConstructMapping, run: SyntaxNode | undefined | null): { request: MapNode | SymbolicNode; anchors: Record<string, number> } {
    const scope = this.scopes.placeOf(call).scope;
    const args = argumentsOf(call, m.positional);
    const request: MapNode = { type: 'map', entries: [], startLine: line(call), endLine: endLine(call) };
    const anchors: Record<string, number> = {};
    if (args.unknown) {
      // Any argument may be in `**kwargs`: the whole request is unknown.
      return { request: symbolicAt(args.call.childForFieldName('arguments')?.text.slice(0, 120) ?? '', line(call), endLine(call)), anchors };
    }
    const given = this.apply(request, m, args, scope);
    let runArgs: Args | undefined;
    if (m.run && run !== null) {
      const r = m.run;
      const rename = r.rename;
      const runLine = run ? line(run) : line(call);
      for (const path of Object.values(r.arguments)) anchors[renamePath(path, rename)] = runLine;
      if (m.pool?.from === 'run') anchors[m.pool.at] = runLine;
      if (run) {
        runArgs = argumentsOf(run, r.positional);
        if (!runArgs.unknown) {
          const renamed: Mapped = { ...r, arguments: Object.fromEntries(Object.entries(r.arguments).map(([a, p]) => [a, renamePath(p, rename)])) };
          for (const a of this.apply(request, renamed, runArgs, this.scopes.placeOf(run).scope)) given.add(a);
          this.fallback(request, renamed, given, runLine);
        } else this.unknownPaths(request, Object.values(r.arguments).map((p) => renamePath(p, rename)), run, 'arguments given with ** or *');
      } else this.unknownPaths(request, Object.values(r.arguments).map((p) => renamePath(p, rename)), call, 'set where the job is run, which this module does not show');
    }
    this.fallback(request, m, given, line(call));
    if (m.pool) this.pools(request, m, args, scope, m.pool.from === 'call' ? args : run === null ? undefined : runArgs, run ?? call);
    if (m.job) this.placeJob(request, m, args);
    this.written(request, m.written, line(call));
    return { request, anchors };
  }

  /** Sets each mapped argument at its path; returns the arguments given (a falsy one the SDK drops is not). */
  private apply(request: MapNode, m: Mapped, args: Args, scope: Scope): Set<string> {
    const given = new Set<string>();
    for (const [name, node] of args.values) {
      const path = m.arguments[name];
      if (!path) continue;
      let v = argumentValue(node, scope);
      if (v.type === 'scalar' && v.value === null) continue;
      if (m.truthy?.includes(name) && isFalsy(v)) continue;
      if (m.durations?.includes(name) && v.type === 'scalar' && typeof v.value === 'number') v = { ...v, value: `${v.value}s` };
      if (m.camel?.includes(name)) v = camelKeys(v);
      given.add(name);
      setPath(request, path, v, node.parent?.type === 'keyword_argument' ? line(node.parent) : line(node));
    }
    return given;
  }

  /** `aiplatform.init`'s value for what the call omits. */
  private fallback(request: MapNode, m: Mapped, given: ReadonlySet<string>, at: number): void {
    for (const [argument, initArgument] of Object.entries(m.fallbacks ?? {})) {
      const path = m.arguments[argument];
      const v = this.init.get(initArgument);
      if (!path || !v || given.has(argument) || hasPath(request, path)) continue;
      // The model's key applies only to a model the job uploads.
      const [head] = path.split('.');
      if (head === 'modelToUpload' && !hasPath(request, head)) continue;
      // Positioned where init sets it: a wrong value is reported there.
      setPath(request, path, v, v.type === 'symbolic' && v.expr.startsWith('aiplatform.init') ? at : v.startLine);
    }
  }

  private written(request: MapNode, written: Readonly<Record<string, Scalar>> | undefined, at: number): void {
    for (const [path, value] of Object.entries(written ?? {})) if (!hasPath(request, path)) setPath(request, path, { type: 'scalar', value, startLine: at, endLine: at }, at);
  }

  private unknownPaths(request: MapNode, paths: readonly string[], at: SyntaxNode, why: string): void {
    for (const path of paths) if (!hasPath(request, path)) setPath(request, path, symbolicAt(why, line(at)), line(at));
  }

  /** Worker pools from the machine arguments, as worker_spec_utils builds them. */
  private pools(request: MapNode, m: ConstructMapping, own: Args, scope: Scope, from: Args | undefined, at: SyntaxNode): void {
    const pool = m.pool!;
    if (!from || from.unknown) {
      if (!hasPath(request, pool.at)) setPath(request, pool.at, symbolicAt(from ? 'arguments given with ** or *' : 'set where the job is run, which this module does not show', line(at)), line(at));
      return;
    }
    const fromScope = this.scopes.placeOf(from.call).scope;
    const p = this.m.pools;
    const spec: MapNode = { type: 'map', entries: [], startLine: line(from.call), endLine: line(from.call) };
    this.apply(spec, { arguments: p.arguments }, from, fromScope);
    this.written(spec, p.written, line(from.call));
    // The accelerator is written only with a type other than UNSPECIFIED and a count that is not 0.
    const machine = spec.entries.find((e) => e.key === 'machineSpec')?.value;
    if (machine?.type === 'map') {
      const type = machine.entries.find((e) => e.key === 'acceleratorType')?.value;
      const count = machine.entries.find((e) => e.key === 'acceleratorCount')?.value;
      const noType = !type || (type.type === 'scalar' && (type.value === 'ACCELERATOR_TYPE_UNSPECIFIED' || isFalsy(type)));
      if (noType || !count || isFalsy(count)) machine.entries = machine.entries.filter((e) => e.key !== 'acceleratorType' && e.key !== 'acceleratorCount');
    }
    const imageArg = own.values.get(pool.image);
    if (imageArg) {
      const image = argumentValue(imageArg, scope);
      const key = pool.key !== 'auto' ? pool.key : image.type === 'scalar' && typeof image.value === 'string' && PREBUILT.test(image.value) ? 'pythonPackageSpec.executorImageUri' : 'containerSpec.imageUri';
      setPath(spec, key, image, line(imageArg));
    }
    const one: Node = { type: 'scalar', value: 1, startLine: line(from.call), endLine: line(from.call) };
    const replicasArg = from.values.get(p.replicas);
    const replicas = replicasArg ? argumentValue(replicasArg, fromScope) : undefined;
    const chief: MapNode = { ...spec, entries: [...spec.entries, { key: 'replicaCount', keyLine: line(from.call), value: one }] };
    const items: Node[] = [chief];
    if (replicas && replicas.type === 'scalar' && typeof replicas.value === 'number' && replicas.value > 1) {
      items.push({ ...spec, entries: [...spec.entries, { key: 'replicaCount', keyLine: replicas.startLine, value: { ...replicas, value: replicas.value - 1 } }] });
    } else if (replicas && replicas.type !== 'scalar') {
      items.push({ ...spec, entries: [...spec.entries, { key: 'replicaCount', keyLine: replicas.startLine, value: replicas }] });
    }
    const list: ListNode = { type: 'list', items, startLine: line(from.call), endLine: endLine(from.call) };
    setPath(request, pool.at, list, line(from.call));
  }

  /** A tuning job's trials run its custom job's spec. */
  private placeJob(request: MapNode, m: ConstructMapping, args: Args): void {
    const job = m.job!;
    const arg = args.values.get(job.argument);
    if (!arg) return;
    const inner = this.builtBy(arg);
    const id = inner ? this.nameOf(inner) : undefined;
    const innerMapping = id ? this.m.constructs.get(id) : undefined;
    const at = line(arg);
    if (!inner || !innerMapping || innerMapping.target !== 'CustomJob') {
      if (!hasPath(request, job.at)) setPath(request, job.at, symbolicAt(arg.text.slice(0, 120), at, endLine(arg)), at);
      return;
    }
    const built = this.request(inner, innerMapping, null).request;
    if (built.type !== 'map') {
      if (!hasPath(request, job.at)) setPath(request, job.at, built, at);
      return;
    }
    const spec = built.entries.find((e) => e.key === job.from)?.value;
    if (!spec) return;
    const existing = request.entries.find((e) => e.key === job.at);
    if (existing?.value.type === 'map' && spec.type === 'map') existing.value = { ...spec, entries: [...spec.entries.filter((e) => !hasPath(existing.value as MapNode, e.key)), ...existing.value.entries] };
    else if (!existing) setPath(request, job.at, spec, at);
  }

  /** `model.deploy(...)` / `endpoint.deploy(model, ...)`: the DeployedModel, and the Endpoint a model's deploy creates without one. */
  private deployTargets(call: SyntaxNode, receiver: 'model' | 'endpoint'): Target[] {
    const d = this.m.deploy;
    const { fn, scope } = this.scopes.placeOf(call);
    const args = argumentsOf(call, d.byReceiver[receiver]);
    const at = line(call);
    const make = (type: string, name: string, request: MapNode | SymbolicNode): Target => {
      const address = this.addresses.next(fn, name);
      return { type, name: address, address, node: request, startLine: at, endLine: endLine(call) };
    };
    const blank = (): MapNode => ({ type: 'map', entries: [], startLine: at, endLine: endLine(call) });
    if (args.unknown) {
      const unknown = () => symbolicAt(call.childForFieldName('arguments')?.text.slice(0, 120) ?? '', at, endLine(call));
      const out = [make(d.target, 'deploy', unknown())];
      if (receiver === 'model') out.push(make('Endpoint', 'deploy.Endpoint', unknown()));
      return out;
    }
    const deployed = blank();
    const given = this.apply(deployed, d, args, scope);
    this.fallback(deployed, d, given, at);
    const min = deployed.entries.find((e) => e.key === 'dedicatedResources')?.value;
    const minValue = min?.type === 'map' ? min.entries.find((e) => e.key === 'minReplicaCount')?.value : undefined;
    if (!hasPath(deployed, 'dedicatedResources.maxReplicaCount')) {
      // max_replica_count is raised to at least min_replica_count.
      const max: Node = minValue && (minValue.type !== 'scalar' || typeof minValue.value === 'number') ? (minValue.type === 'scalar' ? { ...minValue, value: Math.max(1, minValue.value as number), startLine: at, endLine: at } : minValue) : { type: 'scalar', value: 1, startLine: at, endLine: at };
      setPath(deployed, 'dedicatedResources.maxReplicaCount', max, at);
    }
    this.written(deployed, d.written, at);
    const out = [make(d.target, 'deploy', deployed)];
    const endpointArg = args.values.get('endpoint');
    const endpointGiven = endpointArg && !(endpointArg.type === 'none');
    if (receiver === 'model' && !endpointGiven) {
      const endpoint = blank();
      const g = this.apply(endpoint, d.endpoint, args, scope);
      this.fallback(endpoint, d.endpoint, g, at);
      out.push(make('Endpoint', 'deploy.Endpoint', endpoint));
    }
    return out;
  }
}

export function readVertex(root: SyntaxNode, scopes: Scopes): VertexRead {
  const reader = new VertexReader(root, scopes);
  const targets = reader.read();
  return { targets, unread: reader.unread };
}
