/**
 * Kubeflow Pipelines v2 DSL in a Python module, read statically: each `@dsl.pipeline` function as
 * the pipeline spec the KFP compiler writes for it (kfp 2.x; /work/shared/reference §3), an
 * embedded `kubeflow-pipeline` document with the targets formats/kubeflow.ts gives a compiled
 * pipeline, so the Kubeflow rules apply to the DSL as they are.
 *
 * What the compiler does and this reader follows:
 * - every call of a component in a pipeline body is a task, named after the component
 *   (`train_model` -> `train-model`, `-2`, `-3` for later ones in the same pipeline), with its own
 *   component and executor (`comp-train-model-2`, `exec-train-model-2`, numbered in the document);
 * - the task's settings (`set_retry`, `set_caching_options`, `set_display_name`, `.after`) go on the
 *   task, its container settings (`set_cpu_limit` and the other resource calls, `set_env_variable`,
 *   `set_container_image`) on its executor, whether chained on the call or called later on the
 *   name bound to it;
 * - `dsl.If`/`Condition`/`Elif`/`Else`, `ParallelFor` and `ExitHandler` blocks are sub-DAGs
 *   (`condition-1`, `for-loop-2`, `exit-handler-3`: one counter per pipeline), their tasks under
 *   `components.comp-<group>.dag.tasks`; a pipeline called in another is a sub-DAG too;
 * - caching is on unless a task turns it off, or a run of the pipeline in the same file
 *   (`PipelineJob(enable_caching=...)`, `Client().create_run_from_pipeline_func(...)`) overrides it;
 * - a Python component's image is its `base_image` (`target_image` when given), `python:3.11`
 *   when neither is; a container component's is the `dsl.ContainerSpec` it returns.
 *
 * Components defined in the file but used by no pipeline of it are read as executors on their own,
 * with resources unknown (they are set where the component is used). Components loaded from YAML
 * (`load_component_from_*`), defined in other modules, or built with KFP v1 APIs are not read: they
 * are named in `unread`, and the file is listed as partly reviewed. Addresses are the pipeline
 * function's name before the compiled address: `training_pipeline.tasks.train`.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Document, MapEntry, MapNode, Node, Target } from '../../document.js';
import { entryTarget, makeDocument } from '../common.js';
import { get, scalar } from '../tree.js';
import type { Scopes } from './scopes.js';
import { valueOf } from './values.js';

export interface KfpRead {
  pipelines: Document[];
  unread: Set<string>;
}

/** The default base image of Python components in kfp 2.15 (dsl/component_factory.py). */
const DEFAULT_BASE_IMAGE = 'python:3.11';
/** Nested pipelines are followed this deep (a pipeline that calls itself ends here). */
const MAX_PIPELINE_DEPTH = 8;
/** Task calls read per pipeline: a generated file with more is read up to here and named unread. */
const MAX_TASKS = 2000;

const GROUPS: Record<string, string> = {
  'kfp.dsl.Condition': 'condition',
  'kfp.dsl.If': 'condition',
  'kfp.dsl.Elif': 'condition',
  'kfp.dsl.Else': 'condition',
  'kfp.dsl.ParallelFor': 'for-loop',
  'kfp.dsl.ExitHandler': 'exit-handler',
};

/** KFP v1 APIs: a file using them compiles to Argo, not to the v2 pipeline spec. */
const V1_ONLY = new Set([
  'kfp.dsl.ContainerOp',
  'kfp.dsl.ResourceOp',
  'kfp.dsl.VolumeOp',
  'kfp.dsl.VolumeSnapshotOp',
  'kfp.dsl.graph_component',
  'kfp.components.func_to_container_op',
  'kfp.components.create_component_from_func',
  'kfp.dsl.get_pipeline_conf',
]);

const LOADERS = new Set(['kfp.components.load_component_from_url', 'kfp.components.load_component_from_file', 'kfp.components.load_component_from_text', 'kfp.components.load_component']);

const TASK_ATTRIBUTE = /^(?:outputs?|set_\w+|after)$/;
/** What a function body defines in scopes of their own: their calls are not the body's. */
const NESTED_SCOPES = new Set(['function_definition', 'decorated_definition', 'class_definition', 'lambda']);


interface Component {
  name: string;
  kind: 'python' | 'container' | 'pipeline';
  def: SyntaxNode;
  /** The decorator call or name. */
  decorator: SyntaxNode;
}

interface Group {
  /** Tasks of this DAG by name. */
  tasks: MapEntry[];
  /** `components.comp-<group>` prefix of the addresses of its tasks; '' for the root DAG. */
  prefix: string;
}

interface Task {
  entry: MapEntry;
  node: MapNode;
  executor?: MapNode;
  group: Group;
}

/** One pipeline being built: its names, counters and what its body binds. */
interface Build {
  fn: string;
  /** Names of tasks used in this pipeline (a sub-pipeline has its own). */
  taskNames: Map<string, number>;
  groupCounter: { n: number };
  tasksByVariable: Map<string, Task>;
  depth: number;
}

export function readKfp(root: SyntaxNode, path: string, text: string, scopes: Scopes): KfpRead {
  return new KfpReader(root, path, text, scopes).read();
}

class KfpReader {
  private readonly names: Map<string, string>;
  private readonly components = new Map<string, Component>();
  private readonly loaded = new Set<string>();
  private readonly unread = new Set<string>();
  private readonly used = new Set<Component>();
  /** Per document: component name -> how many executors of it there are. */
  private executorNames = new Map<string, number>();
  private components_: MapEntry[] = [];
  private executors: MapEntry[] = [];
  private targets: Target[] = [];
  private fnPrefix = '';
  /** `enable_caching` of runs in this file, by pipeline function (or '*' when it cannot be told which). */
  private readonly cachingOverrides = new Map<string, Node>();
  private tasksRead = 0;

  constructor(
    private readonly root: SyntaxNode,
    private readonly path: string,
    private readonly text: string,
    private readonly scopes: Scopes,
  ) {
    this.names = kfpNames(root);
  }

  read(): KfpRead {
    if (this.names.size === 0) return { pipelines: [], unread: this.unread };
    this.collect();
    const docs: Document[] = [];
    const pipelines = [...this.components.values()].filter((c) => c.kind === 'pipeline');
    const nested = new Set<string>();
    for (const p of pipelines) for (const c of this.callsIn(p.def)) if (this.componentOf(c)?.kind === 'pipeline') nested.add(this.componentOf(c)!.name);
    for (const p of pipelines) {
      if (nested.has(p.name)) continue;
      const doc = this.pipelineDocument(p);
      // A pipeline with no task read (all of it KFP v1, or made by helpers) holds nothing to review.
      if (doc.targets.length > 0) docs.push(doc);
    }
    const loose = [...this.components.values()].filter((c) => c.kind !== 'pipeline' && !this.used.has(c));
    if (loose.length > 0) docs.push(this.componentsDocument(loose));
    return { pipelines: docs, unread: this.unread };
  }

  /** Components, pipelines and loaded components at module level; v1 APIs and runs anywhere. */
  private collect(): void {
    for (const n of this.root.descendantsOfType(['decorated_definition', 'call'])) {
      if (n.type === 'decorated_definition') this.decorated(n);
      else this.call(n);
    }
  }

  private decorated(n: SyntaxNode): void {
    const def = n.childForFieldName('definition');
    const fn = def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
    if (!def || !fn) return;
    for (const d of n.namedChildren) {
      if (d?.type !== 'decorator') continue;
      const e = d.namedChildren[0];
      const q = this.qualified(e?.type === 'call' ? e.childForFieldName('function') : e);
      const kind = q === 'kfp.dsl.component' ? 'python' : q === 'kfp.dsl.container_component' ? 'container' : q === 'kfp.dsl.pipeline' ? 'pipeline' : undefined;
      if (kind && e) this.components.set(fn, { name: fn, kind, def, decorator: e });
      else if (q && V1_ONLY.has(q)) this.unread.add(`KFP v1 ${q.split('.').pop()}`);
    }
  }

  private call(n: SyntaxNode): void {
    const q = this.qualified(n.childForFieldName('function'));
    if (!q) {
      this.runOverride(n);
      return;
    }
    if (V1_ONLY.has(q)) this.unread.add(`KFP v1 ${q.split('.').pop()}`);
    else if (LOADERS.has(q)) {
      const bound = n.parent?.type === 'assignment' ? n.parent.childForFieldName('left') : undefined;
      if (bound?.type === 'identifier') this.loaded.add(bound.text);
      this.unread.add(`components loaded with ${q.split('.').pop()}`);
    } else if (q === 'kfp.Client.create_run_from_pipeline_func' || q.endsWith('.create_run_from_pipeline_func')) this.runOverride(n);
  }

  /** `enable_caching=` of a run in this file: Vertex `PipelineJob`, `Client().create_run_from_pipeline_func`. */
  private runOverride(n: SyntaxNode): void {
    const fnNode = n.childForFieldName('function');
    const callee = fnNode?.type === 'attribute' ? fnNode.childForFieldName('attribute')?.text : fnNode?.text;
    if (callee !== 'PipelineJob' && callee !== 'create_run_from_pipeline_func' && callee !== 'create_run_from_pipeline_package') return;
    const args = n.childForFieldName('arguments')?.namedChildren ?? [];
    const kw = (name: string) => args.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name)?.childForFieldName('value') ?? undefined;
    const caching = kw('enable_caching');
    if (!caching) return;
    const value = valueOf(caching, this.scopes.placeOf(caching).scope);
    if (value.type === 'scalar' && value.value === null) return;
    const fnArg = callee === 'create_run_from_pipeline_func' ? (kw('pipeline_func') ?? args.find((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment')) : undefined;
    this.cachingOverrides.set(fnArg?.type === 'identifier' ? fnArg.text : '*', value);
  }

  /** The `enable_caching` a run in this file gives the pipeline being built, if any. */
  private cachingOverride(build: Build): Node | undefined {
    return this.cachingOverrides.get(build.fn) ?? this.cachingOverrides.get('*');
  }

  /** The KFP name an expression refers to (`kfp.dsl.component` for `dsl.component`, `component`, `kfp.v2.dsl.component`). */
  private qualified(n: SyntaxNode | null | undefined): string | undefined {
    if (!n) return undefined;
    if (n.type === 'identifier') return this.names.get(n.text);
    if (n.type !== 'attribute') return undefined;
    const parts: string[] = [];
    let cur: SyntaxNode | null = n;
    while (cur?.type === 'attribute') {
      parts.unshift(cur.childForFieldName('attribute')?.text ?? '');
      cur = cur.childForFieldName('object');
    }
    // `Client(...).create_run_from_pipeline_func`: the method of an object the file makes.
    if (cur?.type === 'call') {
      const base = this.qualified(cur.childForFieldName('function'));
      return base ? [base, ...parts].join('.') : undefined;
    }
    const base = cur?.type === 'identifier' ? this.names.get(cur.text) : undefined;
    return base ? normalised([base, ...parts].join('.')) : undefined;
  }

  /** The component or pipeline a call in a pipeline body calls, if it is one of this file. */
  private componentOf(call: SyntaxNode): Component | undefined {
    const fn = call.childForFieldName('function');
    return fn?.type === 'identifier' ? this.components.get(fn.text) : undefined;
  }

  /** Calls directly in a function's body (not in functions it defines), in evaluation order. */
  private callsIn(def: SyntaxNode): SyntaxNode[] {
    const body = def.childForFieldName('body');
    if (!body) return [];
    const own = (call: SyntaxNode): boolean => {
      for (let p = call.parent; p && p.id !== body.id; p = p.parent) if (NESTED_SCOPES.has(p.type)) return false;
      return true;
    };
    return body
      .descendantsOfType('call')
      .filter(own)
      .sort((a, b) => a.endIndex - b.endIndex);
  }

  // --- documents --------------------------------------------------------------------------

  private startDocument(fn: string): void {
    this.executorNames = new Map();
    this.components_ = [];
    this.executors = [];
    this.targets = [];
    this.fnPrefix = fn;
  }

  private finishDocument(name: Node, rootTasks: MapEntry[], span: SyntaxNode): Document {
    const at = lines(span);
    const root: MapNode = {
      type: 'map',
      ...at,
      entries: [
        { key: 'pipelineInfo', keyLine: at.startLine, value: { type: 'map', ...at, entries: [{ key: 'name', keyLine: name.startLine, value: name }] } },
        { key: 'components', keyLine: at.startLine, value: { type: 'map', ...at, entries: this.components_ } },
        { key: 'deploymentSpec', keyLine: at.startLine, value: { type: 'map', ...at, entries: [{ key: 'executors', keyLine: at.startLine, value: { type: 'map', ...at, entries: this.executors } }] } },
        { key: 'root', keyLine: at.startLine, value: { type: 'map', ...at, entries: [{ key: 'dag', keyLine: at.startLine, value: { type: 'map', ...at, entries: [{ key: 'tasks', keyLine: at.startLine, value: { type: 'map', ...at, entries: rootTasks } }] } }] } },
        { key: 'schemaVersion', keyLine: at.startLine, value: scalar('2.1.0', at.startLine) },
      ],
    };
    const doc = makeDocument('kubeflow-pipeline', this.path, this.text, root, this.targets.sort((a, b) => a.startLine - b.startLine), {
      name: name.type === 'scalar' ? name.value : undefined,
      vertex: false,
      platforms: false,
      dsl: true,
    });
    doc.span = { ...at, address: this.fnPrefix };
    return doc;
  }

  private pipelineDocument(p: Component): Document {
    this.startDocument(p.name);
    const name = keywordValue(p.decorator, 'name', this.scopes) ?? scalar(kebab(p.name), lines(p.decorator).startLine);
    const rootGroup: Group = { tasks: [], prefix: '' };
    this.pipelineBody(p, rootGroup, { fn: p.name, taskNames: new Map(), groupCounter: { n: 0 }, tasksByVariable: new Map(), depth: 0 });
    const doc = this.finishDocument(name, rootGroup.tasks, p.def.parent?.type === 'decorated_definition' ? p.def.parent : p.def);
    return doc;
  }

  /** Components no pipeline of the file uses: their executors, with resources set where they are used (unknown here). */
  private componentsDocument(list: Component[]): Document {
    this.startDocument('<components>');
    for (const c of list) {
      const executor = this.executorFor(c);
      const container = executor && get(executor, 'container');
      if (container?.type === 'map') container.entries.push({ key: 'resources', keyLine: container.startLine, value: { type: 'symbolic', expr: 'set where the component is used', refs: [], startLine: container.startLine, endLine: container.startLine } });
    }
    const first = list[0]!.def;
    return this.finishDocument(scalar('components', lines(first).startLine), [], first);
  }

  /** The executor of one use of a component: its container as the compiler writes it. */
  private executorFor(c: Component, at?: SyntaxNode): MapNode | undefined {
    if (c.kind === 'pipeline') return undefined;
    const base = kebab(c.name);
    const n = (this.executorNames.get(base) ?? 0) + 1;
    this.executorNames.set(base, n);
    const key = n === 1 ? base : `${base}-${n}`;
    const line = lines(at ?? c.decorator).startLine;
    const container = this.containerOf(c);
    const executor: MapNode = { type: 'map', startLine: line, endLine: line, entries: [{ key: 'container', keyLine: line, value: container }] };
    const entry: MapEntry = { key: `exec-${key}`, keyLine: line, value: executor };
    this.executors.push(entry);
    this.components_.push({ key: `comp-${key}`, keyLine: line, value: { type: 'map', startLine: line, endLine: line, entries: [{ key: 'executorLabel', keyLine: line, value: scalar(`exec-${key}`, line) }] } });
    const t = entryTarget('executor', `${this.fnPrefix}.executors.exec-${key}`, entry);
    this.targets.push(t);
    return executor;
  }

  /** `container` of a component: image (and command, args for a container component), positioned where they are written. */
  private containerOf(c: Component): MapNode {
    const at = lines(c.decorator);
    const container: MapNode = { type: 'map', ...at, entries: [] };
    if (c.kind === 'python') {
      const image = keywordValue(c.decorator, 'target_image', this.scopes) ?? keywordValue(c.decorator, 'base_image', this.scopes) ?? scalar(DEFAULT_BASE_IMAGE, at.startLine);
      container.entries.push({ key: 'image', keyLine: image.startLine, value: image });
      container.entries.push({ key: 'args', keyLine: at.startLine, value: { type: 'list', ...at, items: ['--executor_input', '{{$}}', '--function_to_execute', c.name].map((s) => scalar(s, at.startLine)) } });
      return container;
    }
    // A container component returns dsl.ContainerSpec(image=..., command=..., args=...).
    const spec = this.containerSpecOf(c.def);
    for (const key of ['image', 'command', 'args']) {
      const v = spec ? keywordValue(spec, key, this.scopes, key === 'image' ? 0 : -1) : undefined;
      const value = v ?? (key === 'image' ? { type: 'symbolic' as const, expr: 'the image of a ContainerSpec this reviewer cannot read', refs: [], ...at } : undefined);
      if (value) container.entries.push({ key, keyLine: value.startLine, value });
    }
    return container;
  }

  private containerSpecOf(def: SyntaxNode): SyntaxNode | undefined {
    for (const call of this.callsIn(def)) {
      if (call.parent?.type !== 'return_statement') continue;
      if (this.qualified(call.childForFieldName('function')) === 'kfp.dsl.ContainerSpec') return call;
    }
    return undefined;
  }

  // --- pipeline bodies ----------------------------------------------------------------------

  private pipelineBody(p: Component, group: Group, build: Build): void {
    const body = p.def.childForFieldName('body');
    if (body) this.block(body, group, build);
  }

  private block(block: SyntaxNode, group: Group, build: Build): void {
    for (const stmt of block.namedChildren) {
      if (!stmt) continue;
      switch (stmt.type) {
        case 'with_statement':
          this.withStatement(stmt, group, build);
          break;
        case 'function_definition':
        case 'decorated_definition':
        case 'class_definition':
          break;
        case 'if_statement':
        case 'for_statement':
        case 'while_statement':
        case 'try_statement':
          // Compile-time Python: the tasks are made in at least one case; read them once.
          this.expressions(stmt, group, build, true);
          for (const c of stmt.namedChildren) if (c && (c.type === 'block' || c.type.endsWith('_clause'))) this.block(c.type === 'block' ? c : (c.childForFieldName('body') ?? c), group, build);
          break;
        case 'block':
          this.block(stmt, group, build);
          break;
        default:
          this.expressions(stmt, group, build, false);
      }
    }
  }

  /** `with dsl.If(...)`, `ParallelFor`, `ExitHandler`: a sub-DAG whose tasks the block makes. */
  private withStatement(stmt: SyntaxNode, group: Group, build: Build): void {
    let inner = group;
    const clause = stmt.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      let value = item?.type === 'with_item' ? item.childForFieldName('value') : null;
      if (value?.type === 'as_pattern') value = value.namedChildren[0] ?? null;
      if (!value) continue;
      const q = value.type === 'call' ? this.qualified(value.childForFieldName('function')) : undefined;
      const type = q ? GROUPS[q] : undefined;
      // The exit task may be made in the header: `with dsl.ExitHandler(cleanup()):`.
      const made = this.made(value, inner, build);
      if (!type) continue;
      const n = ++build.groupCounter.n;
      const name = `${type}-${n}`;
      const line = lines(value).startLine;
      const node = map(line, [
        ['componentRef', map(line, [['name', scalar(`comp-${name}`, line)]])],
        ['taskInfo', map(line, [['name', scalar(name, line)]])],
      ]);
      if (type === 'condition') node.entries.push({ key: 'triggerPolicy', keyLine: line, value: map(line, [['condition', scalar(value.childForFieldName('arguments')?.namedChildren[0]?.text.slice(0, 200) ?? '', line)]]) });
      const entry: MapEntry = { key: name, keyLine: line, value: node };
      inner.tasks.push(entry);
      this.targets.push(entryTarget('dag-task', `${this.fnPrefix}.${inner.prefix}tasks.${name}`, entry));
      if (type === 'exit-handler') {
        const exit = value.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
        const exitValue = exit?.type === 'keyword_argument' ? exit.childForFieldName('value') : exit;
        const task = exitValue ? this.taskOf(exitValue, build, made) : undefined;
        if (task) {
          setEntry(task.node, 'triggerPolicy', map(line, [['strategy', scalar('ALL_UPSTREAM_TASKS_COMPLETED', line)]]), line);
          task.node.entries.push({ key: 'dependentTasks', keyLine: line, value: { type: 'list', startLine: line, endLine: line, items: [scalar(name, line)] } });
        }
      }
      const tasks: MapEntry[] = [];
      this.components_.push({ key: `comp-${name}`, keyLine: line, value: map(line, [['dag', map(line, [['tasks', { type: 'map', startLine: line, endLine: lines(stmt).endLine, entries: tasks }]])]]) });
      inner = { tasks, prefix: `components.comp-${name}.` };
    }
    const body = stmt.childForFieldName('body');
    if (body) this.block(body, inner, build);
  }

  /** The tasks the calls in an expression make (and settings they call), in evaluation order. */
  private made(e: SyntaxNode, group: Group, build: Build, headerOnly = false): Map<number, Task> {
    // Not the calls of a function or lambda the expression defines, nor, for a compound
    // statement's header, those of its blocks.
    const outside = (call: SyntaxNode): boolean => {
      for (let p = call.parent; p && p.id !== e.id; p = p.parent) {
        if (p.type === 'lambda' || p.type === 'function_definition') return false;
        if (headerOnly && (p.type === 'block' || p.type.endsWith('_clause'))) return false;
      }
      return true;
    };
    // In evaluation order: a call's arguments and receiver (which end before it) first.
    const calls = e
      .descendantsOfType('call')
      .filter(outside)
      .sort((a, b) => a.endIndex - b.endIndex);
    const made = new Map<number, Task>();
    for (const call of calls) {
      // The group's own call is no task.
      if (call.id === e.id && this.qualified(call.childForFieldName('function')) !== undefined) continue;
      const task = this.taskCall(call, group, build, made);
      if (task) made.set(call.id, task);
    }
    return made;
  }

  /** The calls of a simple statement (or the header of a compound one), in evaluation order. */
  private expressions(stmt: SyntaxNode, group: Group, build: Build, headerOnly: boolean): void {
    const made = this.made(stmt, group, build, headerOnly);
    // `t = comp(...)` (or a chain on it): the name stands for that task from here on.
    if (stmt.type === 'expression_statement') {
      const a = stmt.namedChildren[0];
      if (a?.type === 'assignment') {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        const task = right ? this.taskOf(right, build, made) : undefined;
        if (left?.type === 'identifier') {
          if (task) build.tasksByVariable.set(left.text, task);
          else build.tasksByVariable.delete(left.text);
        }
      }
    }
  }

  /** The task an expression stands for: a task call, a method chain on one, or a name bound to one. */
  private taskOf(e: SyntaxNode, build: Build, made: ReadonlyMap<number, Task>): Task | undefined {
    for (let depth = 0; depth < 64; depth++) {
      if (e.type === 'identifier') return build.tasksByVariable.get(e.text);
      if (e.type === 'parenthesized_expression' && e.namedChildren[0]) {
        e = e.namedChildren[0];
        continue;
      }
      if (e.type !== 'call') return undefined;
      const known = made.get(e.id);
      if (known) return known;
      const fn = e.childForFieldName('function');
      const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
      const object = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
      if (!method || !object || !(method.startsWith('set_') || method === 'after' || method === 'ignore_upstream_failure' || method === 'add_node_selector_constraint')) return undefined;
      e = object;
    }
    return undefined;
  }

  /** One call of a pipeline body: a task, a task setting, a kfp-kubernetes helper, or nothing of KFP's. */
  private taskCall(call: SyntaxNode, group: Group, build: Build, made: Map<number, Task>): Task | undefined {
    const fn = call.childForFieldName('function');
    const component = this.componentOf(call);
    if (component) return this.newTask(call, component, group, build);
    if (fn?.type === 'identifier' && this.loaded.has(fn.text)) return this.newTask(call, undefined, group, build, kebab(fn.text));
    const q = this.qualified(fn);
    if (q === 'kfp.dsl.importer') return this.newTask(call, undefined, group, build, 'importer');
    if (q?.startsWith('kfp.kubernetes.')) return undefined; // platform settings: not in the pipeline spec's DAG
    if (fn?.type === 'attribute') {
      const object = fn.childForFieldName('object');
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const task = object ? this.taskOf(object, build, made) : undefined;
      if (task) this.setting(task, method, call, build);
      return undefined;
    }
    if (fn?.type === 'identifier' && !q) {
      const local = this.localFunction(fn.text);
      if (local) this.unread.add(`pipeline code in ${fn.text}() (tasks a helper function makes are not followed)`);
      else if (this.importedName(fn.text) && this.usedAsTask(call)) {
        this.unread.add(`components defined in other modules (${fn.text})`);
        return this.newTask(call, undefined, group, build, kebab(fn.text));
      }
    }
    return undefined;
  }

  private localFunction(name: string): boolean {
    return this.root.namedChildren.some((s) => {
      const d = s?.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
      return d?.type === 'function_definition' && d.childForFieldName('name')?.text === name;
    });
  }

  private importedName(name: string): boolean {
    for (const s of this.root.namedChildren) {
      if (s?.type !== 'import_from_statement') continue;
      for (const n of s.childrenForFieldName('name')) {
        const local = n?.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n?.text;
        if (local === name) return true;
      }
    }
    return false;
  }

  /**
   * Whether what a call returns is used as a task (`.outputs`, `.output`, `.set_*`, `.after`), on
   * the call or on the name it is bound to in the same function.
   */
  private usedAsTask(call: SyntaxNode): boolean {
    const taskLike = (a: SyntaxNode) => TASK_ATTRIBUTE.test(a.childForFieldName('attribute')?.text ?? '');
    const p = call.parent;
    if (p?.type === 'attribute') return taskLike(p);
    const name = p?.type === 'assignment' && p.childForFieldName('right')?.id === call.id ? p.childForFieldName('left') : null;
    if (name?.type !== 'identifier') return false;
    let fn: SyntaxNode | null = call.parent;
    while (fn && fn.type !== 'function_definition') fn = fn.parent;
    return (fn?.descendantsOfType('attribute') ?? []).some((n) => n.childForFieldName('object')?.text === name.text && taskLike(n));
  }

  private newTask(call: SyntaxNode, component: Component | undefined, group: Group, build: Build, base?: string): Task | undefined {
    if (++this.tasksRead > MAX_TASKS) {
      this.unread.add(`tasks beyond the first ${MAX_TASKS}`);
      return undefined;
    }
    const line = lines(call).startLine;
    const name = base ?? kebab(component!.name);
    const n = (build.taskNames.get(name) ?? 0) + 1;
    build.taskNames.set(name, n);
    const key = n === 1 ? name : `${name}-${n}`;
    const node: MapNode = { type: 'map', ...lines(call), entries: [] };
    const entry: MapEntry = { key, keyLine: line, value: node };
    const task: Task = { entry, node, group };
    if (component?.kind === 'pipeline') {
      // A pipeline in a pipeline: a sub-DAG of its own tasks, named in its own scope.
      if (build.depth >= MAX_PIPELINE_DEPTH) {
        this.unread.add(`pipelines nested deeper than ${MAX_PIPELINE_DEPTH}`);
        return undefined;
      }
      const compKey = this.uniqueComponent(kebab(component.name));
      node.entries.push({ key: 'componentRef', keyLine: line, value: map(line, [['name', scalar(`comp-${compKey}`, line)]]) });
      node.entries.push({ key: 'taskInfo', keyLine: line, value: map(line, [['name', scalar(key, line)]]) });
      const inner: Group = { tasks: [], prefix: `components.comp-${compKey}.` };
      this.used.add(component);
      this.pipelineBody(component, inner, { fn: component.name, taskNames: new Map(), groupCounter: { n: 0 }, tasksByVariable: new Map(), depth: build.depth + 1 });
      this.components_.push({ key: `comp-${compKey}`, keyLine: line, value: map(line, [['dag', map(line, [['tasks', { type: 'map', ...lines(call), entries: inner.tasks }]])]]) });
    } else {
      let compName: string;
      if (component) {
        this.used.add(component);
        const executor = this.executorFor(component, call);
        if (executor) task.executor = executor;
        compName = this.components_[this.components_.length - 1]!.key;
      } else compName = `comp-${this.uniqueComponent(name)}`;
      const caching = this.cachingOverride(build);
      node.entries.push({ key: 'cachingOptions', keyLine: line, value: caching ? cachingNode(caching, line) : map(line, [['enableCache', scalar(true, line)]]) });
      node.entries.push({ key: 'componentRef', keyLine: line, value: map(line, [['name', scalar(compName, line)]]) });
      node.entries.push({ key: 'taskInfo', keyLine: line, value: map(line, [['name', scalar(key, line)]]) });
    }
    group.tasks.push(entry);
    this.targets.push(entryTarget(component?.kind === 'pipeline' ? 'dag-task' : 'task', `${this.fnPrefix}.${group.prefix}tasks.${key}`, entry));
    return task;
  }

  private uniqueComponent(base: string): string {
    const n = (this.executorNames.get(base) ?? 0) + 1;
    this.executorNames.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  }

  /** A setting called on a task (`train.set_retry(3)`): where the compiler writes it. */
  private setting(task: Task, method: string, call: SyntaxNode, build: Build): void {
    // In a chain over several lines, the setting's own line: where its method name is.
    const named = call.childForFieldName('function')?.childForFieldName('attribute');
    const line = lines(named ?? call).startLine;
    const scope = this.scopes.placeOf(call).scope;
    const arg = (name: string, position: number) => argumentValue(call, name, position, scope);
    const container = task.executor ? (get(task.executor, 'container') as MapNode | undefined) : undefined;
    const resources = () => {
      if (!container) return undefined;
      let r = get(container, 'resources');
      if (r?.type !== 'map') {
        r = { type: 'map', startLine: line, endLine: line, entries: [] };
        container.entries.push({ key: 'resources', keyLine: line, value: r });
      }
      return r;
    };
    const RESOURCE: Record<string, string> = {
      set_cpu_limit: 'resourceCpuLimit',
      set_cpu_request: 'resourceCpuRequest',
      set_memory_limit: 'resourceMemoryLimit',
      set_memory_request: 'resourceMemoryRequest',
    };
    switch (method) {
      case 'set_retry': {
        const retries = arg('num_retries', 0);
        if (!retries) return;
        const policy: [string, Node][] = [['maxRetryCount', retries]];
        policy.push(['backoffDuration', arg('backoff_duration', 1) ?? scalar('0s', line)]);
        policy.push(['backoffFactor', arg('backoff_factor', 2) ?? scalar(2.0, line)]);
        policy.push(['backoffMaxDuration', arg('backoff_max_duration', 3) ?? scalar('3600s', line)]);
        setEntry(task.node, 'retryPolicy', map(line, policy), line);
        return;
      }
      case 'set_caching_options': {
        const on = arg('enable_caching', 0);
        // A run's enable_caching overrides what the task says.
        if (on && !this.cachingOverride(build)) setEntry(task.node, 'cachingOptions', cachingNode(on, line), line);
        return;
      }
      case 'set_display_name': {
        const name = arg('name', 0);
        const info = get(task.node, 'taskInfo');
        if (name && info?.type === 'map') setEntry(info, 'name', name, line);
        return;
      }
      case 'after': {
        const deps: Node[] = [];
        for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
          const t = a && a.type !== 'keyword_argument' && a.type !== 'comment' ? this.taskOf(a, build, new Map()) : undefined;
          deps.push(t ? scalar(t.entry.key, line) : { type: 'symbolic', expr: a?.text.slice(0, 120) ?? '', refs: [], startLine: line, endLine: line });
        }
        const existing = get(task.node, 'dependentTasks');
        if (existing?.type === 'list') existing.items.push(...deps);
        else task.node.entries.push({ key: 'dependentTasks', keyLine: line, value: { type: 'list', startLine: line, endLine: line, items: deps } });
        return;
      }
      case 'set_env_variable': {
        const name = arg('name', 0);
        const value = arg('value', 1);
        if (!container || !name || !value) return;
        let env = get(container, 'env');
        if (env?.type !== 'list') {
          env = { type: 'list', startLine: line, endLine: line, items: [] };
          container.entries.push({ key: 'env', keyLine: line, value: env });
        }
        env.items.push(map(line, [['name', name], ['value', value]]));
        return;
      }
      case 'set_container_image': {
        const image = arg('name', 0);
        if (container && image) setEntry(container, 'image', image, line);
        return;
      }
      case 'set_accelerator_type':
      case 'add_node_selector_constraint': {
        const type = arg('accelerator', 0) ?? arg('value', 0);
        const r = resources();
        if (!r || !type) return;
        const acc = accelerator(r, line);
        setEntry(acc, 'resourceType', type, line);
        if (!get(acc, 'resourceCount')) setEntry(acc, 'resourceCount', scalar('1', line), line);
        return;
      }
      case 'set_accelerator_limit':
      case 'set_gpu_limit': {
        const count = arg('limit', 0);
        const r = resources();
        if (!r || !count) return;
        setEntry(accelerator(r, line), 'resourceCount', count.type === 'scalar' && typeof count.value === 'number' ? scalar(String(count.value), count.startLine) : count, line);
        return;
      }
      default: {
        const key = RESOURCE[method];
        const value = key ? arg(key === 'resourceCpuLimit' || key === 'resourceCpuRequest' ? 'cpu' : 'memory', 0) : undefined;
        const r = key ? resources() : undefined;
        if (key && r && value) setEntry(r, key, value.type === 'scalar' && typeof value.value === 'number' ? scalar(String(value.value), value.startLine) : value, line);
        else if (!key && method.startsWith('set_')) this.unread.add(`task.${method}`);
      }
    }
  }
}

/** The names a module binds to KFP: `from kfp import dsl` (dsl -> kfp.dsl), `from kfp.dsl import component`, `import kfp`. */
function kfpNames(root: SyntaxNode): Map<string, string> {
  const out = new Map<string, string>();
  // Imports may sit in `if __name__ == "__main__":` or in functions: read them all.
  for (const stmt of root.descendantsOfType(['import_from_statement', 'import_statement'])) {
    if (stmt.type === 'import_from_statement') {
      const from = normalised(stmt.childForFieldName('module_name')?.text ?? '');
      if (from === 'kfp' || from.startsWith('kfp.')) {
        for (const n of stmt.childrenForFieldName('name')) {
          const original = n?.type === 'aliased_import' ? n.childForFieldName('name')?.text : n?.text;
          const local = n?.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n?.text;
          if (original && local) out.set(local, normalised(`${from}.${original}`));
        }
      }
    } else if (stmt.type === 'import_statement') {
      for (const n of stmt.namedChildren) {
        const dotted = n?.type === 'aliased_import' ? n.childForFieldName('name')?.text : n?.text;
        if (!dotted || (dotted !== 'kfp' && !dotted.startsWith('kfp.'))) continue;
        if (n?.type === 'aliased_import') out.set(n.childForFieldName('alias')?.text ?? dotted, normalised(dotted));
        else out.set('kfp', 'kfp');
      }
    }
  }
  return out;
}

/** `kfp.v2.dsl.x` is `kfp.dsl.x`; `kfp.dsl.component_decorator.component` and the like are their public names. */
function normalised(q: string): string {
  return q.replace(/^kfp\.v2(?=\.|$)/, 'kfp').replace(/^kfp\.dsl\.(?:component_decorator|container_component_decorator|pipeline_context|tasks_group)\./, 'kfp.dsl.');
}

function kebab(name: string): string {
  return name.replace(/_/g, '-').toLowerCase();
}

function lines(n: SyntaxNode): { startLine: number; endLine: number } {
  return { startLine: n.startPosition.row + 1, endLine: n.endPosition.row + 1 };
}

function map(line: number, entries: [string, Node][]): MapNode {
  return { type: 'map', startLine: line, endLine: line, entries: entries.map(([key, value]) => ({ key, keyLine: value.startLine, value })) };
}

function setEntry(m: MapNode, key: string, value: Node, line: number): void {
  const e = m.entries.find((x) => x.key === key);
  if (e) {
    e.value = value;
    e.keyLine = line;
  } else m.entries.push({ key, keyLine: line, value });
}

function accelerator(resources: MapNode, line: number): MapNode {
  let acc = get(resources, 'accelerator');
  if (acc?.type !== 'map') {
    acc = { type: 'map', startLine: line, endLine: line, entries: [] };
    resources.entries.push({ key: 'accelerator', keyLine: line, value: acc });
  }
  return acc;
}

/** `cachingOptions` as the compiler writes it: `{enableCache: true}`, `{}` for false (proto3 drops it). */
function cachingNode(on: Node, line: number): MapNode {
  if (on.type === 'scalar' && on.value === false) return { type: 'map', startLine: on.startLine, endLine: on.endLine, entries: [] };
  if (on.type === 'scalar' && on.value === true) return map(line, [['enableCache', { ...on }]]);
  return map(line, [['enableCache', on]]);
}

/** A keyword argument's value (or the positional one at `position`, when >= 0). */
function argumentValue(call: SyntaxNode, name: string, position: number, scope: ReturnType<Scopes['placeOf']>['scope']): Node | undefined {
  let at = 0;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      if (a.childForFieldName('name')?.text !== name) continue;
      const v = a.childForFieldName('value');
      if (!v) return undefined;
      const value = valueOf(v, scope);
      return value.type === 'scalar' && value.value === null ? undefined : value;
    }
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') return { type: 'symbolic', expr: a.text.slice(0, 120), refs: [], ...lines(a) };
    if (at++ === position) {
      const value = valueOf(a, scope);
      return value.type === 'scalar' && value.value === null ? undefined : value;
    }
  }
  return undefined;
}

/** A decorator's or call's keyword argument (`base_image=...`), or its positional argument at `position`. */
function keywordValue(call: SyntaxNode, name: string, scopes: Scopes, position = -1): Node | undefined {
  if (call.type !== 'call') return undefined;
  return argumentValue(call, name, position, scopes.placeOf(call).scope);
}
