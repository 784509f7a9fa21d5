/**
 * The JSON side of the Terraform format (`.tf.json`): maps Terraform's JSON syntax onto the shapes
 * the HCL reader gives, and reads the references of template strings with the HCL reader.
 */
import type { Parser } from 'web-tree-sitter';
import type { ListNode, MapEntry, MapNode, Node, SymbolicNode } from '../../model.js';
import { SyntaxProblem } from '../tree.js';
import { HclReader } from './hcl-reader.js';
import { NO_SCOPE, scalarAt, type Lines, type Marks, type Scope } from './nodes.js';
import type { RootBuilder } from './root-builder.js';
import { hasTemplateHole, unescapeTemplate } from './strings.js';

/**
 * Maps Terraform's JSON syntax onto the HCL shapes. JSON cannot tell a nested block from an
 * object attribute without provider schemas, so nested objects stay maps (only `dynamic` is
 * rewritten); strings are templates, symbolic when they interpolate.
 */
export class JsonReader {
  constructor(
    private readonly parser: Parser,
    private readonly marks: Marks,
  ) {}

  top(e: MapEntry, out: RootBuilder): void {
    const kind = e.key;
    if (kind === '//') return;
    if (kind === 'resource' || kind === 'data') {
      for (const t of entriesOf(e)) for (const n of entriesOf(t)) this.blocks(out, kind, [t.key, n.key], n);
    } else if (kind === 'module' || kind === 'variable' || kind === 'output' || kind === 'provider') {
      for (const n of entriesOf(e)) this.blocks(out, kind, [n.key], n);
    } else if (kind === 'locals') {
      for (const body of bodiesOf(e)) {
        for (const l of body.entries) {
          if (l.key === '//') continue;
          const entry: MapEntry = { key: l.key, keyLine: l.keyLine, value: this.value(l.value) };
          out.local(entry, { startLine: l.keyLine, endLine: Math.max(l.keyLine, l.value.endLine) });
        }
      }
    } else {
      this.blocks(out, kind, [], e);
    }
  }

  /** One block per body under `e` (an object, or an array of objects for repeated blocks). */
  private blocks(out: RootBuilder, kind: string, labels: string[], e: MapEntry): void {
    for (const body of bodiesOf(e)) {
      const span = { startLine: e.keyLine, endLine: Math.max(e.keyLine, body.endLine) };
      out.block(kind, labels, this.body(body), span);
    }
  }

  private body(map: MapNode, scope: Scope = NO_SCOPE): MapNode {
    const out: MapNode = { type: 'map', entries: [], startLine: map.startLine, endLine: map.endLine };
    for (const e of map.entries) {
      if (e.key === '//') continue;
      if (e.key === 'dynamic' && e.value.type === 'map') {
        for (const d of e.value.entries) out.entries.push(this.dynamic(d, scope));
        continue;
      }
      out.entries.push({ key: e.key, keyLine: e.keyLine, value: this.value(e.value, scope) });
    }
    return out;
  }

  /** `"dynamic": {"x": {"for_each": ..., "content": {...}}}` -> `x: [content]`, conditional. */
  private dynamic(d: MapEntry, scope: Scope): MapEntry {
    const list: ListNode = { type: 'list', items: [], conditional: true, startLine: d.keyLine, endLine: d.value.endLine };
    for (const spec of bodiesOf(d)) {
      const it = spec.entries.find((c) => c.key === 'iterator')?.value;
      const inner = new Set(scope).add(it?.type === 'scalar' && typeof it.value === 'string' ? it.value : d.key);
      const content = spec.entries.find((c) => c.key === 'content')?.value;
      const maps = content?.type === 'map' ? [content] : content?.type === 'list' ? content.items : [];
      for (const c of maps) if (c.type === 'map') list.items.push(this.body(c, inner));
    }
    return { key: d.key, keyLine: d.keyLine, value: list };
  }

  private value(n: Node, scope: Scope = NO_SCOPE): Node {
    switch (n.type) {
      case 'map':
        return this.body(n, scope);
      case 'list':
        return { ...n, items: n.items.map((i) => this.value(i, scope)) };
      case 'scalar':
        return typeof n.value === 'string' ? this.string(n.value, n, scope) : n;
      default:
        return n;
    }
  }

  private string(s: string, at: Lines, scope: Scope): Node {
    if (!hasTemplateHole(s)) return scalarAt(unescapeTemplate(s), at);
    const sym: SymbolicNode = { type: 'symbolic', expr: s, refs: [], startLine: at.startLine, endLine: at.endLine };
    this.template(s, sym, scope);
    return sym;
  }

  /**
   * Reads the refs (and local-only templates) of a JSON template string by parsing it with
   * tree-sitter as the content of a heredoc, which accepts quotes and newlines as they are.
   */
  private template(s: string, sym: SymbolicNode, scope: Scope): void {
    const marker = 'MLLENS_TEMPLATE_END';
    if (s.includes(marker)) return;
    const head = `x = <<${marker}\n`;
    const src = `${head}${s}\n${marker}\n`;
    const tree = this.parser.parse(src);
    if (!tree) return;
    try {
      const top = tree.rootNode;
      if (top.hasError) return;
      const heredoc = top.descendantsOfType('heredoc_template')[0];
      if (!heredoc) return;
      const reader = new HclReader(src, this.marks);
      sym.refs = reader.refs(heredoc, scope);
      const holes = heredoc.children.filter((k) => k.type === 'template_interpolation' || k.type === 'template_directive');
      const parts = reader.templateParts(holes, head.length, head.length + s.length, unescapeTemplate);
      if (parts) reader.markTemplate(sym, parts);
    } finally {
      tree.delete();
    }
  }
}

/** Entries of an object, or of every object of an array of objects (Terraform JSON allows both). */
function entriesOf(e: MapEntry): MapEntry[] {
  return bodiesOf(e).flatMap((m) => m.entries.filter((x) => x.key !== '//'));
}

function bodiesOf(e: MapEntry): MapNode[] {
  const v = e.value;
  if (v.type === 'map') return [v];
  if (v.type === 'list' && v.items.every((i) => i.type === 'map')) return v.items as MapNode[];
  throw new SyntaxProblem(`"${e.key}" must be an object or an array of objects`, e.keyLine);
}
