/**
 * The HCL side of the Terraform format: converts the tree-sitter CST of a `.tf` file, block by block
 * and expression by expression, into the positioned tree (the shape is described in ../terraform.ts).
 */
import type { Node as TsNode } from 'web-tree-sitter';
import type { ListNode, MapEntry, MapNode, Node } from '../../model.js';
import { SyntaxProblem, transform } from '../tree.js';
import { HclRefReader } from './hcl-refs.js';
import { grow, lines, mapAt, NO_SCOPE, scalarAt, type Lines, type Scope } from './nodes.js';
import { wrapLabels, type RootBuilder } from './root-builder.js';
import { dedent, embeddedJson, hasTemplateHole, unescapeQuoted, unescapeTemplate } from './strings.js';

interface Block {
  type: string;
  labels: string[];
  body: TsNode | null;
  span: Lines;
}

/**
 * Converts the tree-sitter CST of one file. Node text is sliced from the source by
 * `startIndex`/`endIndex` (web-tree-sitter parses JS strings as UTF-16, so these are string
 * offsets, not UTF-8 bytes), and each node's `children` is fetched once.
 */
export class HclReader extends HclRefReader {
  /**
   * Top-level items are visited with a cursor: `children` would cache every block on the body
   * node, keeping the whole CST mirror alive (and the GC busy) until the end of a large file.
   */
  file(top: TsNode, out: RootBuilder): void {
    const cursor = top.walk();
    try {
      if (!cursor.gotoFirstChild()) return;
      do {
        const t = cursor.nodeType;
        if (t === 'object') throw new SyntaxProblem('expected Terraform blocks, found a bare object', cursor.startPosition.row + 1);
        if (t !== 'body' || !cursor.gotoFirstChild()) continue;
        do {
          const item = cursor.nodeType;
          if (item === 'attribute') out.attribute(this.attribute(cursor.currentNode, NO_SCOPE));
          else if (item === 'block') this.topBlock(cursor.currentNode, out);
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      } while (cursor.gotoNextSibling());
    } finally {
      cursor.delete();
    }
  }

  private topBlock(n: TsNode, out: RootBuilder): void {
    const b = this.readBlock(n);
    if (b.type === 'locals') {
      out.localsBlock(b.span);
      for (const k of b.body?.children ?? []) {
        if (k.type !== 'attribute') continue;
        const e = this.attribute(k, NO_SCOPE);
        out.local(e, { startLine: e.keyLine, endLine: Math.max(e.keyLine, e.value.endLine) });
      }
      return;
    }
    out.block(b.type, b.labels, this.body(b.body, b.span, NO_SCOPE), b.span);
  }

  private readBlock(n: TsNode): Block {
    const kids = n.children;
    const b: Block = { type: this.text(kids[0]!), labels: [], body: null, span: lines(n) };
    for (let i = 1; i < kids.length; i++) {
      const k = kids[i]!;
      const t = k.type;
      if (t === 'string_lit') b.labels.push(this.stringLit(k));
      else if (t === 'identifier') b.labels.push(this.text(k));
      else if (t === 'body') b.body = k;
    }
    return b;
  }

  private body(body: TsNode | null, span: Lines, scope: Scope): MapNode {
    const map = mapAt(span);
    if (!body) return map;
    this.deeper(body);
    const lists = new Map<string, ListNode>();
    for (const k of body.children) {
      const t = k.type;
      if (t === 'attribute') map.entries.push(this.attribute(k, scope));
      else if (t === 'block') this.nestedBlock(this.readBlock(k), map, lists, scope);
    }
    this.depth--;
    return map;
  }

  private attribute(n: TsNode, scope: Scope): MapEntry {
    const kids = n.children;
    const name = kids[0]!;
    const expr = kids[kids.length - 1]!;
    return { key: this.text(name), keyLine: name.startPosition.row + 1, value: this.expression(expr, scope) };
  }

  private nestedBlock(b: Block, map: MapNode, lists: Map<string, ListNode>, scope: Scope): void {
    if (b.type === 'dynamic' && b.labels.length === 1) {
      this.dynamicBlock(b, map, lists, scope);
      return;
    }
    const item = wrapLabels(b.labels, this.body(b.body, b.span, scope), b.span);
    blockList(map, lists, b.type, b.span).items.push(item);
  }

  /** `dynamic "x" { for_each ...; content {...} }` -> `x: [content]`, marked conditional. */
  private dynamicBlock(b: Block, map: MapNode, lists: Map<string, ListNode>, scope: Scope): void {
    const name = b.labels[0]!;
    let iterator = name;
    let content: Block | null = null;
    for (const k of b.body?.children ?? []) {
      if (k.type === 'block') {
        const inner = this.readBlock(k);
        if (inner.type === 'content') content = inner;
      } else if (k.type === 'attribute' && this.text(k.children[0]!) === 'iterator') {
        iterator = this.text(k.children[k.children.length - 1]!).trim();
      }
    }
    const list = blockList(map, lists, name, b.span);
    list.conditional = true;
    if (content) {
      // The iterator (`x.value`) is bound inside the content: not a reference to anything.
      const inner = new Set(scope).add(iterator);
      list.items.push(this.body(content.body, content.span, inner));
    }
  }

  // -- expressions ------------------------------------------------------------------------------

  private expression(n: TsNode, scope: Scope): Node {
    this.deeper(n);
    const node = this.expressionAt(n, scope);
    this.depth--;
    return node;
  }

  private expressionAt(n: TsNode, scope: Scope): Node {
    const kids = n.children;
    if (kids.length === 1) return this.term(kids[0]!, n, scope);
    if (kids.length === 3 && kids[0]!.type === '(' && kids[1]!.type === 'expression') {
      const inner = this.expression(kids[1]!, scope);
      Object.assign(inner, lines(n));
      return inner;
    }
    // A traversal (`aws_kms_key.ml.arn`, `local.tags["x"]`, `f().y`) or a recovered oddity.
    const sym = this.symbol(n, scope);
    const path = this.localPath(kids);
    if (path) this.markLocal(sym, path);
    return sym;
  }

  /** One expression term; `whole` is the enclosing `expression` node (same range). */
  private term(k: TsNode, whole: TsNode, scope: Scope): Node {
    switch (k.type) {
      case 'literal_value': {
        // Valid HCL literals sit on one line (quoted strings cannot hold a raw newline).
        const line = whole.startPosition.row + 1;
        return scalarAt(this.literal(k), { startLine: line, endLine: line });
      }
      case 'template_expr': {
        const t = k.children[0]!;
        return t.type === 'heredoc_template' ? this.heredoc(t, scope) : this.quoted(t, scope);
      }
      case 'collection_value':
        return this.collection(k.children[0]!, scope);
      case 'function_call':
        return this.call(k, whole, scope);
      case 'operation':
        return this.operation(k, whole, scope);
      default:
        // variable_expr alone (`string`, `each`), conditional, for_expr: unknown values.
        return this.symbol(whole, scope);
    }
  }

  /** A string_lit (a block label, a literal string): its quotes are one character each. */
  private stringLit(n: TsNode): string {
    return unescapeQuoted(this.src.slice(n.startIndex + 1, n.endIndex - 1));
  }

  private collection(n: TsNode, scope: Scope): Node {
    const at = lines(n);
    if (n.type === 'tuple') {
      const items: Node[] = [];
      for (const k of n.children) if (k.type === 'expression') items.push(this.expression(k, scope));
      return { type: 'list', items, ...at };
    }
    const map = mapAt(at);
    for (const elem of n.children) {
      if (elem.type !== 'object_elem') continue;
      const [key, val] = elem.children.filter((c) => c.type === 'expression');
      if (!key || !val) continue;
      map.entries.push({ key: this.objectKey(key), keyLine: key.startPosition.row + 1, value: this.expression(val, scope) });
    }
    return map;
  }

  /** `Env = ...` and `"a-b" = ...` are literal keys; a computed key `(var.k)` keeps its source text. */
  private objectKey(n: TsNode): string {
    const kids = n.children;
    if (kids.length === 1) {
      const k = kids[0]!;
      if (k.type === 'variable_expr') return this.text(k);
      if (k.type === 'literal_value') return String(this.literal(k));
    }
    return this.text(n);
  }

  private call(k: TsNode, whole: TsNode, scope: Scope): Node {
    const kids = k.children;
    if (this.text(kids[0]!) === 'jsonencode') {
      const args = kids.find((c) => c.type === 'function_arguments')?.children.filter((c) => c.type === 'expression') ?? [];
      const arg = args.length === 1 ? args[0]! : undefined;
      const argKids = arg?.children;
      // jsonencode({...}) is inspected as the structure it encodes (IAM policies).
      if (arg && argKids?.length === 1 && argKids[0]!.type === 'collection_value') {
        const node = this.expression(arg, scope);
        Object.assign(node, lines(whole));
        return node;
      }
      const sym = this.symbol(whole, scope);
      const path = argKids ? this.localPath(argKids) : null;
      if (path) this.markLocal(sym, { ...path, containerOnly: true });
      return sym;
    }
    return this.symbol(whole, scope);
  }

  /** `-2` and `!true` are literals; every other operation is unknown. */
  private operation(k: TsNode, whole: TsNode, scope: Scope): Node {
    const op = k.children[0]!;
    if (op.type === 'unary_operation') {
      const kids = op.children;
      if (kids.length === 2 && kids[1]!.type === 'literal_value') {
        const sign = kids[0]!.type;
        const v = this.literal(kids[1]!);
        if (sign === '-' && typeof v === 'number') return scalarAt(-v, lines(whole));
        if (sign === '!' && typeof v === 'boolean') return scalarAt(!v, lines(whole));
      }
    }
    return this.symbol(whole, scope);
  }

  private quoted(n: TsNode, scope: Scope): Node {
    const kids = n.children;
    const at = lines(n);
    const first = kids[0]!;
    const last = kids[kids.length - 1]!;
    const holes = kids.filter((k) => k.type === 'template_interpolation' || k.type === 'template_directive');
    if (holes.length === 0) return scalarAt(unescapeQuoted(this.src.slice(first.endIndex, last.startIndex)), at);
    const sym = this.symbol(n, scope);
    const parts = this.templateParts(holes, first.endIndex, last.startIndex, unescapeQuoted);
    if (parts) this.markTemplate(sym, parts);
    return sym;
  }

  private heredoc(n: TsNode, scope: Scope): Node {
    const kids = n.children;
    const start = kids[0]!;
    const opener = kids[1]!;
    const closer = kids[kids.length - 1]!;
    const flush = start.endIndex - start.startIndex === 3; // `<<-`
    const nl = this.src.indexOf('\n', opener.endIndex);
    const contentStart = nl === -1 || nl > closer.startIndex ? closer.startIndex : nl + 1;
    const contentEnd = Math.max(contentStart, this.src.lastIndexOf('\n', closer.startIndex - 1) + 1);
    let raw = this.src.slice(contentStart, contentEnd);
    if (raw.indexOf('\r') !== -1) raw = raw.replaceAll('\r\n', '\n');
    if (flush) raw = dedent(raw);
    const firstLine = opener.startPosition.row + 2;
    const holes = kids.filter((k) => k.type === 'template_interpolation' || k.type === 'template_directive');
    if (holes.length === 0) {
      const text = unescapeTemplate(raw);
      return embeddedJson(text, firstLine) ?? scalarAt(text, lines(n));
    }
    return this.heredocJson(raw, firstLine, holes, scope) ?? this.symbol(n, scope);
  }

  /**
   * A JSON heredoc with interpolations inside its strings (`"Resource": "${aws_s3_bucket.b.arn}/*"`)
   * is still the JSON structure; the strings with holes are symbols carrying the refs of the
   * interpolations on their lines.
   */
  private heredocJson(raw: string, firstLine: number, holes: TsNode[], scope: Scope): Node | undefined {
    const node = embeddedJson(raw, firstLine);
    if (!node) return undefined;
    const byLine = new Map<number, string[]>();
    for (const h of holes) {
      const line = h.startPosition.row + 1;
      byLine.set(line, [...(byLine.get(line) ?? []), ...this.refs(h, scope)]);
    }
    return transform(node, (x) => {
      if (x.type !== 'scalar' || typeof x.value !== 'string') return x;
      if (!hasTemplateHole(x.value)) return unescapeTemplate(x.value) === x.value ? x : { ...x, value: unescapeTemplate(x.value) };
      const refs = new Set<string>();
      for (let l = x.startLine; l <= x.endLine; l++) for (const r of byLine.get(l) ?? []) refs.add(r);
      return { type: 'symbolic', expr: x.value, refs: [...refs], startLine: x.startLine, endLine: x.endLine };
    });
  }
}

/** The list a nested block type collects into (created at the first block of that type). */
function blockList(map: MapNode, lists: Map<string, ListNode>, key: string, span: Lines): ListNode {
  let list = lists.get(key);
  if (!list) {
    list = { type: 'list', items: [], ...span };
    lists.set(key, list);
    map.entries.push({ key, keyLine: span.startLine, value: list });
  }
  grow(list, span);
  return list;
}
