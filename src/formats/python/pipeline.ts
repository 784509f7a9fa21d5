/**
 * SageMaker pipelines built in Python (`Pipeline(name=..., parameters=[...], steps=[...])`), read as
 * the definition JSON the SDK writes for them (sdk-mappings.md §2.10): the parameters declared, the
 * experiment config the SDK adds unless told not to, and every step the pipeline reaches — those it
 * lists, the steps in a Condition's branches, and the `@step` functions whose results they use, as
 * the SDK pulls them in. A step's `Arguments` are the request of the job it runs (`step_args=
 * estimator.fit(...)`), read by reader.ts; its own settings (`retry_policies`, `cache_config`) are
 * at step level, as in the JSON. The result is a `sagemaker-pipeline` document on the Python file's
 * lines, so the rules of SageMaker pipeline definitions apply to it unchanged.
 *
 * What the reader cannot follow (a steps list built in a loop, a job passed in as a parameter) is
 * unknown, never a guess.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Document, ListNode, MapNode, Node, Target } from '../../document.js';
import { makeDocument } from '../common.js';
import { argumentNode, assignedName, join, prefixed, siteOf, type Built, type FixSite, type SagemakerReader } from './reader.js';
import { boundCall, mappedValue, requestFrom, resolvedExpression, sdkMapping, sdkName, setPath, type StepMapping } from './sdk.js';
import { valueOf } from './values.js';

/** Conditions nested in conditions deeper than this are not followed. */
const MAX_BRANCH_DEPTH = 32;
/** Names looked at for `@step` results a step uses. */
const MAX_UPSTREAM_NAMES = 2000;

/** The step Type a method call on a construct makes its job into (`estimator.fit(...)`: the estimator's). */
const JOB_METHODS = new Set(['fit', 'run', 'transform', 'create', 'register']);

interface Step {
  node: MapNode;
  target: Target;
}

interface Job {
  request: Node;
  built?: Built;
  type?: string;
}

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;

/** What an SDK call is to the pipelines: a `Pipeline`, a step class (read only when a pipeline reaches it), or neither. */
export function pipelineCallKind(name: string | undefined): 'pipeline' | 'step' | undefined {
  if (!name) return undefined;
  const sdk = sdkMapping();
  return sdk.pipeline.classes.includes(name) ? 'pipeline' : sdk.steps.has(name) ? 'step' : undefined;
}

export class PipelineReader {
  /** Steps by the id of the call (or decorator) that defines them. */
  private readonly steps = new Map<number, Step | null>();
  private readonly nested = new Set<MapNode>();
  /** Where a missing argument of each step may be added, by step address (FormatModule.fix). */
  readonly fixSites: Record<string, FixSite[]> = {};

  constructor(
    private readonly reader: SagemakerReader,
    private readonly path: string,
    private readonly text: string,
  ) {}

  /** The definition a `Pipeline(...)` call builds, as a document of the pipeline kind. */
  pipeline(call: SyntaxNode): Document {
    const sdk = sdkMapping();
    const { fn, scope } = this.reader.placeOf(call);
    const positional = sdk.positional.get('Pipeline') ?? [];
    const root = requestFrom(call, 'Pipeline', sdk.pipeline, scope, this.reader.imports);
    const node: MapNode = root.type === 'map' ? root : { type: 'map', entries: [], startLine: line(call), endLine: endLine(call) };
    if (!argumentNode(call, 'pipeline_experiment_config', positional) && root.type === 'map') {
      // What the SDK writes when the argument is left out: the pipeline's name and execution id.
      const get = (expr: string): Node => ({ type: 'symbolic', expr: `{"Get": "${expr}"}`, refs: [expr], startLine: line(call), endLine: line(call) });
      const config: MapNode = { type: 'map', entries: [], startLine: line(call), endLine: line(call) };
      config.entries.push({ key: 'ExperimentName', keyLine: line(call), value: get('Execution.PipelineName') }, { key: 'TrialName', keyLine: line(call), value: get('Execution.PipelineExecutionId') });
      node.entries.push({ key: 'PipelineExperimentConfig', keyLine: line(call), value: config });
    }
    const parameters = argumentNode(call, 'parameters', positional);
    if (parameters) node.entries.push({ key: 'Parameters', keyLine: line(parameters), value: this.parameters(parameters) });
    const stepsArg = argumentNode(call, 'steps', positional);
    const targets: Target[] = [];
    if (stepsArg) node.entries.push({ key: 'Steps', keyLine: line(stepsArg), value: this.topLevel(stepsArg, targets) });
    const nested: Record<string, string> = {};
    collectNested(node, nested);
    const doc = makeDocument('sagemaker-pipeline', this.path, this.text, node, targets.sort((a, b) => a.startLine - b.startLine), {
      parameters: declaredNames(node),
      nested,
    });
    doc.span = { startLine: line(call), endLine: endLine(call), address: this.reader.address(fn, assignedName(call) ?? 'Pipeline') };
    return doc;
  }

  /** Step calls no pipeline of the file reached. */
  unreached(calls: readonly SyntaxNode[]): SyntaxNode[] {
    return calls.filter((c) => !this.steps.has(c.id));
  }

  /** `parameters=[...]`: each `ParameterString(...)` and the like as its declaration. */
  private parameters(arg: SyntaxNode): Node {
    const { parameters } = sdkMapping().pipeline;
    const list = this.list(arg);
    if (!list) return valueOf(arg, this.reader.placeOf(arg).scope);
    const items: Node[] = list.map((item) => {
      const call = boundCall(item, this.reader.placeOf(item).scope);
      const cls = call ? sdkName(call.childForFieldName('function'), this.reader.imports) : undefined;
      const type = cls ? parameters.classes[cls] : undefined;
      if (!call || !cls || !type) return valueOf(item, this.reader.placeOf(item).scope);
      return requestFrom(call, cls, { arguments: parameters.arguments, written: { Type: type } }, this.reader.placeOf(call).scope, this.reader.imports);
    });
    return { type: 'list', items, startLine: line(arg), endLine: endLine(arg) };
  }

  /**
   * The pipeline's `steps=[...]`, with the `@step` functions their arguments use (the SDK adds
   * those itself), and without a step that sits in a Condition's branch (which is where the
   * definition has it).
   */
  private topLevel(arg: SyntaxNode, targets: Target[]): Node {
    const list = this.list(arg);
    if (!list) return valueOf(arg, this.reader.placeOf(arg).scope);
    const items: Node[] = [];
    const seen = new Set<Node>();
    const add = (n: Node) => {
      if (seen.has(n)) return;
      seen.add(n);
      items.push(n);
    };
    for (const item of list) {
      const call = boundCall(item, this.reader.placeOf(item).scope);
      const step = call ? this.step(call, 0, targets) : undefined;
      if (!call || !step) {
        add(valueOf(item, this.reader.placeOf(item).scope));
        continue;
      }
      for (const up of this.upstream(call, targets)) add(up.node);
      add(step.node);
    }
    return { type: 'list', items: items.filter((n) => n.type !== 'map' || !this.nested.has(n)), startLine: line(arg), endLine: endLine(arg) };
  }

  /** A list literal an argument is, or is bound to; undefined when it is not known. */
  private list(arg: SyntaxNode): SyntaxNode[] | undefined {
    const e = resolvedExpression(arg, this.reader.placeOf(arg).scope);
    if (!e || (e.type !== 'list' && e.type !== 'tuple')) return undefined;
    const out: SyntaxNode[] = [];
    for (const c of e.namedChildren) {
      if (!c || c.type === 'comment') continue;
      if (c.type === 'list_splat') return undefined;
      out.push(c);
    }
    return out;
  }

  /** The `@step` function calls whose results a step's arguments use, each read as a step. */
  private upstream(call: SyntaxNode, targets: Target[]): Step[] {
    const out: Step[] = [];
    const stack: SyntaxNode[] = [...(call.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null) ?? [])];
    let looked = 0;
    const visited = new Set<number>();
    while (stack.length > 0 && looked++ < MAX_UPSTREAM_NAMES) {
      const n = stack.pop()!;
      if (n.type === 'identifier' || n.type === 'call') {
        const c = boundCall(n, this.reader.placeOf(n).scope);
        if (c && !visited.has(c.id) && this.functionStep(c)) {
          visited.add(c.id);
          // Its own inputs first: the SDK pulls in the whole chain.
          for (const s of this.upstream(c, targets)) out.push(s);
          const s = this.step(c, 0, targets);
          if (s) out.push(s);
          continue;
        }
      }
      for (const c of n.namedChildren) if (c) stack.push(c);
    }
    return out;
  }

  /** The `@step` function a call invokes, if any. */
  private functionStep(call: SyntaxNode): Built | undefined {
    const callee = call.childForFieldName('function');
    return callee?.type === 'identifier' ? this.reader.functionSteps.get(callee.text) : undefined;
  }

  /** The step a call defines (a step class, a step collection such as `RegisterModel`, a `@step` function's call), read once. */
  private step(call: SyntaxNode, depth: number, targets: Target[]): Step | undefined {
    const known = this.steps.get(call.id);
    if (known !== undefined) return known ?? undefined;
    this.steps.set(call.id, null);
    const s = this.readStep(call, depth, targets);
    this.steps.set(call.id, s ?? null);
    if (s) targets.push(s.target);
    return s;
  }

  private readStep(call: SyntaxNode, depth: number, targets: Target[]): Step | undefined {
    const sdk = sdkMapping();
    const { fn } = this.reader.placeOf(call);
    const cls = sdkName(call.childForFieldName('function'), this.reader.imports);
    const stepClass = cls ? sdk.steps.get(cls) : undefined;
    let mapping: StepMapping;
    let job: Job | undefined;
    let type: string | undefined;
    // Where the step's settings are written: a `@step` function's are on its decorator.
    let at = call;
    let settings = call;
    let suffix = '';
    let defaultName: string | undefined;
    if (stepClass && cls) {
      mapping = stepClass;
      type = stepClass.type;
      for (const name of stepClass.job ?? []) {
        const arg = argumentNode(call, name, []);
        const found = arg ? this.job(arg) : undefined;
        // `step_args=None` gives no job; the next argument may (the deprecated `estimator=`).
        if (found && !(found.request.type === 'scalar' && found.request.value === null)) {
          job = found;
          break;
        }
      }
      // A step that runs a job this reader cannot find: what the job sets is not known, never absent.
      if (!job && stepClass.job) job = { request: { type: 'symbolic', expr: 'the job of this step, which is not read', refs: [], startLine: line(call), endLine: endLine(call) } };
      if (!type) type = job?.type;
      // A ModelStep becomes the steps `<name>-CreateModel` or `<name>-RegisterModel`.
      if (cls === 'ModelStep') suffix = type === 'RegisterModel' ? '-RegisterModel' : '-CreateModel';
    } else {
      const fs = this.functionStep(call);
      const built = fs ?? this.reader.construct(call);
      if (!built?.construct.step) return undefined;
      mapping = { arguments: {} };
      type = built.construct.step;
      job = { request: built.request, built };
      if (fs) {
        at = fs.target ? decoratorOf(fs.at) : call;
        settings = fs.at;
        defaultName = call.childForFieldName('function')?.text;
      } else if (cls === 'RegisterModel') suffix = '-RegisterModel';
    }
    if (job?.built) {
      this.reader.consumed.add(job.built);
      // A model registered by a step is the package's, not a model of its own.
      if (job.built.receiver && type === 'RegisterModel') this.reader.consumed.add(job.built.receiver);
    }
    const own = settings.type === 'call' ? requestFrom(settings, cls ?? 'step', { arguments: { ...sdk.stepArguments, ...mapping.arguments }, ...(mapping.written ? { written: mapping.written } : {}) }, this.reader.placeOf(settings).scope, this.reader.imports) : undefined;
    const node: MapNode = own?.type === 'map' ? own : { type: 'map', entries: [], startLine: line(at), endLine: endLine(at) };
    node.startLine = line(at);
    node.endLine = endLine(at);
    const nameEntry = node.entries.find((e) => e.key === 'Name');
    let name = nameEntry?.value.type === 'scalar' && typeof nameEntry.value.value === 'string' ? nameEntry.value.value : defaultName;
    if (name !== undefined && suffix) {
      name += suffix;
      if (nameEntry) nameEntry.value = { type: 'scalar', value: name, startLine: nameEntry.value.startLine, endLine: nameEntry.value.endLine };
    }
    if (!nameEntry && name !== undefined) node.entries.unshift({ key: 'Name', keyLine: line(at), value: { type: 'scalar', value: name, startLine: line(at), endLine: line(at) } });
    node.entries.push({ key: 'Type', keyLine: line(at), value: type === undefined ? { type: 'symbolic', expr: 'the type of a step whose job is not known', refs: [], startLine: line(at), endLine: line(at) } : { type: 'scalar', value: type, startLine: line(at), endLine: line(at) } });
    if (job) setPath(node, 'Arguments', job.request, line(at));
    for (const [arg, key] of Object.entries(mapping.branches ?? {})) {
      const branch = argumentNode(call, arg, []);
      if (branch) setPath(node, `Arguments.${key}`, this.branch(branch, depth, targets), line(branch));
    }
    const address = name ?? this.reader.address(fn, assignedName(call) ?? cls ?? 'step');
    const target: Target = { type: type ?? 'Step', name: address, address, node, startLine: line(at), endLine: endLine(at) };
    // A job setting that is missing is added where the job is built (the estimator), not on the step.
    if (job?.built && job.request.type !== 'symbolic') target.anchors = { Arguments: job.request.startLine, ...prefixed('Arguments', job.built.anchors ?? {}) };
    const sites = settings.type === 'call' ? siteOf(settings, '', { ...sdk.stepArguments, ...mapping.arguments }) : [];
    for (const site of job?.built?.sites ?? []) sites.push({ ...site, prefix: join('Arguments', site.prefix) });
    this.fixSites[address] = sites;
    return { node, target };
  }

  /** `if_steps=[...]`: the steps of a Condition's branch, nested in it as in the definition. */
  private branch(arg: SyntaxNode, depth: number, targets: Target[]): Node {
    const list = depth < MAX_BRANCH_DEPTH ? this.list(arg) : undefined;
    if (!list) return valueOf(arg, this.reader.placeOf(arg).scope);
    const items: ListNode = { type: 'list', items: [], startLine: line(arg), endLine: endLine(arg) };
    for (const item of list) {
      const call = boundCall(item, this.reader.placeOf(item).scope);
      const step = call ? this.step(call, depth + 1, targets) : undefined;
      if (step) {
        this.nested.add(step.node);
        items.items.push(step.node);
      } else items.items.push(valueOf(item, this.reader.placeOf(item).scope));
    }
    return items;
  }

  /**
   * The job a step runs, from its argument: `estimator.fit(...)` or `processor.run(...)` (the
   * construct's request), `model.register(...)` (a construct itself), a construct given directly
   * (the deprecated `estimator=`), or a value such as `CheckJobConfig(...)`.
   */
  private job(arg: SyntaxNode): Job {
    const scope = this.reader.placeOf(arg).scope;
    const call = boundCall(arg, scope);
    if (call) {
      const itself = this.reader.construct(call);
      if (itself) return withType({ request: itself.request, built: itself }, itself.construct.step);
      const callee = call.childForFieldName('function');
      const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
      const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
      if (method && JOB_METHODS.has(method) && receiver) {
        const of = this.reader.constructOf(receiver);
        if (of) return withType({ request: of.request, built: of }, of.construct.step);
      }
    }
    return { request: mappedValue(arg, scope, this.reader.imports) };
  }
}

function withType(job: Job, type: string | undefined): Job {
  if (type !== undefined) job.type = type;
  return job;
}

/** The decorator node around a decorator's expression (a `@step(...)` call). */
function decoratorOf(expr: SyntaxNode): SyntaxNode {
  return expr.parent?.type === 'decorator' ? expr.parent : expr;
}

function declaredNames(root: MapNode): string[] {
  const params = root.entries.find((e) => e.key === 'Parameters')?.value;
  if (params?.type !== 'list') return [];
  return params.items.flatMap((p) => {
    const name = p.type === 'map' ? p.entries.find((e) => e.key === 'Name')?.value : undefined;
    return name?.type === 'scalar' && typeof name.value === 'string' ? [name.value] : [];
  });
}

/** Step name -> the Condition step it sits under, as the JSON reader records it. */
function collectNested(root: MapNode, out: Record<string, string>): void {
  const stack: { steps: Node | undefined; parent: string | undefined }[] = [{ steps: root.entries.find((e) => e.key === 'Steps')?.value, parent: undefined }];
  while (stack.length > 0) {
    const { steps, parent } = stack.pop()!;
    if (steps?.type !== 'list') continue;
    for (const s of steps.items) {
      if (s.type !== 'map') continue;
      const name = s.entries.find((e) => e.key === 'Name')?.value;
      const n = name?.type === 'scalar' ? String(name.value) : undefined;
      if (n === undefined) continue;
      if (parent !== undefined) out[n] = parent;
      const args = s.entries.find((e) => e.key === 'Arguments')?.value;
      if (args?.type !== 'map') continue;
      for (const key of ['IfSteps', 'ElseSteps']) stack.push({ steps: args.entries.find((e) => e.key === key)?.value, parent: n });
    }
  }
}
