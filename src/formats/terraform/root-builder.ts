/**
 * The root map and the targets of a Terraform file, built block by block in document order by both
 * readers (HCL and JSON). The root's shape is described in ../terraform.ts.
 */
import type { ListNode, MapEntry, MapNode, Node, Target } from '../../model.js';
import { SyntaxProblem } from '../tree.js';
import { LocalResolver } from './local-resolver.js';
import { grow, mapAt, type Lines, type Marks } from './nodes.js';

/** Builds the root map of the module comment and the targets, in document order. */
export class RootBuilder {
  readonly root: MapNode;
  readonly targets: Target[] = [];
  readonly locals = new Map<string, MapEntry>();
  private readonly localTargets: { target: Target; entry: MapEntry }[] = [];

  constructor(lineCount: number) {
    this.root = mapAt({ startLine: 1, endLine: Math.max(1, lineCount) });
  }

  block(kind: string, labels: string[], body: MapNode, span: Lines): void {
    switch (kind) {
      case 'resource':
      case 'data': {
        expectLabels(kind, labels, 2, span);
        const type = labels[0]!;
        const name = labels[1]!;
        this.place([kind, type], name, body, span);
        const t = kind === 'data' ? `data.${type}` : type;
        this.addTarget(t, name, `${t}.${name}`, body, span);
        return;
      }
      case 'module':
      case 'variable':
      case 'output': {
        expectLabels(kind, labels, 1, span);
        const name = labels[0]!;
        this.place([kind], name, body, span);
        this.addTarget(kind, name, `${kind === 'variable' ? 'var' : kind}.${name}`, body, span);
        return;
      }
      case 'provider': {
        expectLabels(kind, labels, 1, span);
        const name = labels[0]!;
        this.listAt(['provider', name], span).items.push(body);
        const alias = body.entries.find((e) => e.key === 'alias')?.value;
        const suffix = alias?.type === 'scalar' && typeof alias.value === 'string' ? `.${alias.value}` : '';
        this.addTarget('provider', name + suffix, `provider.${name}${suffix}`, body, span);
        return;
      }
      case 'terraform':
        this.listAt(['terraform'], span).items.push(body);
        return;
      default:
        this.listAt([kind], span).items.push(wrapLabels(labels, body, span));
    }
  }

  /** Makes `locals` span a whole `locals { }` block, not only its first and last values. */
  localsBlock(span: Lines): void {
    this.mapAt(['locals'], span);
  }

  /** One local value; `span` runs from its name to the end of its value. */
  local(entry: MapEntry, span: Lines): void {
    const map = this.mapAt(['locals'], span);
    const at = map.entries.findIndex((e) => e.key === entry.key);
    if (at === -1) map.entries.push(entry);
    else map.entries[at] = entry;
    this.locals.set(entry.key, entry);
    const target: Target = { type: 'local', name: entry.key, address: `local.${entry.key}`, node: entry.value, ...span };
    this.targets.push(target);
    this.localTargets.push({ target, entry });
  }

  /** A top-level attribute (a `.tfvars`-style file); kept in the root as written. */
  attribute(entry: MapEntry): void {
    this.root.entries.push(entry);
  }

  /** Resolves references to literal locals, then points local targets at the resolved values. */
  finish(marks: Marks): void {
    if (marks.any) {
      const resolver = new LocalResolver(this.locals, marks);
      resolver.tree(this.root);
    }
    for (const { target, entry } of this.localTargets) target.node = entry.value;
  }

  private addTarget(type: string, name: string, address: string, node: Node, span: Lines): void {
    this.targets.push({ type, name, address, node, startLine: span.startLine, endLine: span.endLine });
  }

  /** Sets `key` in the map at `path` (created as needed); a later duplicate replaces the first. */
  private place(path: string[], key: string, value: Node, span: Lines): void {
    const map = this.mapAt(path, span);
    const e: MapEntry = { key, keyLine: span.startLine, value };
    const at = map.entries.findIndex((x) => x.key === key);
    if (at === -1) map.entries.push(e);
    else map.entries[at] = e;
  }

  private mapAt(path: string[], span: Lines): MapNode {
    let cur = this.root;
    for (const key of path) {
      let e = cur.entries.find((x) => x.key === key);
      if (!e || e.value.type !== 'map') {
        e = { key, keyLine: span.startLine, value: mapAt(span) };
        cur.entries.push(e);
      }
      cur = e.value as MapNode;
      grow(cur, span);
    }
    return cur;
  }

  private listAt(path: string[], span: Lines): ListNode {
    const parent = this.mapAt(path.slice(0, -1), span);
    const key = path[path.length - 1]!;
    let e = parent.entries.find((x) => x.key === key);
    if (!e || e.value.type !== 'list') {
      e = { key, keyLine: span.startLine, value: { type: 'list', items: [], ...span } };
      parent.entries.push(e);
    }
    grow(e.value, span);
    return e.value as ListNode;
  }
}

function expectLabels(kind: string, labels: string[], n: number, span: Lines): void {
  if (labels.length !== n) {
    const what = n === 2 ? 'a type and a name' : 'a name';
    throw new SyntaxProblem(`${kind} block needs ${what} (${n} label${n === 1 ? '' : 's'}), found ${labels.length}`, span.startLine);
  }
}

/** `backend "s3" { ... }` -> `{ s3: body }`, so the label is not lost. */
export function wrapLabels(labels: string[], body: MapNode, span: Lines): MapNode {
  let node = body;
  for (let i = labels.length - 1; i >= 0; i--) node = mapAt(span, [{ key: labels[i]!, keyLine: span.startLine, value: node }]);
  return node;
}
