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
 * What the reader cannot follow (a steps list built in a loop, a job passed in as a parameter, a
 * step built with `**kwargs`) is unknown, never a guess and never absent.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Document, ListNode, MapNode, Node, Target } from '../../document.js';
import { makeDocument } from '../common.js';
import { pipelineMeta } from '../sagemaker-pipeline.js';
import { argumentNode, assignedName, join, prefixed, siteOf, type Built, type FixSite, type SagemakerReader } from './reader.js';
import { boundCall, mappedValue, requestFrom, resolvedExpression, sdkMapping, sdkName, setPath, type StepMapping } from './sdk.js';
import { listItems, PARAMETER_CLASSES, valueOf } from './values.js';

/** Conditions nested in conditions deeper than this are not followed. */
const MAX_BRANCH_DEPTH = 32;
/** Nodes of step arguments looked at for `@step` results, per pipeline. */
const MAX_UPSTREAM_NODES = 20_000;

/**
 * Methods whose receiver's request is the job of the step they are given to (`step_args=
 * estimator.fit(...)`: the estimator's training job; `model.create()`: the model).
 */
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

/** One `Pipeline(...)` being read: its steps, read once each, and which of them sit in a branch. */
interface Build {
  steps: Map<number, Step | null>;
  nested: Set<MapNode>;
  targets: Target[];
  /** `@step` calls already pulled in, and the step-argument nodes looked at for them. */
  upstream: Set<number>;
  looked: number;
}

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;
const unknown = (expr: string, at: SyntaxNode): Node => ({ type: 'symbolic', expr, refs: [], startLine: line(at), endLine: endLine(at) });

/** What an SDK call is to the pipelines: a `Pipeline`, a step class (read only when a pipeline reaches it), or neither. */
export function pipelineCallKind(name: string | undefined): 'pipeline' | 'step' | undefined {
  if (!name) return undefined;
  const sdk = sdkMapping();
  return sdk.pipeline.classes.includes(name) ? 'pipeline' : sdk.steps.has(name) ? 'step' : undefined;
}

export class PipelineReader {
  /** Where a missing argument of each step may be added, by step address (FormatModule.fix). */
  readonly fixSites: Record<string, FixSite[]> = {};
  /** Step calls some pipeline reached. */
  private readonly reached = new Set<number>();
  /** Step addresses given so far: a name used twice in the file (two pipelines) gets `#2`. */
  private readonly names = new Map<string, number>();

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
    const build: Build = { steps: new Map(), nested: new Set(), targets: [], upstream: new Set(), looked: 0 };
    const root = requestFrom(call, 'Pipeline', sdk.pipeline, scope, this.reader.imports);
    let node: Node = root;
    if (root.type === 'map') {
      if (!argumentNode(call, 'pipeline_experiment_config', positional)) {
        // What the SDK writes when the argument is left out: the pipeline's name and execution id.
        const get = (expr: string): Node => ({ type: 'symbolic', expr: `{"Get": "${expr}"}`, refs: [expr], startLine: line(call), endLine: line(call) });
        const config: MapNode = { type: 'map', entries: [], startLine: line(call), endLine: line(call) };
        config.entries.push({ key: 'ExperimentName', keyLine: line(call), value: get('Execution.PipelineName') }, { key: 'TrialName', keyLine: line(call), value: get('Execution.PipelineExecutionId') });
        root.entries.push({ key: 'PipelineExperimentConfig', keyLine: line(call), value: config });
      }
      const parameters = argumentNode(call, 'parameters', positional);
      if (parameters) root.entries.push({ key: 'Parameters', keyLine: line(parameters), value: this.parameters(parameters) });
      const steps = argumentNode(call, 'steps', positional);
      if (steps) root.entries.push({ key: 'Steps', keyLine: line(steps), value: this.topLevel(steps, build) });
    } else {
      // `Pipeline(**kwargs)`: any of it may be set; the steps a name-bound step call builds are still read alone.
      node = unknown('a pipeline built from **kwargs', call);
    }
    const doc = makeDocument('sagemaker-pipeline', this.path, this.text, node, build.targets.sort((a, b) => a.startLine - b.startLine), { ...pipelineMeta(node) });
    doc.span = { startLine: line(call), endLine: endLine(call), address: this.reader.address(fn, assignedName(call) ?? 'Pipeline') };
    return doc;
  }

  /** Step calls no pipeline of the file reached. */
  unreached(calls: readonly SyntaxNode[]): SyntaxNode[] {
    return calls.filter((c) => !this.reached.has(c.id));
  }

  /** `parameters=[...]`: each `ParameterString(...)` and the like as its declaration. */
  private parameters(arg: SyntaxNode): Node {
    const { parameters } = sdkMapping().pipeline;
    const list = this.list(arg);
    if (!list) return valueOf(arg, this.reader.placeOf(arg).scope);
    const items: Node[] = list.map((item) => {
      const call = boundCall(item, this.reader.placeOf(item).scope);
      const cls = call ? sdkName(call.childForFieldName('function'), this.reader.imports) : undefined;
      if (!call || !cls || !PARAMETER_CLASSES.has(cls)) return valueOf(item, this.reader.placeOf(item).scope);
      const type = cls.slice('Parameter'.length);
      return requestFrom(call, cls, { arguments: parameters.arguments, written: { Type: type } }, this.reader.placeOf(call).scope, this.reader.imports);
    });
    return { type: 'list', items, startLine: line(arg), endLine: endLine(arg) };
  }

  /**
   * The pipeline's `steps=[...]`, with the `@step` functions their arguments use (the SDK adds
   * those itself), and without a step that sits in a Condition's branch (which is where the
   * definition has it). A list with an item the reader cannot follow is unknown as a whole: the
   * item may be any step, or several.
   */
  private topLevel(arg: SyntaxNode, build: Build): Node {
    const list = this.list(arg);
    if (!list) return valueOf(arg, this.reader.placeOf(arg).scope);
    const items: Node[] = [];
    let open = false;
    for (const item of list) {
      const call = boundCall(item, this.reader.placeOf(item).scope);
      const step = call ? this.step(call, 0, build) : undefined;
      if (!call || !step) {
        open = true;
        continue;
      }
      for (const up of this.upstream(call, build)) items.push(up.node);
      items.push(step.node);
    }
    if (open) return unknown(`steps the reader cannot follow: ${arg.text.replace(/\s+/g, ' ').slice(0, 80)}`, arg);
    const top = [...new Set(items)].filter((n) => !(n.type === 'map' && build.nested.has(n)));
    return { type: 'list', items: top, startLine: line(arg), endLine: endLine(arg) };
  }

  /** A list literal an argument is, or is bound to; undefined when it is not known. */
  private list(arg: SyntaxNode): SyntaxNode[] | undefined {
    const e = resolvedExpression(arg, this.reader.placeOf(arg).scope);
    return e ? listItems(e) : undefined;
  }

  /**
   * The `@step` function calls whose results a step's arguments use, each read as a step, the
   * ones they use in turn first. Iterative, each call once per pipeline, within a bound of nodes.
   */
  private upstream(call: SyntaxNode, build: Build): Step[] {
    const out: Step[] = [];
    // Depth first: a call's own inputs come before it, as the SDK orders them.
    const work: { node: SyntaxNode; after?: SyntaxNode }[] = [];
    const argsOf = (c: SyntaxNode) => c.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null) ?? [];
    for (const a of argsOf(call).reverse()) work.push({ node: a });
    while (work.length > 0) {
      const { node, after } = work.pop()!;
      if (after) {
        const s = this.step(after, 0, build);
        if (s) out.push(s);
        continue;
      }
      if (build.looked++ > MAX_UPSTREAM_NODES) break;
      if (node.type === 'identifier' || node.type === 'call') {
        const c = boundCall(node, this.reader.placeOf(node).scope);
        if (c && this.functionStep(c)) {
          if (!build.upstream.has(c.id)) {
            build.upstream.add(c.id);
            work.push({ node: c, after: c });
            for (const a of argsOf(c).reverse()) work.push({ node: a });
          }
          continue;
        }
      }
      for (const child of node.namedChildren) if (child) work.push({ node: child });
    }
    return out;
  }

  /** The `@step` function a call invokes, if any. */
  private functionStep(call: SyntaxNode): Built | undefined {
    const callee = call.childForFieldName('function');
    return callee?.type === 'identifier' ? this.reader.functionSteps.get(callee.text) : undefined;
  }

  /** The step a call defines (a step class, a step collection such as `RegisterModel`, a `@step` function's call), read once per pipeline. */
  private step(call: SyntaxNode, depth: number, build: Build): Step | undefined {
    const known = build.steps.get(call.id);
    if (known !== undefined) return known ?? undefined;
    build.steps.set(call.id, null);
    const s = this.classStep(call, depth, build) ?? this.constructStep(call);
    build.steps.set(call.id, s ?? null);
    if (s) {
      build.targets.push(s.target);
      this.reached.add(call.id);
    }
    return s;
  }

  /** A step class of sagemaker.workflow (`TrainingStep(...)`, `ConditionStep(...)`). */
  private classStep(call: SyntaxNode, depth: number, build: Build): Step | undefined {
    const cls = sdkName(call.childForFieldName('function'), this.reader.imports);
    const mapping = cls ? sdkMapping().steps.get(cls) : undefined;
    if (!cls || !mapping) return undefined;
    let job: Job | undefined;
    for (const name of mapping.job ?? []) {
      const arg = argumentNode(call, name, []);
      const found = arg ? this.job(arg) : undefined;
      // `step_args=None` gives no job; the next argument may (the deprecated `estimator=`).
      if (found && !(found.request.type === 'scalar' && found.request.value === null)) {
        job = found;
        break;
      }
    }
    // A step that runs a job this reader cannot find: what the job sets is not known, never absent.
    if (!job && mapping.job) job = { request: unknown('the job of this step, which is not read', call) };
    const type = mapping.type ?? job?.type;
    // A ModelStep becomes `<name>-CreateModel` or `<name>-RegisterModel`, as its job says.
    const suffix = cls === 'ModelStep' ? (type === 'RegisterModel' ? '-RegisterModel' : type === 'Model' ? '-CreateModel' : '') : '';
    const node = this.settings(call, cls, mapping);
    for (const [arg, key] of Object.entries(mapping.branches ?? {})) {
      const branch = argumentNode(call, arg, []);
      if (branch) setPath(node, `Arguments.${key}`, this.branch(branch, depth, build), line(branch));
    }
    return this.finish(call, call, node, type, job, suffix, undefined);
  }

  /** A construct that is itself a step: a `@step` function's call, or `RegisterModel(...)`. */
  private constructStep(call: SyntaxNode): Step | undefined {
    const fs = this.functionStep(call);
    const built = fs ?? this.reader.construct(call);
    if (!built?.construct.step) return undefined;
    const job: Job = { request: built.request, built, type: built.construct.step };
    if (fs) {
      // Its settings are on the decorator: `@step(name=..., retry_policies=...)`.
      const decorator = fs.at.parent?.type === 'decorator' ? fs.at.parent : fs.at;
      const node = fs.at.type === 'call' ? this.settings(fs.at, 'step', { arguments: {} }) : emptyStep(fs.at);
      return this.finish(call, decorator, node, job.type, job, '', call.childForFieldName('function')?.text);
    }
    const cls = sdkName(call.childForFieldName('function'), this.reader.imports) ?? 'step';
    return this.finish(call, call, this.settings(call, cls, { arguments: {} }), job.type, job, cls === 'RegisterModel' ? '-RegisterModel' : '', undefined);
  }

  /**
   * A step's own settings from the call that writes them, at step level. When the call cannot be
   * read (a positional argument after the name, `**kwargs`), each of them is unknown.
   */
  private settings(call: SyntaxNode, cls: string, mapping: StepMapping): MapNode {
    const sdk = sdkMapping();
    const own = requestFrom(call, cls, { arguments: { ...sdk.stepArguments, ...mapping.arguments }, ...(mapping.written ? { written: mapping.written } : {}) }, this.reader.placeOf(call).scope, this.reader.imports);
    if (own.type === 'map') return own;
    const node = emptyStep(call);
    for (const path of new Set([...Object.values(sdk.stepArguments), ...Object.values(mapping.arguments)])) setPath(node, path, unknown('a step argument the reader cannot follow', call), line(call));
    return node;
  }

  /** The step's name, Type and job put together, as a target of the pipeline. */
  private finish(call: SyntaxNode, at: SyntaxNode, node: MapNode, type: string | undefined, job: Job | undefined, suffix: string, defaultName: string | undefined): Step {
    node.startLine = line(at);
    node.endLine = endLine(at);
    const nameEntry = node.entries.find((e) => e.key === 'Name');
    let name = nameEntry?.value.type === 'scalar' && typeof nameEntry.value.value === 'string' ? nameEntry.value.value : defaultName;
    if (name !== undefined && suffix) {
      name += suffix;
      if (nameEntry) nameEntry.value = { type: 'scalar', value: name, startLine: nameEntry.value.startLine, endLine: nameEntry.value.endLine };
    }
    if (!nameEntry && name !== undefined) node.entries.unshift({ key: 'Name', keyLine: line(at), value: { type: 'scalar', value: name, startLine: line(at), endLine: line(at) } });
    node.entries.push({ key: 'Type', keyLine: line(at), value: type === undefined ? unknown('the type of a step whose job is not known', at) : { type: 'scalar', value: type, startLine: line(at), endLine: line(at) } });
    if (job) setPath(node, 'Arguments', job.request, line(at));
    if (job?.built) {
      this.reader.consumed.add(job.built);
      // A model registered by a step is the package's, not a model of its own.
      if (job.built.receiver && type === 'RegisterModel') this.reader.consumed.add(job.built.receiver);
    }
    const address = this.stepAddress(name ?? `${this.reader.placeOf(call).fn ?? '<module>'}.${assignedName(call) ?? 'step'}`);
    const target: Target = { type: type ?? 'Step', name: address, address, node, startLine: line(at), endLine: endLine(at) };
    // A job setting that is missing is added where the job is built (the estimator), not on the step.
    if (job?.built && job.request.type !== 'symbolic') target.anchors = { Arguments: job.request.startLine, ...prefixed('Arguments', job.built.anchors ?? {}) };
    const sites = at.type === 'call' ? siteOf(at, '', { ...sdkMapping().stepArguments }) : [];
    for (const site of job?.built?.sites ?? []) sites.push({ ...site, prefix: join('Arguments', site.prefix) });
    this.fixSites[address] = sites;
    return { node, target };
  }

  private stepAddress(name: string): string {
    const n = (this.names.get(name) ?? 0) + 1;
    this.names.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  }

  /** `if_steps=[...]`: the steps of a Condition's branch, nested in it as in the definition. */
  private branch(arg: SyntaxNode, depth: number, build: Build): Node {
    const list = depth < MAX_BRANCH_DEPTH ? this.list(arg) : undefined;
    if (!list) return valueOf(arg, this.reader.placeOf(arg).scope);
    const items: ListNode = { type: 'list', items: [], startLine: line(arg), endLine: endLine(arg) };
    for (const item of list) {
      const call = boundCall(item, this.reader.placeOf(item).scope);
      const step = call ? this.step(call, depth + 1, build) : undefined;
      if (step) {
        build.nested.add(step.node);
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

function emptyStep(at: SyntaxNode): MapNode {
  return { type: 'map', entries: [], startLine: line(at), endLine: endLine(at) };
}
