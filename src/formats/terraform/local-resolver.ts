/**
 * Resolution of `local.x` references once a file is read: symbols marked as local paths or as
 * templates of text and locals become the local's known value, placed at the reference.
 */
import type { ListNode, MapEntry, Node, SymbolicNode } from '../../model.js';
import { scalarAt, type Lines, type LocalPath, type Marks } from './nodes.js';

/** A copy of a resolved local placed at the reference, so findings point into the block that uses it. */
function relocate(node: Node, at: Lines): Node {
  const { startLine, endLine } = at;
  switch (node.type) {
    case 'map':
      return { type: 'map', startLine, endLine, entries: node.entries.map((e) => ({ key: e.key, keyLine: startLine, value: relocate(e.value, at) })) };
    case 'list': {
      const list: ListNode = { type: 'list', startLine, endLine, items: node.items.map((i) => relocate(i, at)) };
      if (node.conditional) list.conditional = true;
      return list;
    }
    default:
      return { ...node, startLine, endLine };
  }
}

/**
 * Replaces `local.x` references (and templates made only of text and such references) by the
 * value of the local when that value is known: anything but a symbol, so a map with some unknown
 * entries still resolves. Variables are never resolved: a `.tfvars` file can change them.
 */
export class LocalResolver {
  private readonly state = new Map<string, 'busy' | 'done'>();
  constructor(
    private readonly defs: Map<string, MapEntry>,
    private readonly marks: Marks,
  ) {}

  tree(node: Node): Node {
    if (node.type === 'symbolic') return this.symbol(node) ?? node;
    if (node.type === 'map') for (const e of node.entries) e.value = this.tree(e.value);
    else if (node.type === 'list') for (let i = 0; i < node.items.length; i++) node.items[i] = this.tree(node.items[i]!);
    return node;
  }

  private value(name: string): Node | undefined {
    const def = this.defs.get(name);
    if (!def) return undefined;
    const s = this.state.get(name);
    if (s === 'busy') return undefined; // a cycle: Terraform rejects it, we leave it symbolic
    if (s !== 'done') {
      this.state.set(name, 'busy');
      def.value = this.tree(def.value);
      this.state.set(name, 'done');
    }
    return def.value.type === 'symbolic' ? undefined : def.value;
  }

  private path(p: LocalPath): Node | undefined {
    let cur = this.value(p.name);
    for (const step of p.steps) {
      if (!cur) return undefined;
      if (typeof step === 'number') cur = cur.type === 'list' ? cur.items[step] : undefined;
      else cur = cur.type === 'map' ? cur.entries.find((e) => e.key === step)?.value : undefined;
    }
    if (!cur || cur.type === 'symbolic') return undefined;
    if (p.containerOnly && cur.type === 'scalar') return undefined;
    return cur;
  }

  private symbol(sym: SymbolicNode): Node | undefined {
    const p = this.marks.local.get(sym);
    if (p) {
      const v = this.path(p);
      return v ? relocate(v, sym) : undefined;
    }
    const parts = this.marks.template.get(sym);
    if (!parts) return undefined;
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const v = this.path(part);
      if (v?.type !== 'scalar' || v.value === null) return undefined;
      out += String(v.value);
    }
    return scalarAt(out, sym);
  }
}
