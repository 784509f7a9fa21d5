/**
 * dag-factory YAML (https://github.com/astronomer/dag-factory): each top-level key is a DAG id
 * (`default:` holds what every DAG of the file starts from), each DAG a map of `DAG` arguments with
 * `default_args` and `tasks` (a map of task name to arguments, or a list of them with `task_id`),
 * each task naming its `operator` by dotted path. Read into the same targets as a DAG in Python
 * (tasks.ts), so the same rules apply.
 *
 * dag-factory's spellings are read as the arguments they become: `execution_timeout_secs`,
 * `sla_secs`, `retry_delay_sec`, `dagrun_timeout_sec` (seconds), `<callback>_name` with
 * `<callback>_file` (the callback), `python_callable_name` (the callable), an object
 * `{__type__: datetime.timedelta, hours: 1}` (its seconds) and any other `__type__` object (its
 * arguments, as a map). A `{{ ... }}` template is unknown.
 */
import type { MapEntry, MapNode, Node, Target } from '../../document.js';
import { entry, get } from '../tree.js';
import { dagNodes, dagSettings, mergeDefaults, taskNode, UniqueNames } from './tasks.js';

const SECONDS: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 0.001, microseconds: 0.000001 };

/** dag-factory's keys in seconds, and the argument each becomes. */
const SECONDS_KEYS: Record<string, string> = {
  execution_timeout_secs: 'execution_timeout',
  sla_secs: 'sla',
  retry_delay_sec: 'retry_delay',
  retry_delay_secs: 'retry_delay',
  max_retry_delay_secs: 'max_retry_delay',
  dagrun_timeout_sec: 'dagrun_timeout',
  dagrun_timeout_secs: 'dagrun_timeout',
};

/** Whether a YAML root looks like dag-factory's: some top-level DAG with `tasks` that name an `operator`. */
export function isDagFactory(root: MapNode): boolean {
  return root.entries.some((e) => e.key !== 'default' && taskEntries(get(e.value, 'tasks')).some((t) => isOperator(get(t.value, 'operator'))));
}

/** dag-factory imports the operator by its dotted path (`airflow.operators.bash.BashOperator`). */
const isOperator = (n: Node | undefined) => n?.type === 'scalar' && typeof n.value === 'string' && /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\.[A-Z]\w*$/.test(n.value);

/** The tasks of a DAG: a map of name to arguments, or a list of maps with `task_id`. */
function taskEntries(tasks: Node | undefined): MapEntry[] {
  if (tasks?.type === 'map') return tasks.entries.filter((e) => e.value.type === 'map');
  if (tasks?.type === 'list') {
    const out: MapEntry[] = [];
    for (const t of tasks.items) {
      const id = get(t, 'task_id');
      if (t.type === 'map' && id?.type === 'scalar' && id.value !== null) out.push({ key: String(id.value), keyLine: t.startLine, value: t });
    }
    return out;
  }
  return [];
}

export function readDagFactory(root: MapNode): { targets: Target[] } {
  const addresses = new UniqueNames();
  const targets: Target[] = [];
  const base = get(root, 'default');
  for (const d of root.entries) {
    if (d.key === 'default' || d.value.type !== 'map') continue;
    const tasks = taskEntries(get(d.value, 'tasks'));
    if (!entry(d.value, 'tasks')) continue;
    const config = base?.type === 'map' ? deepMerge(base, d.value) : d.value;
    const settings = dagSettings(
      normalised(config.entries.filter((e) => e.key !== 'tasks' && e.key !== 'task_groups')),
      undefined,
      Math.min(d.keyLine, d.value.startLine),
      Math.max(d.keyLine, d.value.endLine),
    );
    if (!settings.entries.some((e) => e.key === 'dag_id')) settings.entries.unshift({ key: 'dag_id', keyLine: d.keyLine, value: { type: 'scalar', value: d.key, startLine: d.keyLine, endLine: d.keyLine } });
    const nodes = dagNodes(settings);
    const address = addresses.next(`dags.${d.key}`);
    targets.push({ type: 'dag', name: d.key, address, node: nodes.node, startLine: settings.startLine, endLine: settings.endLine });
    const defaults = get(config, 'default_args');
    const defaultsRead = defaults?.type === 'map' ? { ...defaults, entries: normalised(defaults.entries) } : defaults;
    const groups = get(config, 'task_groups');
    for (const t of tasks) {
      if (t.value.type !== 'map') continue;
      const args = normalised(t.value.entries.filter((e) => e.key !== 'operator' && e.key !== 'dependencies' && e.key !== 'task_id' && e.key !== 'task_group_name'));
      const groupName = get(t.value, 'task_group_name');
      const group = groupName?.type === 'scalar' ? get(get(groups, String(groupName.value)), 'default_args') : undefined;
      const groupRead = group?.type === 'map' ? { ...group, entries: normalised(group.entries) } : group;
      const own = args.filter((e) => e.key !== 'default_args');
      const taskDefaults = args.find((e) => e.key === 'default_args')?.value;
      const operatorNode = get(t.value, 'operator');
      const operator = operatorNode?.type === 'scalar' && typeof operatorNode.value === 'string' ? (operatorNode.value.split('.').pop() ?? operatorNode.value) : 'unknown operator';
      const startLine = Math.min(t.keyLine, t.value.startLine);
      const endLine = Math.max(t.keyLine, t.value.endLine);
      const callable = own.find((e) => e.key === 'python_callable')?.value;
      const bash = own.find((e) => e.key === 'bash_command')?.value;
      const node = taskNode({
        operator,
        startLine,
        endLine,
        taskId: get(t.value, 'task_id') ?? { type: 'scalar', value: t.key, startLine: t.keyLine, endLine: t.keyLine },
        own,
        defaults: mergeDefaults([defaultsRead, groupRead, taskDefaults]),
        dag: settings,
        ...(callable?.type === 'scalar' && typeof callable.value === 'string' ? { callable: callable.value.split('.').pop() ?? callable.value } : {}),
        ...(bash?.type === 'scalar' && typeof bash.value === 'string' ? { bashCommand: bash.value } : {}),
      });
      nodes.tasks.push(node);
      const taskAddress = addresses.next(`${address}.${t.key}`);
      targets.push({ type: 'task', name: t.key, address: taskAddress, node, startLine, endLine });
    }
  }
  return { targets };
}

/** `default` under a DAG's own settings, maps merged key by key (dag-factory's merge: the DAG's value wins). */
function deepMerge(base: MapNode, over: MapNode, depth = 0): MapNode {
  if (depth > 64) return over;
  const entries: MapEntry[] = [];
  for (const e of base.entries) if (!over.entries.some((o) => o.key === e.key)) entries.push(e);
  for (const e of over.entries) {
    const b = base.entries.find((x) => x.key === e.key)?.value;
    entries.push(b?.type === 'map' && e.value.type === 'map' ? { ...e, value: deepMerge(b, e.value, depth + 1) } : e);
  }
  return { ...over, entries };
}

/** dag-factory's spellings as Airflow's arguments (see the module's comment). */
function normalised(entries: readonly MapEntry[]): MapEntry[] {
  const out: MapEntry[] = [];
  const set = (e: MapEntry) => {
    const i = out.findIndex((o) => o.key === e.key);
    if (i === -1) out.push(e);
    else out[i] = e;
  };
  for (const e of entries) {
    const renamed = SECONDS_KEYS[e.key];
    if (renamed) {
      set({ ...e, key: renamed });
      continue;
    }
    const m = /^(on_\w+_callback|sla_miss_callback|python_callable)_(name|file)$/.exec(e.key);
    if (m) {
      // `<callback>_name` + `<callback>_file`: the callback is set (which function is the file's).
      if (m[2] === 'name' && !entries.some((x) => x.key === m[1])) set({ ...e, key: m[1]! });
      continue;
    }
    set({ ...e, value: typed(e.value) });
  }
  return out;
}

/** `{__type__: datetime.timedelta, hours: 1}`: 3600; another `__type__` object: its arguments. */
function typed(n: Node, depth = 0): Node {
  if (depth > 64) return n;
  if (n.type === 'list') return { ...n, items: n.items.map((i) => typed(i, depth + 1)) };
  if (n.type !== 'map') return n;
  const type = get(n, '__type__');
  const rest = n.entries.filter((e) => e.key !== '__type__' && e.key !== '__args__');
  if (type?.type === 'scalar' && typeof type.value === 'string' && /(^|\.)timedelta$/.test(type.value)) {
    let total = 0;
    for (const e of rest) {
      const unit = SECONDS[e.key];
      if (unit === undefined || e.value.type !== 'scalar' || typeof e.value.value !== 'number') return { type: 'symbolic', expr: 'a timedelta the reader cannot add up', refs: [], startLine: n.startLine, endLine: n.endLine };
      total += e.value.value * unit;
    }
    return { type: 'scalar', value: total, startLine: n.startLine, endLine: n.endLine };
  }
  return { ...n, entries: rest.map((e) => ({ ...e, value: typed(e.value, depth + 1) })) };
}
