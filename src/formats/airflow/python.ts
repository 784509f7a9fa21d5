/**
 * Airflow DAGs written in Python, read statically (never imported or run): each `DAG(...)` (a
 * call, `with DAG(...) as dag:`, `dag = DAG(...)` then `with dag:` or `dag=dag`) and each
 * `@dag`-decorated function is a DAG; each operator instantiation (a call of a class with a
 * `task_id=`, `Operator.partial(task_id=...)`) and each `@task`-decorated function
 * (`@task.kubernetes`, `@task.bash`...) is a task (tasks.ts gives their nodes).
 *
 * The DAG of a task is its `dag=` argument, else the innermost `with DAG`/`@dag` around it, going
 * through the `with TaskGroup(...)` blocks in between (their `default_args` are layers too); a task
 * built in a plain function (a helper, a `@task_group`, a `@task` function) is in the DAG around
 * every call of that function, when all calls are in the same one. A task whose DAG cannot be
 * known this way has its DAG's settings, and what its `default_args` may set, unknown.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapEntry, MapNode, Node, Target } from '../../document.js';
import type { Scopes } from '../python/scopes.js';
import { valueOf } from '../python/values.js';
import { airflowImports } from '../python/airflow.js';
import { assignedName } from '../python/reader.js';
import { targetEntry } from '../common.js';
import { airflowValue, argumentsOf, calleeName } from './values.js';
import { dagNodes, dagSettings, mergeDefaults, taskNode, unknownAt, UniqueNames, type DagNodes } from './tasks.js';

export interface DagsRead {
  targets: Target[];
  /** The document root's entries: the DAGs, and the tasks of no known DAG. */
  roots: MapEntry[];
}

interface DagInfo {
  nodes: DagNodes;
  address: string;
  defaults: Node | undefined;
}

/** Where a task is: its DAG (undefined: not known) and the task groups' default_args between. */
interface Context {
  dag: DagInfo | undefined;
  layers: Node[];
}

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;
/** How many calls of helper functions are followed to find a task's DAG. */
const MAX_CALLERS_DEPTH = 8;
const CAPITALISED = /^[A-Z]/;
const CALL_SUFFIXES = new Set(['override', 'expand', 'partial', 'expand_kwargs']);

export class DagReader {
  private readonly names: Map<string, string>;
  private readonly dagCalls = new Map<number, DagInfo>();
  /** `with` statements and `@dag` functions that open a DAG's context, by node id. */
  private readonly dagContexts = new Map<number, DagInfo>();
  /** Names bound to one DAG (`dag = DAG(...)`, `as dag`); null when bound to several. */
  private readonly dagNames = new Map<string, DagInfo | null>();
  /** Calls by the name of the function they call (`make_task(...)`, `train.override(...)(...)`). */
  private readonly callers = new Map<string, SyntaxNode[]>();
  /** `@task` functions: keys a `.override(...)` call sets somewhere. */
  private readonly overrides = new Map<string, Set<string>>();
  private readonly addresses = new UniqueNames();
  private readonly memo = new Map<number, Context>();

  constructor(
    private readonly root: SyntaxNode,
    private readonly scopes: Scopes,
  ) {
    this.names = airflowImports(root);
  }

  read(): DagsRead {
    const calls: SyntaxNode[] = [];
    const decorated: SyntaxNode[] = [];
    const withs: SyntaxNode[] = [];
    for (const n of this.root.descendantsOfType(['call', 'decorated_definition', 'with_statement'])) {
      if (n.type === 'call') {
        calls.push(n);
        this.indexCaller(n);
      } else if (n.type === 'decorated_definition') decorated.push(n);
      else withs.push(n);
    }
    // DAGs first, in file order, so tasks find them.
    for (const call of calls) if (this.isDagCall(call)) this.dagCall(call);
    for (const d of decorated) {
      const fn = d.childForFieldName('definition');
      const dec = this.decoratorNamed(d, 'dag');
      if (fn?.type === 'function_definition' && dec) this.dagFunction(d, fn, dec);
    }
    for (const w of withs) {
      for (const item of withItems(w)) {
        const info = item.type === 'identifier' ? this.dagNames.get(item.text) : undefined;
        if (info) this.dagContexts.set(w.id, info);
      }
    }
    const targets: Target[] = [];
    const roots: MapEntry[] = [];
    for (const call of calls) {
      const t = this.operatorTask(call);
      if (t) targets.push(t);
    }
    for (const d of decorated) {
      const t = this.decoratedTask(d);
      if (t) targets.push(t);
    }
    const dagTargets: Target[] = [];
    for (const info of new Set([...this.dagCalls.values(), ...this.dagContexts.values()])) {
      const n = info.nodes.node;
      dagTargets.push({ type: 'dag', name: info.address, address: info.address, node: n, startLine: n.startLine, endLine: n.endLine });
      roots.push({ key: info.address, keyLine: n.startLine, value: n });
    }
    for (const t of targets) {
      const dag = t.node.type === 'map' ? t.node.entries.find((e) => e.key === 'dag')?.value : undefined;
      if (dag?.type === 'symbolic') roots.push(targetEntry(t));
    }
    for (const info of new Set(this.dagCalls.values())) info.nodes.tasks.sort((a, b) => a.startLine - b.startLine);
    return { targets: [...dagTargets, ...targets].sort((a, b) => a.startLine - b.startLine || (a.type === 'dag' ? -1 : 1)), roots };
  }

  private indexCaller(call: SyntaxNode): void {
    let fn = call.childForFieldName('function');
    // `f.override(...)(...)`: the outer call's callee is itself a call.
    if (fn?.type === 'call') fn = fn.childForFieldName('function');
    let name: string | undefined;
    if (fn?.type === 'identifier') name = fn.text;
    else if (fn?.type === 'attribute' && CALL_SUFFIXES.has(fn.childForFieldName('attribute')?.text ?? '')) {
      const object = fn.childForFieldName('object');
      if (object?.type === 'identifier') name = object.text;
      if (name && fn.childForFieldName('attribute')?.text === 'override') {
        const keys = this.overrides.get(name) ?? new Set<string>();
        for (const k of argumentsOf(call).keywords) keys.add(k.name);
        this.overrides.set(name, keys);
      }
    }
    if (!name) return;
    const list = this.callers.get(name);
    if (list) list.push(call);
    else this.callers.set(name, [call]);
  }

  /** The original Airflow name of a decorator's expression (`task` of `@task.kubernetes(...)`), with its attribute. */
  private decoratorParts(expr: SyntaxNode): { name: string; attribute?: string } | undefined {
    const callee = expr.type === 'call' ? expr.childForFieldName('function') : expr;
    if (callee?.type === 'identifier') {
      const original = this.names.get(callee.text);
      return original ? { name: original } : undefined;
    }
    if (callee?.type === 'attribute') {
      const object = callee.childForFieldName('object');
      const attribute = callee.childForFieldName('attribute')?.text;
      const original = object?.type === 'identifier' ? this.names.get(object.text) : undefined;
      if (original && attribute) return { name: original, attribute };
    }
    return undefined;
  }

  /** A decorator of a definition that is Airflow's `name` itself (`@dag`, `@dag(...)`), its expression. */
  private decoratorNamed(d: SyntaxNode, name: string): SyntaxNode | undefined {
    for (const dec of d.namedChildren) {
      if (dec?.type !== 'decorator') continue;
      const expr = dec.namedChildren[0];
      const parts = expr ? this.decoratorParts(expr) : undefined;
      if (expr && parts?.name === name && parts.attribute === undefined) return expr;
    }
    return undefined;
  }

  private isDagCall(call: SyntaxNode): boolean {
    const fn = call.childForFieldName('function');
    if (fn?.type === 'identifier') return fn.text === 'DAG' || this.names.get(fn.text) === 'DAG';
    return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'DAG';
  }

  private dagCall(call: SyntaxNode): void {
    const { scope } = this.scopes.placeOf(call);
    const { keywords, positional, splat } = argumentsOf(call);
    const entries: MapEntry[] = [];
    const first = positional[0];
    if (first && !keywords.some((k) => k.name === 'dag_id')) entries.push({ key: 'dag_id', keyLine: line(first), value: airflowValue(first, scope) });
    for (const k of keywords) entries.push({ key: k.name, keyLine: line(k.node), value: airflowValue(k.value, scope) });
    const open = splat ? unknownAt(splat.text, line(splat), endLine(splat)) : undefined;
    // Where it stands: `with DAG(...) as dag:`, `dag = DAG(...)`.
    let parent = call.parent;
    let alias: string | undefined;
    if (parent?.type === 'as_pattern') {
      alias = parent.childForFieldName('alias')?.namedChildren[0]?.text ?? parent.childForFieldName('alias')?.text;
      parent = parent.parent;
    }
    let context: SyntaxNode | undefined;
    if (parent?.type === 'with_item') context = parent.parent?.parent ?? undefined;
    else if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === call.id) {
      const left = parent.childForFieldName('left');
      if (left?.type === 'identifier') alias = left.text;
    }
    const info = this.dagInfo(entries, open, alias ?? 'DAG', line(call), endLine(call));
    this.dagCalls.set(call.id, info);
    if (context?.type === 'with_statement') this.dagContexts.set(context.id, info);
    if (alias) this.dagNames.set(alias, this.dagNames.has(alias) ? null : info);
  }

  private dagFunction(d: SyntaxNode, fn: SyntaxNode, expr: SyntaxNode): void {
    const { scope } = this.scopes.placeOf(d);
    const name = fn.childForFieldName('name');
    const entries: MapEntry[] = [];
    let open: Node | undefined;
    if (expr.type === 'call') {
      const { keywords, positional, splat } = argumentsOf(expr);
      const first = positional[0];
      if (first && !keywords.some((k) => k.name === 'dag_id')) entries.push({ key: 'dag_id', keyLine: line(first), value: airflowValue(first, scope) });
      for (const k of keywords) entries.push({ key: k.name, keyLine: line(k.node), value: airflowValue(k.value, scope) });
      if (splat) open = unknownAt(splat.text, line(splat), endLine(splat));
    }
    // The DAG's id is the function's name unless given.
    if (name && !entries.some((e) => e.key === 'dag_id')) entries.unshift({ key: 'dag_id', keyLine: line(name), value: { type: 'scalar', value: name.text, startLine: line(name), endLine: line(name) } });
    const info = this.dagInfo(entries, open, name?.text ?? 'dag', line(d), name ? line(name) : line(d));
    this.dagCalls.set(d.id, info);
    this.dagContexts.set(fn.id, info);
  }

  private dagInfo(entries: MapEntry[], open: Node | undefined, fallback: string, startLine: number, end: number): DagInfo {
    const settings = dagSettings(entries, open, startLine, end);
    const id = settings.entries.find((e) => e.key === 'dag_id')?.value;
    const address = this.addresses.next(`dags.${id?.type === 'scalar' && typeof id.value === 'string' && id.value !== '' ? id.value : fallback}`);
    const defaults = settings.entries.find((e) => e.key === 'default_args')?.value;
    return { nodes: dagNodes(settings), address, defaults };
  }

  /** The DAG around a node and the task groups' default_args between, followed through helper functions' callers. */
  private contextOf(start: SyntaxNode, depth: number): Context {
    const groups: Node[] = [];
    for (let n: SyntaxNode | null = start; n; n = n.parent) {
      if (n.type === 'with_statement') {
        const dag = this.dagContexts.get(n.id);
        for (const item of withItems(n).reverse()) {
          if (item.type === 'call' && calleeName(item) === 'TaskGroup') {
            const d = argumentsOf(item).keywords.find((k) => k.name === 'default_args');
            if (d) groups.unshift(airflowValue(d.value, this.scopes.placeOf(item).scope));
          }
        }
        if (dag) return { dag, layers: [...(dag.defaults ? [dag.defaults] : []), ...groups] };
      } else if (n.type === 'function_definition') {
        const dag = this.dagContexts.get(n.id);
        if (dag) return { dag, layers: [...(dag.defaults ? [dag.defaults] : []), ...groups] };
        const group = n.parent?.type === 'decorated_definition' ? this.decoratorNamed(n.parent, 'task_group') : undefined;
        if (group?.type === 'call') {
          const d = argumentsOf(group).keywords.find((k) => k.name === 'default_args');
          if (d) groups.unshift(airflowValue(d.value, this.scopes.placeOf(group).scope));
        }
        const outer = this.callersContext(n, depth);
        return outer.dag ? { dag: outer.dag, layers: [...outer.layers, ...groups] } : outer;
      }
    }
    return { dag: undefined, layers: [] };
  }

  /** The context of every call of a function, when it is one and the same DAG. */
  private callersContext(fn: SyntaxNode, depth: number): Context {
    const none: Context = { dag: undefined, layers: [] };
    const name = fn.childForFieldName('name')?.text;
    const calls = name ? (this.callers.get(name) ?? []) : [];
    if (depth >= MAX_CALLERS_DEPTH || calls.length === 0) return none;
    const known = this.memo.get(fn.id);
    if (known) return known;
    this.memo.set(fn.id, none); // a function that calls itself finds no DAG that way
    const contexts = calls.map((c) => this.contextOf(c, depth + 1));
    const first = contexts[0]!;
    const same = first.dag !== undefined && contexts.every((c) => c.dag === first.dag && sameLayers(c.layers, first.layers));
    const out = same ? first : none;
    this.memo.set(fn.id, out);
    return out;
  }

  /** The DAG a task is added to: its `dag=` argument, else where it is built. */
  private taskContext(at: SyntaxNode, dagArg: SyntaxNode | undefined): Context {
    if (dagArg) {
      const info = dagArg.type === 'identifier' ? this.dagNames.get(dagArg.text) : undefined;
      return info ? { dag: info, layers: info.defaults ? [info.defaults] : [] } : { dag: undefined, layers: [] };
    }
    return this.contextOf(at, 0);
  }

  /** `XOperator(task_id=..., ...)`, `XOperator.partial(task_id=..., ...)`. */
  private operatorTask(call: SyntaxNode): Target | undefined {
    const fn = call.childForFieldName('function');
    let cls: SyntaxNode | null | undefined = fn;
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'partial') cls = fn.childForFieldName('object');
    const local = cls?.type === 'identifier' ? cls.text : cls?.type === 'attribute' ? cls.childForFieldName('attribute')?.text : undefined;
    if (!local || !CAPITALISED.test(local) || this.isDagCall(call)) return undefined;
    const args = argumentsOf(call);
    const taskId = args.keywords.find((k) => k.name === 'task_id');
    if (!taskId) return undefined;
    const operator = (cls?.type === 'identifier' ? this.names.get(local) : undefined) ?? local;
    const { fn: fnName, scope } = this.scopes.placeOf(call);
    const own: MapEntry[] = [];
    let ownOpen: Node | undefined;
    let taskDefaults: Node | undefined;
    for (const k of args.keywords) {
      if (k.name === 'dag') continue;
      const value = airflowValue(k.value, scope);
      if (k.name === 'default_args') taskDefaults = value;
      else own.push({ key: k.name, keyLine: line(k.node), value });
    }
    if (args.splat) {
      const inner = args.splat.type === 'dictionary_splat' ? args.splat.namedChildren[0] : undefined;
      const v = inner ? airflowValue(inner, scope) : undefined;
      if (v?.type === 'map') own.push(...v.entries.filter((e) => !own.some((o) => o.key === e.key)));
      else ownOpen = unknownAt(args.splat.text, line(args.splat), endLine(args.splat));
    }
    const dagArg = args.keywords.find((k) => k.name === 'dag')?.value;
    const context = this.taskContext(call, dagArg);
    const callableArg = args.keywords.find((k) => k.name === 'python_callable')?.value;
    const callable = callableArg?.type === 'identifier' ? callableArg.text : callableArg?.type === 'attribute' ? callableArg.childForFieldName('attribute')?.text : undefined;
    const bash = args.keywords.find((k) => k.name === 'bash_command' || k.name === 'command')?.value;
    const bashValue = bash ? valueOf(bash, scope) : undefined;
    const idValue = airflowValue(taskId.value, scope);
    const at = line(call);
    const input = {
      operator,
      startLine: line(call),
      endLine: endLine(call),
      taskId: idValue,
      own,
      defaults: mergeDefaults([...layersOf(context, at), taskDefaults]),
      dag: context.dag?.nodes.settings ?? unknownAt('the DAG this task is added to is not known', line(call)),
      ...(ownOpen ? { ownOpen } : {}),
      ...(callable ? { callable } : {}),
      ...(bashValue?.type === 'scalar' && typeof bashValue.value === 'string' ? { bashCommand: bashValue.value } : {}),
    };
    return this.task(input, context, fnName, idValue, assignedName(call) ?? operator);
  }

  /** A `@task`-decorated function (`@task`, `@task(retries=2)`, `@task.kubernetes(image=...)`, `@task.bash`). */
  private decoratedTask(d: SyntaxNode): Target | undefined {
    const fn = d.childForFieldName('definition');
    if (fn?.type !== 'function_definition') return undefined;
    let expr: SyntaxNode | undefined;
    let operator: string | undefined;
    for (const dec of d.namedChildren) {
      if (dec?.type !== 'decorator') continue;
      const e = dec.namedChildren[0];
      const parts = e ? this.decoratorParts(e) : undefined;
      if (e && parts?.name === 'task') {
        expr = e;
        operator = parts.attribute ? `@task.${parts.attribute}` : '@task';
      }
    }
    if (!expr || !operator) return undefined;
    const name = fn.childForFieldName('name');
    const { fn: outerFn, scope } = this.scopes.placeOf(d);
    const own: MapEntry[] = [];
    let ownOpen: Node | undefined;
    let taskDefaults: Node | undefined;
    let taskId: Node | undefined;
    if (expr.type === 'call') {
      const args = argumentsOf(expr);
      for (const k of args.keywords) {
        const value = airflowValue(k.value, scope);
        if (k.name === 'default_args') taskDefaults = value;
        else if (k.name === 'task_id') taskId = value;
        else if (k.name !== 'dag') own.push({ key: k.name, keyLine: line(k.node), value });
      }
      if (args.splat) ownOpen = unknownAt(args.splat.text, line(args.splat), endLine(args.splat));
    }
    // What a `.override(...)` sets somewhere differs between the task's copies: unknown.
    const fnName = name?.text;
    for (const key of (fnName ? this.overrides.get(fnName) : undefined) ?? []) {
      const i = own.findIndex((e) => e.key === key);
      const e: MapEntry = { key, keyLine: line(d), value: unknownAt(`${fnName}.override(${key}=...)`, line(d)) };
      if (i === -1) own.push(e);
      else own[i] = e;
    }
    const context = this.contextOf(fn, 0);
    const nameLine = name ? line(name) : line(d);
    taskId ??= { type: 'scalar', value: fnName ?? operator, startLine: nameLine, endLine: nameLine };
    const at = line(d);
    const input = {
      operator,
      startLine: line(d),
      endLine: nameLine,
      taskId,
      own,
      defaults: mergeDefaults([...layersOf(context, at), taskDefaults]),
      dag: context.dag?.nodes.settings ?? unknownAt('the DAG this task is added to is not known', line(d)),
      ...(ownOpen ? { ownOpen } : {}),
      ...(fnName ? { callable: fnName } : {}),
      ...(operator === '@task.bash' ? returnedString(fn, scope) : {}),
    };
    return this.task(input, context, outerFn, taskId, fnName ?? operator);
  }

  private task(input: Parameters<typeof taskNode>[0], context: Context, fn: string | undefined, id: Node, fallback: string): Target {
    const node = taskNode(input);
    const idText = id.type === 'scalar' && typeof id.value === 'string' && id.value !== '' ? id.value : fallback;
    const address = this.addresses.next(context.dag ? `${context.dag.address}.${idText}` : `tasks.${fn ?? '<module>'}.${idText}`);
    context.dag?.nodes.tasks.push(node);
    return { type: 'task', name: idText, address, node, startLine: input.startLine, endLine: input.endLine };
  }
}

/** The expressions a `with` statement opens (`DAG(...)` of `with DAG(...) as dag:`). */
function withItems(w: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const clause of w.namedChildren) {
    if (clause?.type !== 'with_clause') continue;
    for (const item of clause.namedChildren) {
      if (item?.type !== 'with_item') continue;
      let v = item.childForFieldName('value');
      if (v?.type === 'as_pattern') v = v.namedChildren[0] ?? null;
      if (v) out.push(v);
    }
  }
  return out;
}

/** The default_args layers of a task's context; those of a DAG that is not known are unknown. */
function layersOf(context: Context, at: number): Node[] {
  return context.dag ? context.layers : [unknownAt('the default_args of the DAG this task is added to, which is not known', at)];
}

function sameLayers(a: readonly Node[], b: readonly Node[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** `@task.bash`: the command a function returns, when it returns one literal string and nothing else. */
function returnedString(fn: SyntaxNode, scope: Parameters<typeof valueOf>[1]): { bashCommand?: string } {
  const body = fn.childForFieldName('body');
  const returns = (body?.namedChildren ?? []).filter((s) => s?.type === 'return_statement');
  if (returns.length !== 1) return {};
  const v = returns[0]!.namedChildren[0];
  const value = v ? valueOf(v, scope) : undefined;
  return value?.type === 'scalar' && typeof value.value === 'string' ? { bashCommand: value.value } : {};
}

export type { MapNode };
