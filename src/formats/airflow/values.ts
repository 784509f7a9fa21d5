/**
 * Python values of a DAG as the Airflow reader reads them: those of python/values.ts, and in
 * addition, wherever they stand (a keyword argument, a `default_args` dict, a name bound to one):
 * - `timedelta(...)` / `datetime.timedelta(...)` / `pendulum.duration(...)` with literal arguments:
 *   its number of seconds;
 * - the Kubernetes client's `V1ResourceRequirements(requests=..., limits=...)` and
 *   `V1EnvVar(name=..., value=..., value_from=...)` (any `*.V1...` spelling): maps with the
 *   Kubernetes names (`requests`, `limits`; `name`, `value`, `valueFrom`).
 * Everything else is what values.ts makes of it; unknown stays unknown.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapEntry, Node } from '../../document.js';
import { bindingOf, MAX_DEPTH, MAX_NESTING, valueOf, type Scope } from '../python/values.js';
import { SyntaxProblem } from '../problem.js';

const SECONDS: Record<string, number> = { weeks: 604800, days: 86400, hours: 3600, minutes: 60, seconds: 1, milliseconds: 0.001, microseconds: 0.000001 };
/** `timedelta`'s positional parameters, in order. */
const TIMEDELTA_POSITIONAL = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];

/** Values of bound names already read, per scope. */
const memos = new WeakMap<Scope, Map<number, Node>>();

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;

/** The last name of a callee: `timedelta` of `datetime.timedelta`, `V1EnvVar` of `k8s.V1EnvVar`. */
export function calleeName(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type === 'identifier') return fn.text;
  if (fn?.type === 'attribute') return fn.childForFieldName('attribute')?.text;
  return undefined;
}

/** The keyword and positional arguments of a call, without comments. */
export function argumentsOf(call: SyntaxNode): { keywords: { name: string; node: SyntaxNode; value: SyntaxNode }[]; positional: SyntaxNode[]; splat?: SyntaxNode } {
  const keywords: { name: string; node: SyntaxNode; value: SyntaxNode }[] = [];
  const positional: SyntaxNode[] = [];
  let splat: SyntaxNode | undefined;
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (name && value) keywords.push({ name, node: a, value });
    } else if (a.type === 'dictionary_splat' || a.type === 'list_splat') splat ??= a;
    else positional.push(a);
  }
  return splat ? { keywords, positional, splat } : { keywords, positional };
}

/** A Python expression as a positioned value, with Airflow's durations and Kubernetes objects read. */
export function airflowValue(n: SyntaxNode, scope: Scope, depth = 0, nesting = 0): Node {
  if (nesting > MAX_NESTING) throw new SyntaxProblem(`a value nested deeper than ${MAX_NESTING} levels`, line(n));
  switch (n.type) {
    case 'call': {
      const name = calleeName(n);
      if (name === 'timedelta' || name === 'duration') return duration(n, scope, depth);
      if (name === 'V1ResourceRequirements') return objectOf(n, scope, depth, nesting, { requests: 'requests', limits: 'limits', claims: 'claims' });
      if (name === 'V1EnvVar') return objectOf(n, scope, depth, nesting, { name: 'name', value: 'value', value_from: 'valueFrom' });
      return valueOf(n, scope, depth, nesting);
    }
    case 'dictionary': {
      const entries: MapEntry[] = [];
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (c.type !== 'pair') return valueOf(n, scope, depth, nesting);
        const k = c.childForFieldName('key');
        const v = c.childForFieldName('value');
        const key = k ? valueOf(k, scope, depth, nesting + 1) : undefined;
        if (key?.type !== 'scalar' || typeof key.value !== 'string' || !v) return valueOf(n, scope, depth, nesting);
        const value = airflowValue(v, scope, depth, nesting + 1);
        const i = entries.findIndex((e) => e.key === key.value);
        if (i !== -1) entries.splice(i, 1);
        entries.push({ key: key.value, keyLine: line(c), value });
      }
      return { type: 'map', entries, startLine: line(n), endLine: endLine(n) };
    }
    case 'list':
    case 'tuple': {
      const items: Node[] = [];
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (c.type === 'list_splat') return valueOf(n, scope, depth, nesting);
        items.push(airflowValue(c, scope, depth, nesting + 1));
      }
      return { type: 'list', items, startLine: line(n), endLine: endLine(n) };
    }
    case 'parenthesized_expression': {
      const inner = n.namedChildren.filter((c) => c && c.type !== 'comment');
      return inner.length === 1 && inner[0] ? airflowValue(inner[0], scope, depth, nesting + 1) : valueOf(n, scope, depth, nesting);
    }
    case 'identifier': {
      const bound = depth >= MAX_DEPTH ? null : bindingOf(scope, n.text);
      // Only a name bound to something this reader reads differently is followed here.
      if (bound && (bound.type === 'call' || bound.type === 'dictionary' || bound.type === 'list' || bound.type === 'tuple')) {
        // Read once per scope: a name used many times, nested, is not read again each time.
        let known = memos.get(scope);
        if (!known) memos.set(scope, (known = new Map()));
        let v = known.get(bound.id);
        if (!v) {
          v = airflowValue(bound, scope, depth + 1, nesting + 1);
          known.set(bound.id, v);
        }
        return v.type === 'symbolic' ? { ...v, refs: [...v.refs, n.text] } : v;
      }
      return valueOf(n, scope, depth, nesting);
    }
    default:
      return valueOf(n, scope, depth, nesting);
  }
}

/** `timedelta(hours=2)`: 7200 (seconds); unknown when an argument is not a literal number. */
function duration(call: SyntaxNode, scope: Scope, depth: number): Node {
  const at = { startLine: line(call), endLine: endLine(call) };
  const unknown: Node = { type: 'symbolic', expr: call.text.replace(/\s+/g, ' ').slice(0, 120), refs: [], ...at };
  const { keywords, positional, splat } = argumentsOf(call);
  if (splat) return unknown;
  let total = 0;
  const add = (unit: string | undefined, v: SyntaxNode): boolean => {
    const value = valueOf(v, scope, depth + 1);
    if (!unit || !(unit in SECONDS) || value.type !== 'scalar' || typeof value.value !== 'number') return false;
    total += value.value * SECONDS[unit]!;
    return true;
  };
  for (let i = 0; i < positional.length; i++) if (!add(TIMEDELTA_POSITIONAL[i], positional[i]!)) return unknown;
  for (const k of keywords) if (!add(k.name, k.value)) return unknown;
  return { type: 'scalar', value: total, ...at };
}

/** A Kubernetes client object as the map Kubernetes has, its keyword arguments renamed. */
function objectOf(call: SyntaxNode, scope: Scope, depth: number, nesting: number, names: Record<string, string>): Node {
  const { keywords, positional, splat } = argumentsOf(call);
  if (splat || positional.length > 0) return valueOf(call, scope, depth, nesting);
  const entries: MapEntry[] = [];
  for (const k of keywords) {
    const value = airflowValue(k.value, scope, depth, nesting + 1);
    if (value.type === 'scalar' && value.value === null) continue;
    entries.push({ key: names[k.name] ?? k.name, keyLine: line(k.node), value });
  }
  return { type: 'map', entries, startLine: line(call), endLine: endLine(call) };
}
