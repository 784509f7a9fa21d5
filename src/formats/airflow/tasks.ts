/**
 * What an Airflow DAG's targets look like to a rule, whichever way the DAG is written (Python,
 * dag-factory YAML): a DAG (type `dag`) and its tasks (type `task`), keyed by Airflow's own
 * argument names, with the DAG's `default_args` merged into each task as Airflow merges them and
 * a few derived facts (`ml`, `ml_kind`, `pod`) the rules select on. Shared by python.ts and yaml.ts.
 *
 * Merging (Airflow's `apply_defaults`): the layers of `default_args` (the DAG's, its task groups',
 * the task's own `default_args=`), the later winning, fill every argument the task does not give
 * itself; Airflow applies a key where the operator's `__init__` takes it (BaseOperator's keys
 * always). A layer that cannot be read (a call, a function parameter) makes every key it could
 * set unknown, as does `**kwargs` on the operator; a key set to `None` is no setting.
 */
import type { MapEntry, MapNode, Node, SymbolicNode } from '../../document.js';

/**
 * BaseOperator's arguments a DAG's `default_args` can set for every task, and the operator
 * arguments the rules read: when an unreadable layer may set them, they are unknown.
 */
export const DEFAULTABLE_KEYS: readonly string[] = [
  'owner',
  'email',
  'email_on_retry',
  'email_on_failure',
  'retries',
  'retry_delay',
  'retry_exponential_backoff',
  'max_retry_delay',
  'start_date',
  'end_date',
  'depends_on_past',
  'wait_for_downstream',
  'priority_weight',
  'queue',
  'pool',
  'pool_slots',
  'sla',
  'execution_timeout',
  'on_execute_callback',
  'on_failure_callback',
  'on_success_callback',
  'on_retry_callback',
  'on_skipped_callback',
  'trigger_rule',
  'executor_config',
  // Operator arguments the rules read, which a default_args key sets where the operator takes it.
  'max_ingestion_time',
  'image',
  'container_resources',
  'resources',
  'env_vars',
  'env',
  'environment',
  'active_deadline_seconds',
  'pod_template_file',
  'pod_template_dict',
  'full_pod_spec',
];

/** The DAG settings that are unknown when a `DAG(**kwargs)` may set them. */
export const DAG_KEYS: readonly string[] = [
  'description',
  'schedule',
  'schedule_interval',
  'timetable',
  'start_date',
  'end_date',
  'catchup',
  'max_active_runs',
  'max_active_tasks',
  'concurrency',
  'dagrun_timeout',
  'sla_miss_callback',
  'on_failure_callback',
  'on_success_callback',
  'default_args',
  'tags',
];

/** `default_args` as merged so far: the keys known, and the unreadable layer that may set any other. */
export interface Defaults {
  entries: Map<string, MapEntry>;
  open?: Node;
}

export const noDefaults = (): Defaults => ({ entries: new Map() });

/** Layers of default_args merged in order, the later winning; `None` is no layer. */
export function mergeDefaults(layers: readonly (Node | undefined)[]): Defaults {
  let out: Defaults = noDefaults();
  for (const layer of layers) {
    if (!layer || (layer.type === 'scalar' && layer.value === null)) continue;
    if (layer.type === 'map') {
      for (const e of layer.entries) out.entries.set(e.key, e);
    } else {
      // Any key may be set, over what came before.
      out = { entries: new Map(), open: layer };
    }
  }
  return out;
}

/** A symbolic node standing for a value that cannot be known, at `line`. */
export function unknownAt(expr: string, startLine: number, endLine = startLine, refs: string[] = []): SymbolicNode {
  return { type: 'symbolic', expr: expr.length > 120 ? `${expr.slice(0, 120)}…` : expr, refs, startLine, endLine };
}

export interface TaskInput {
  /** The operator's class name (`KubernetesPodOperator`), or `@task`, `@task.kubernetes`... */
  operator: string;
  startLine: number;
  endLine: number;
  taskId: Node;
  /** The task's own arguments (Airflow's names), as written. */
  own: MapEntry[];
  /** `**kwargs` the reader cannot see into: any argument the task does not name may be set. */
  ownOpen?: Node;
  defaults: Defaults;
  /** The DAG's settings (no tasks), or unknown when the DAG the task is added to is not known. */
  dag: Node;
  /** The name of the Python callable (`python_callable=train_model`, the `@task` function). */
  callable?: string;
  /** A bash command as written, before templates are made unknown. */
  bashCommand?: string;
}

/** Operators that run a pod: `pod: true`, and ML tasks. */
const POD_OPERATORS = new Set(['KubernetesPodOperator', 'GKEStartPodOperator', 'EksPodOperator', 'KubernetesJobOperator', '@task.kubernetes']);

/** SageMaker operators that run ML work (jobs, endpoints, pipelines); sensors and deletions are not. */
const SAGEMAKER_ML = /^SageMaker(?:Training|Tuning|Processing|Transform|Endpoint|EndpointConfig|Model|StartPipeline|AutoML|RegisterModelVersion)Operator$/;

/** Vertex AI operators of the Google provider that train, tune, predict or run pipelines. */
const VERTEX_ML = /^(?:Create(?:Custom(?:Container|PythonPackage)?TrainingJob|AutoML\w*TrainingJob|HyperparameterTuningJob|BatchPredictionJob)|RunPipelineJob|DeployModel)Operator$/;

/** Operators that call a Python function: the function's name may say it trains. */
const PYTHON_OPERATORS = new Set(['PythonOperator', 'PythonVirtualenvOperator', 'ExternalPythonOperator', '@task', '@task.python', '@task.virtualenv', '@task.external_python', '@task.docker', '@task.pyspark']);

/** Words of a function name that say it does ML work. */
const ML_WORDS = new Set(['train', 'training', 'retrain', 'fit', 'finetune', 'evaluate', 'evaluation', 'predict', 'prediction', 'predictions', 'infer', 'inference']);

/**
 * A command line that runs ML work: a Python script or module named for it (`python train.py`,
 * `python -m pipeline.evaluate`), the AWS CLI creating SageMaker jobs, DVC, MLflow projects and
 * distributed launchers.
 */
const ML_CLI = new RegExp(
  [
    String.raw`\bpython[0-9.]*\s+(?:-[A-Za-z]\S*\s+)*(?:-m\s+)?[\w./-]*?(?:^|[/._-]|\b)(?:re)?(?:train|fit|finetune|evaluate|predict|infer)\w*(?:\.py)?\b`,
    String.raw`\baws\s+sagemaker\s+(?:create-(?:training|processing|transform|hyper-parameter-tuning|auto-ml|compilation)-job|create-endpoint|start-pipeline-execution)\b`,
    String.raw`\bdvc\s+(?:repro|exp\s+run)\b`,
    String.raw`\bmlflow\s+run\b`,
    String.raw`\b(?:torchrun|deepspeed|accelerate\s+launch)\b`,
  ].join('|'),
  'i',
);

/** The words of an identifier, snake_case or camelCase. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** Why a task is an ML task, or undefined when it is none (rules/airflow.yaml notes say the same). */
export function mlKind(operator: string, callable: string | undefined, bashCommand: string | undefined): string | undefined {
  if (SAGEMAKER_ML.test(operator)) return 'sagemaker';
  if (POD_OPERATORS.has(operator)) return 'kubernetes';
  if (VERTEX_ML.test(operator)) return 'vertex';
  if ((operator === 'BashOperator' || operator === '@task.bash' || operator === 'SSHOperator') && bashCommand !== undefined && ML_CLI.test(bashCommand)) return 'cli';
  if (PYTHON_OPERATORS.has(operator) && callable !== undefined && words(callable).some((w) => ML_WORDS.has(w))) return 'python-callable';
  return undefined;
}

export function isPodOperator(operator: string): boolean {
  return POD_OPERATORS.has(operator);
}

/** Keys whose value is an environment: a dict of names to values, read as `[{name, value}]`. */
const ENV_KEYS = new Set(['env_vars', 'env', 'environment']);

/** An environment as Kubernetes lists it: a dict `{NAME: value}` becomes `[{name, value}]`; a list stays. */
export function envList(n: Node): Node {
  if (n.type !== 'map') return n;
  return {
    type: 'list',
    items: n.entries.map((e): MapNode => ({
      type: 'map',
      entries: [
        { key: 'name', keyLine: e.keyLine, value: { type: 'scalar', value: e.key, startLine: e.keyLine, endLine: e.keyLine } },
        { key: 'value', keyLine: e.keyLine, value: e.value },
      ],
      startLine: Math.min(e.keyLine, e.value.startLine),
      endLine: Math.max(e.keyLine, e.value.endLine),
    })),
    startLine: n.startLine,
    endLine: n.endLine,
  };
}

/** A value with every string that holds a Jinja template (`{{ ... }}`) made unknown: Airflow renders it when the task runs. */
export function templatesUnknown(n: Node, depth = 0): Node {
  if (depth > 256) return n;
  if (n.type === 'scalar' && typeof n.value === 'string' && n.value.includes('{{')) return unknownAt(n.value, n.startLine, n.endLine);
  if (n.type === 'map') return { ...n, entries: n.entries.map((e) => ({ ...e, value: templatesUnknown(e.value, depth + 1) })) };
  if (n.type === 'list') return { ...n, items: n.items.map((i) => templatesUnknown(i, depth + 1)) };
  return n;
}

const isNone = (n: Node) => n.type === 'scalar' && n.value === null;

/**
 * The node of a task: `operator`, `task_id`, its arguments with the defaults merged, `dag` (the
 * DAG's settings), and the derived `ml`, `ml_kind`, `pod`.
 */
export function taskNode(t: TaskInput): MapNode {
  const line = t.startLine;
  const merged = new Map<string, MapEntry>();
  const own = new Set(t.own.map((e) => e.key));
  for (const [key, e] of t.defaults.entries) if (!own.has(key)) merged.set(key, t.ownOpen ? { ...e, value: unknownAt(`**kwargs may set ${key}`, line) } : e);
  for (const e of t.own) merged.set(e.key, e);
  const open = t.ownOpen ?? t.defaults.open;
  if (open) {
    for (const key of DEFAULTABLE_KEYS) {
      if (!merged.has(key)) merged.set(key, { key, keyLine: open.startLine, value: unknownAt(t.ownOpen ? `**kwargs may set ${key}` : `default_args ${nodeExpr(open)} may set ${key}`, open.startLine, open.endLine) });
    }
  }
  const entries: MapEntry[] = [
    { key: 'operator', keyLine: line, value: { type: 'scalar', value: t.operator, startLine: line, endLine: line } },
    { key: 'task_id', keyLine: t.taskId.startLine, value: t.taskId },
  ];
  const kind = mlKind(t.operator, t.callable, t.bashCommand);
  entries.push({ key: 'ml', keyLine: line, value: { type: 'scalar', value: kind !== undefined, startLine: line, endLine: line } });
  if (kind) entries.push({ key: 'ml_kind', keyLine: line, value: { type: 'scalar', value: kind, startLine: line, endLine: line } });
  if (isPodOperator(t.operator)) entries.push({ key: 'pod', keyLine: line, value: { type: 'scalar', value: true, startLine: line, endLine: line } });
  for (const [key, e] of merged) {
    if (key === 'task_id' || key === 'dag' || key === 'default_args' || isNone(e.value)) continue;
    const value = templatesUnknown(ENV_KEYS.has(key) ? envList(e.value) : e.value);
    entries.push({ ...e, value });
  }
  entries.push({ key: 'dag', keyLine: line, value: t.dag });
  return { type: 'map', entries, startLine: t.startLine, endLine: t.endLine };
}

function nodeExpr(n: Node): string {
  return n.type === 'symbolic' ? n.expr : n.type;
}

/**
 * A DAG's settings as its tasks see them (`dag` of a task: no task list) and the DAG's own node
 * (the settings and `tasks`, the list of its tasks' nodes, filled in as they are read).
 */
export interface DagNodes {
  settings: MapNode;
  node: MapNode;
  tasks: Node[];
}

export function dagNodes(settings: MapNode): DagNodes {
  const tasks: Node[] = [];
  const list: Node = { type: 'list', items: tasks, startLine: settings.startLine, endLine: settings.endLine };
  const node: MapNode = { ...settings, entries: [...settings.entries, { key: 'tasks', keyLine: settings.startLine, value: list }] };
  return { settings, node, tasks };
}

/** Settings of a DAG as read: `None` values dropped, templates unknown, and `**kwargs` making the rest unknown. */
export function dagSettings(entries: MapEntry[], open: Node | undefined, startLine: number, endLine: number): MapNode {
  const out: MapEntry[] = [];
  for (const e of entries) if (!isNone(e.value) || e.key === 'schedule' || e.key === 'schedule_interval') out.push({ ...e, value: templatesUnknown(e.value) });
  if (open) {
    for (const key of DAG_KEYS) if (!out.some((e) => e.key === key)) out.push({ key, keyLine: open.startLine, value: unknownAt(`**kwargs may set ${key}`, open.startLine, open.endLine) });
  }
  return { type: 'map', entries: out, startLine, endLine };
}

/** Unique addresses: `x`, then `x#2`. */
export class UniqueNames {
  private readonly seen = new Map<string, number>();
  next(name: string): string {
    const n = (this.seen.get(name) ?? 0) + 1;
    this.seen.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  }
}
