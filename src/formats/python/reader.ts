/**
 * What a Python file does with SageMaker, read from its syntax tree: the boto3 client's `create_*`
 * calls (rules/mappings/boto3-sagemaker.yaml) and the SDK's constructs (rules/mappings/sagemaker-sdk.yaml:
 * estimators, processors, tuners, models and their methods, `@step` functions, monitors and their
 * schedules), each as the API request it makes. The SageMaker pipelines a file builds from them are
 * read by pipeline.ts, with this reader's constructs as their steps' jobs.
 *
 * Each name is resolved in the scope of the call that uses it (the enclosing function's bindings,
 * then the module's), worked out from the tree on need, so a construct can be read when another
 * refers to it as well as where the walk meets it.
 */
import { readFileSync } from 'node:fs';
import type { Node as SyntaxNode } from 'web-tree-sitter';
import { parse as parseYaml } from 'yaml';
import type { MapEntry, MapNode, Node, Target } from '../../document.js';
import { hasPath, boundCall, requestFrom, sdkImports, sdkMapping, sdkName, setPath, type Construct, type SdkImports } from './sdk.js';
import { airflowImports, airflowMapping } from './airflow.js';
import type { ModuleSource } from './imports.js';
import { Addresses } from '../addresses.js';
import { Scopes, type Place } from './scopes.js';
import { valueOf, type Scope } from './values.js';

interface CallMapping {
  target: string;
  answers: 'sagemaker-pipeline' | 'cloudformation';
  under: string;
  name: string;
}

const MAPPING_FILE = new URL('../../../rules/mappings/boto3-sagemaker.yaml', import.meta.url);
let mapping: ReadonlyMap<string, CallMapping> | undefined;

/** The mapping of boto3 calls, read once; ours, so a malformed entry is a bug that says where. */
function boto3Calls(): ReadonlyMap<string, CallMapping> {
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

/** An SDK construct as read: the request it makes and, when it is a job of its own, its target. */
export interface Built {
  construct: Construct;
  /** The call (or decorator) that builds it. */
  at: SyntaxNode;
  request: Node;
  target?: Target;
  /** Lines where what is missing under a path of the request is added, when not at the call (a tuner's estimator). */
  anchors?: Record<string, number>;
  /** For a method (`model.register(...)`), the construct it is called on. */
  receiver?: Built;
  /** The calls a missing argument of its request may be added to (for fix suggestions). */
  sites: FixSite[];
}

/**
 * A call a missing argument can be added to, as a fix suggestion: the request part it builds (at
 * `prefix` of the request, '' for all of it), the argument that sets each path of that part (or,
 * for boto3, the top-level key itself), and the line of its `(` when the arguments start on the
 * lines below, where a new first argument can go without touching any other line.
 */
export interface FixSite {
  prefix: string;
  open: number;
  arguments?: Record<string, string>;
  /** boto3: a top-level key of the request is its own keyword argument. */
  keywords?: boolean;
  /** Keyword arguments the call has already (one set to None is not in the request, but is there). */
  given: string[];
  /** Request paths those arguments set, whatever their names (`train_volume_kms_key` sets what `volume_kms_key` would). */
  taken: string[];
}

export class SagemakerReader {
  readonly imports: SdkImports;
  /** Constructs by the id of the call that builds them. */
  private readonly built = new Map<number, Built | null>();
  /** `@step` functions by name: their decorator's construct. */
  readonly functionSteps = new Map<string, Built>();
  /** Constructs another one made part of itself (a tuner's estimator, a pipeline step's job): no job of their own. */
  readonly consumed = new Set<Built>();
  /** SDK names the file uses that are not read. */
  private readonly unreadNames = new Set<string>();
  /** Calls of SDK value classes, read only if a construct's request takes them. */
  private readonly valueCalls: { call: SyntaxNode; name: string }[] = [];
  private readonly boto3: Target[] = [];
  /** Constructs a call makes beside its own (a monitor's job definition beside its schedule). */
  private readonly extras: Built[] = [];
  private readonly boto3Sites = new Map<Target, FixSite[]>();
  private readonly scopes: Scopes;
  private readonly addresses = new Addresses();

  /** Names imported from Airflow, for its SageMaker operators. */
  private readonly airflow: Map<string, string>;

  constructor(root: SyntaxNode, path: string, modules: ModuleSource | undefined) {
    this.scopes = new Scopes(root, path, modules);
    this.imports = sdkImports(root);
    this.airflow = airflowImports(root);
  }

  /** Frees the syntax trees of the modules read for imported constants. */
  dispose(): void {
    this.scopes.dispose();
  }

  /** The function a node is in, and its scope. */
  placeOf(node: SyntaxNode): Place {
    return this.scopes.placeOf(node);
  }

  /** A stable address: `<function>.<name>`, `#2` for a second one in the same function. */
  address(fn: string | undefined, name: string): string {
    return this.addresses.next(fn, name);
  }

  /** Reads every call and decorator of the tree: the walk is iterative; reading one construct follows the names and constructs it refers to, within the bounds of values.ts and the memo of `construct`. */
  walk(root: SyntaxNode, visit: (call: SyntaxNode, name: string | undefined) => boolean): void {
    const sdk = sdkMapping();
    // In file order, outer before inner; found by the grammar's own walk (no node objects for the rest).
    for (const node of root.descendantsOfType(['decorator', 'call'])) {
      if (node.type === 'decorator') {
        const d = node.namedChildren[0];
        const name = sdkName(d?.type === 'call' ? d.childForFieldName('function') : d, this.imports);
        if (d && name && sdk.byDecorator.has(name)) this.decorated(node, d, name);
        else if (name && !sdk.byClass.has(name) && !sdk.values.has(name) && !sdk.helpers.has(name)) this.unreadNames.add(`@${name}`);
      } else if (node.type === 'call') {
        const name = sdkName(node.childForFieldName('function'), this.imports);
        // An SDK construct first: its methods may share a name with a boto3 call (`create_monitoring_schedule`).
        if (!this.construct(node) && !this.boto3Call(node) && !this.airflowOperator(node) && !visit(node, name) && name) {
          if (sdk.values.has(name)) this.valueCalls.push({ call: node, name });
          else if (!sdk.helpers.has(name) && /^[A-Z]/.test(name)) this.unreadNames.add(name);
        }
      }
    }
  }

  /**
   * SDK names the file uses that are not read: constructs not mapped, and values (a
   * `DataCaptureConfig(...)`) that no request read took. Asked once everything is read.
   */
  unread(): Set<string> {
    const out = new Set(this.unreadNames);
    for (const v of this.valueCalls) if (!this.imports.valuesRead.has(v.call.id)) out.add(v.name);
    return out;
  }

  /** The targets of the calls that are jobs of their own (not made part of another construct). */
  targets(): Target[] {
    const out = [...this.boto3];
    for (const b of [...this.built.values(), ...this.extras]) if (b?.target && !this.consumed.has(b)) out.push(b.target);
    return out.sort((a, b) => a.startLine - b.startLine);
  }

  /** The construct a call builds (`PyTorch(...)`, `model.deploy(...)`), read once; undefined when it is none. */
  construct(call: SyntaxNode): Built | undefined {
    const known = this.built.get(call.id);
    if (known !== undefined) return known ?? undefined;
    this.built.set(call.id, null); // a construct whose job refers back to itself reads as none
    const b = this.classConstruct(call) ?? this.methodConstruct(call);
    this.built.set(call.id, b ?? null);
    return b;
  }

  /** The construct an expression stands for: a call, or a name bound to one. */
  constructOf(n: SyntaxNode): Built | undefined {
    const call = boundCall(n, this.placeOf(n).scope);
    return call ? this.construct(call) : undefined;
  }

  private classConstruct(call: SyntaxNode): Built | undefined {
    const cls = sdkName(call.childForFieldName('function'), this.imports);
    const construct = cls ? sdkMapping().byClass.get(cls) : undefined;
    if (!cls || !construct) return undefined;
    const { fn, scope } = this.placeOf(call);
    const request = requestFrom(call, cls, construct, scope, this.imports);
    const b: Built = { construct, at: call, request, sites: siteOf(call, '', construct.arguments) };
    if (construct.job && request.type === 'map') {
      const inner = this.placeJob(call, cls, construct.job, request);
      if (inner) {
        b.anchors = { [construct.job.at]: inner.request.startLine };
        // What the job lacks is added to the construct it comes from (the tuner's estimator).
        for (const site of inner.sites) {
          const moved: FixSite = { ...site, prefix: join(construct.job.at, site.prefix) };
          if (site.arguments) moved.arguments = renamedPaths(site.arguments, construct.job.rename ?? {});
          b.sites.push(moved);
        }
      }
    }
    if (construct.target) {
      b.target = requestTarget(construct.target, construct.under, this.address(fn, assignedName(call) ?? cls), call, request);
      if (b.anchors) b.target.anchors = prefixed(construct.under, b.anchors);
    }
    return b;
  }

  /**
   * `HyperparameterTuner(estimator, ...)`: the estimator's request, as the SDK reshapes it, at the
   * tuner's path; the estimator is then part of the tuning job, no job of its own. Returns the
   * estimator, where what it lacks is added.
   */
  private placeJob(call: SyntaxNode, cls: string, job: NonNullable<Construct['job']>, request: MapNode): Built | undefined {
    const arg = argumentNode(call, job.argument, sdkMapping().positional.get(cls) ?? []);
    if (!arg) return undefined;
    const inner = this.constructOf(arg);
    const line = arg.startPosition.row + 1;
    if (!inner || inner.request.type !== 'map') {
      setPath(request, job.at, valueOf(arg, this.placeOf(arg).scope), line);
      return undefined;
    }
    this.consumed.add(inner);
    const copy = renamed(inner.request, job.rename ?? {});
    for (const path of job.drop ?? []) removePath(copy, path);
    setPath(request, job.at, copy, inner.request.startLine);
    return inner;
  }

  /** A method on a construct (`model.deploy(...)`, `monitor.create_monitoring_schedule(...)`). */
  private methodConstruct(call: SyntaxNode): Built | undefined {
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'attribute') return undefined;
    const method = callee.childForFieldName('attribute')?.text;
    const receiver = callee.childForFieldName('object');
    const candidates = sdkMapping().constructs.filter((c) => c.method === method);
    if (candidates.length === 0 || !method || receiver?.type !== 'identifier') return undefined;
    // The receiver must be built by a construct the method belongs to (`model = Model(...)`).
    const of = this.constructOf(receiver);
    const matches = of ? candidates.filter((c) => c.on?.includes(of.construct.id)) : [];
    if (!of || matches.length === 0) return undefined;
    // One call may make several resources (a monitor's schedule and its job definition): the first
    // is the call's construct, the others are targets of their own.
    const [first, ...more] = matches.map((m) => this.methodOf(call, method, receiver.text, m, of));
    this.extras.push(...more);
    return first;
  }

  private methodOf(call: SyntaxNode, method: string, receiver: string, m: Construct, of: Built): Built {
    const { fn, scope } = this.placeOf(call);
    const own = requestFrom(call, method, m, scope, this.imports);
    const request = m.receiver && of.request.type === 'map' && own.type === 'map' ? merged(of.request, own) : own;
    // The receiver's settings are added where the receiver is built, the method's own on the method.
    const sites = [...(m.receiver ? of.sites : []), ...siteOf(call, '', m.arguments)];
    const b: Built = { construct: m, at: call, request, receiver: of, sites };
    if (m.target) {
      b.target = requestTarget(m.target, m.under, this.address(fn, `${receiver}.${method}`), call, request);
      if (m.receiver) {
        // What the receiver's settings lack is reported on the receiver, under the part of the request they make.
        const part = join(m.under, commonPrefix(Object.values(of.construct.arguments).filter((p) => p !== 'Tags')));
        b.target.anchors = { [part]: of.at.startPosition.row + 1, ...prefixed(m.under, of.anchors ?? {}) };
      }
    }
    return b;
  }

  /** A decorated function that runs as a job (`@step(...) def train(...)`), addressed by the function. */
  private decorated(decorator: SyntaxNode, expr: SyntaxNode, name: string): void {
    const construct = sdkMapping().byDecorator.get(name)!;
    const defined = decorator.parent?.childForFieldName('definition')?.childForFieldName('name')?.text;
    const { fn, scope } = this.placeOf(decorator);
    const request = requestFrom(expr, name, construct, scope, this.imports);
    const b: Built = { construct, at: expr, request, sites: expr.type === 'call' ? siteOf(expr, '', construct.arguments) : [] };
    if (construct.target) b.target = requestTarget(construct.target, construct.under, this.address(fn, defined ?? name), decorator, request);
    this.built.set(expr.id, b);
    if (defined) this.functionSteps.set(defined, b);
  }

  /** A boto3 SageMaker client call (`sm.create_training_job(...)`): its keyword arguments are the request. */
  private boto3Call(call: SyntaxNode): boolean {
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'attribute') return false;
    const method = callee.childForFieldName('attribute')?.text;
    const m = method ? boto3Calls().get(method) : undefined;
    if (!method || !m) return false;
    const { fn, scope } = this.placeOf(call);
    const request = requestOf(call, scope);
    const target = requestTarget(m.target, m.under, this.address(fn, method), call, request);
    // Named by what it creates, when that is a literal (messages only; the address stays stable).
    const name = request.type === 'map' ? request.entries.find((e) => e.key === m.name)?.value : undefined;
    if (name?.type === 'scalar') target.name = String(name.value);
    this.boto3.push(target);
    this.boto3Sites.set(target, siteOf(call, '', undefined));
    return true;
  }

  /**
   * An Airflow SageMaker operator (`SageMakerTrainingOperator(task_id=..., config=...)`): the boto3
   * request its config holds, one target for each request a composite config holds.
   */
  private airflowOperator(call: SyntaxNode): boolean {
    const callee = call.childForFieldName('function');
    const original = callee?.type === 'identifier' ? this.airflow.get(callee.text) : undefined;
    const op = original ? airflowMapping().operators.get(original) : undefined;
    if (!original || !op) return false;
    const { fn, scope } = this.placeOf(call);
    const taskId = argumentNode(call, 'task_id', []);
    const id = taskId ? valueOf(taskId, scope) : undefined;
    const name = id?.type === 'scalar' && typeof id.value === 'string' ? id.value : (assignedName(call) ?? original);
    const config = argumentNode(call, 'config', []);
    const parts: { call: string; key?: string; request: Node; built?: Built; at?: number }[] = [];
    const fromHelper = config ? this.helperConfig(config) : undefined;
    if (fromHelper && 'parts' in fromHelper) {
      // Built by the helper's call: what it lacks is added there.
      for (const p of fromHelper.parts) if (op.parts && Object.hasOwn(op.parts, p.key)) parts.push({ call: op.parts[p.key]!, key: p.key, request: p.request, at: p.request.startLine });
    } else if (fromHelper) parts.push({ call: op.call, ...fromHelper });
    else {
      // A config that is no dict (an XCom, a Jinja template rendered at run time) is not known;
      // in one that is, a templated value (`"{{ params.isolate }}"`) is not either.
      const read: Node = config ? templatesUnknown(valueOf(config, scope)) : { type: 'symbolic', expr: 'no config', refs: [], startLine: call.startPosition.row + 1, endLine: call.endPosition.row + 1 };
      const value: Node = read.type === 'map' ? read : { type: 'symbolic', expr: 'a config the reader cannot follow', refs: [], startLine: read.startLine, endLine: read.endLine };
      const composite = op.parts && value.type === 'map' && value.entries.some((e) => Object.hasOwn(op.parts!, e.key));
      if (composite && value.type === 'map') {
        for (const e of value.entries) if (Object.hasOwn(op.parts!, e.key)) parts.push({ call: op.parts![e.key]!, key: e.key, request: e.value });
      } else parts.push({ call: op.call, request: value });
    }
    for (const part of parts) {
      const m = boto3Calls().get(part.call);
      if (!m) continue;
      const target = requestTarget(m.target, m.under, this.address(fn, part.key ? `${name}.${part.key}` : name), call, part.request);
      if (part.built) {
        // The construct the helper read is this operator's job; what it lacks is added where it is built.
        this.consumed.add(part.built);
        target.anchors = { [m.under]: part.request.startLine, ...prefixed(m.under, part.built.anchors ?? {}) };
      } else if (part.at !== undefined) target.anchors = { [m.under]: part.at };
      this.boto3.push(target);
    }
    return true;
  }

  /** A config the SDK's Airflow helpers build from a construct (`training_config(estimator, inputs)`), as the request they write. */
  private helperConfig(config: SyntaxNode): { request: Node; built: Built } | { parts: { key: string; request: Node }[] } | undefined {
    const call = boundCall(config, this.placeOf(config).scope);
    const name = call ? sdkName(call.childForFieldName('function'), this.imports) : undefined;
    const helper = name ? airflowMapping().helpers.get(name) : undefined;
    if (!call || !name || !helper) return undefined;
    if (helper.parts) {
      const scope = this.placeOf(call).scope;
      return { parts: Object.entries(helper.parts).map(([key, m]) => ({ key, request: requestFrom(call, name, m, scope, this.imports) })) };
    }
    if (!helper.construct) return undefined;
    const arg = argumentNode(call, helper.construct, [helper.construct]);
    const built = arg ? this.constructOf(arg) : undefined;
    if (!built || built.request.type !== 'map') return undefined;
    const keep = helper.keep;
    const request: MapNode = keep ? { ...built.request, entries: built.request.entries.filter((e) => keep.includes(e.key)) } : built.request;
    if (!helper.drop) return { request, built };
    // A copy: the construct's own request keeps what the helper drops.
    const copy = copyNode(request) as MapNode;
    for (const path of helper.drop) removePath(copy, path);
    return { request: copy, built };
  }

  /**
   * Where a missing argument of each target's request may be added, by target address, with the
   * path in the target's node each site builds: the fix suggestions' data (FormatModule.fix).
   */
  fixSites(targets: readonly Target[]): Record<string, FixSite[]> {
    const out: Record<string, FixSite[]> = {};
    for (const b of [...this.built.values(), ...this.extras]) {
      if (b?.target && targets.includes(b.target)) out[b.target.address] = b.sites.map((site) => ({ ...site, prefix: join(b.construct.under, site.prefix) }));
    }
    for (const [t, sites] of this.boto3Sites) {
      const under = t.node.type === 'map' ? (t.node.entries[0]?.key ?? '') : '';
      out[t.address] = sites.map((site) => ({ ...site, prefix: join(under, site.prefix), keywords: true }));
    }
    return out;
  }
}

/** A target spanning `at`, whose node holds the request under the key its format keeps it (`Arguments`). */
export function requestTarget(type: string, under: string, address: string, at: SyntaxNode, request: Node): Target {
  const startLine = at.startPosition.row + 1;
  const endLine = at.endPosition.row + 1;
  const node: Node = { type: 'map', entries: [{ key: under, keyLine: startLine, value: request }], startLine, endLine };
  return { type, name: address, address, node, startLine, endLine };
}

/** A value with every string that holds an Airflow template (`{{ ... }}`) made unknown: it is rendered when the task runs. */
function templatesUnknown(n: Node): Node {
  if (n.type === 'scalar' && typeof n.value === 'string' && n.value.includes('{{')) return { type: 'symbolic', expr: n.value.slice(0, 120), refs: [], startLine: n.startLine, endLine: n.endLine };
  if (n.type === 'map') return { ...n, entries: n.entries.map((e) => ({ ...e, value: templatesUnknown(e.value) })) };
  if (n.type === 'list') return { ...n, items: n.items.map(templatesUnknown) };
  return n;
}

/** The dotted path all of these paths start with ('' when none is shared). */
function commonPrefix(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let common = paths[0]!.split('.');
  for (const p of paths.slice(1)) {
    const segments = p.split('.');
    let i = 0;
    while (i < common.length && common[i] === segments[i]) i++;
    common = common.slice(0, i);
  }
  // A whole path is a leaf, not a part: keep only what is above it.
  return paths.length === 1 ? common.slice(0, -1).join('.') : common.join('.');
}

/** A path below another (`Arguments` + `ResourceConfig`), '' being the top. */
export function join(prefix: string, path: string): string {
  return prefix === '' ? path : path === '' ? prefix : `${prefix}.${path}`;
}

/**
 * The fix site of a call: none when a new argument cannot be added as a line of its own below the
 * `(` (a call on one line), or when `*args`/`**kwargs` may already set anything.
 */
export function siteOf(call: SyntaxNode, prefix: string, mapped: Readonly<Record<string, string>> | undefined): FixSite[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  const given: string[] = [];
  let first: SyntaxNode | undefined;
  for (const a of args.namedChildren) {
    if (!a || a.type === 'comment') continue;
    first ??= a;
    // A keyword cannot go before a positional argument, and `*args`/`**kwargs` may set anything.
    if (a.type !== 'keyword_argument') return [];
    given.push(a.childForFieldName('name')?.text ?? '');
  }
  const open = args.startPosition.row;
  // The `(` ends its line, and the arguments (if any) start below it.
  if (first && first.startPosition.row === open) return [];
  if (!first && args.endPosition.row === open) return [];
  const site: FixSite = { prefix, open: open + 1, given, taken: mapped ? given.flatMap((g) => (Object.hasOwn(mapped, g) ? [mapped[g]!] : [])) : [] };
  if (mapped) {
    const inverse: Record<string, string> = {};
    // The first argument listed for a path is the current one (`instance_type`, not `train_instance_type`).
    for (const [argument, path] of Object.entries(mapped)) if (!(path in inverse)) inverse[path] = argument;
    site.arguments = inverse;
  }
  return [site];
}

/** A site's paths with their first segment renamed as the request was (`ResourceConfig` -> `HyperParameterTuningResourceConfig`). */
function renamedPaths(args: Readonly<Record<string, string>>, rename: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, argument] of Object.entries(args)) {
    const [head, ...rest] = path.split('.');
    out[[rename[head!] ?? head!, ...rest].join('.')] = argument;
  }
  return out;
}

/** Anchors of a request as anchors of what holds it under `under`. */
export function prefixed(under: string, anchors: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(anchors).map(([path, line]) => [`${under}.${path}`, line]));
}

/** The name a call's value is assigned to (`estimator = PyTorch(...)`), if it is. */
export function assignedName(call: SyntaxNode): string | undefined {
  const parent = call.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== call.id) return undefined;
  const left = parent.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

/** The value node of an argument given by keyword, or by position for a class whose positional parameters are known. */
export function argumentNode(call: SyntaxNode, name: string, positional: readonly string[]): SyntaxNode | undefined {
  let at = 0;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      if (a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
    } else if (a.type !== 'list_splat' && a.type !== 'dictionary_splat') {
      if (positional[at++] === name) return a;
    }
  }
  return undefined;
}

/** A copy of a request with top-level keys renamed (the tuner's `HyperParameterTuningResourceConfig`). */
function renamed(request: MapNode, rename: Readonly<Record<string, string>>): MapNode {
  return { ...request, entries: request.entries.map((e) => (rename[e.key] ? { ...e, key: rename[e.key]!, value: copyNode(e.value) } : e)) };
}

/** A copy deep enough that removing a key from it leaves the original as it was. Bounded: values nest at most so deep. */
function copyNode(n: Node, depth = 0): Node {
  return n.type === 'map' && depth < 512 ? { ...n, entries: n.entries.map((e) => ({ ...e, value: copyNode(e.value, depth + 1) })) } : n;
}

function removePath(root: MapNode, path: string): void {
  const segments = path.split('.');
  let map: Node | undefined = root;
  for (const s of segments.slice(0, -1)) map = map?.type === 'map' ? map.entries.find((e) => e.key === s)?.value : undefined;
  if (map?.type === 'map') map.entries = map.entries.filter((e) => e.key !== segments[segments.length - 1]);
}

/** The receiver's request with the method's own on top (a schedule of a monitor). */
function merged(base: MapNode, own: MapNode): MapNode {
  const out: MapNode = { ...own, entries: [] };
  for (const e of base.entries) if (!hasPath(own, e.key)) out.entries.push(e);
  for (const e of own.entries) {
    const b = base.entries.find((x) => x.key === e.key);
    out.entries.push(b && b.value.type === 'map' && e.value.type === 'map' ? { ...e, value: merged(b.value, e.value) } : e);
  }
  return out;
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
