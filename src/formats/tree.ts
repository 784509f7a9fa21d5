/**
 * Positioned trees from YAML and JSON, shared by every format module. YAML comes from the `yaml`
 * package's AST with a LineCounter, JSON from our own positioned parser (json.ts, much faster than
 * YAML for large JSON). Both produce the same `Node` shape of model.ts.
 */
import {
  Alias,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Node as YamlNode,
  type Scalar as YamlScalar,
} from 'yaml';
import { parseJsonText } from './json.js';
import { noteParse, SyntaxProblem } from './problem.js';
import { indentFlowContinuations } from './yaml-lenient.js';
import type { ListNode, MapEntry, MapNode, Node, Scalar, ScalarNode, SymbolicNode } from '../model.js';

export { SyntaxProblem };

/** Converts offsets to 1-based lines with a binary search over newline offsets. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) if (i < text.length - 1) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Node helpers
// ---------------------------------------------------------------------------------------------

export function scalar(value: Scalar, startLine: number, endLine = startLine): ScalarNode {
  return { type: 'scalar', value, startLine, endLine };
}

export function emptyMap(line: number): MapNode {
  return { type: 'map', entries: [], startLine: line, endLine: line };
}

export function entry(map: MapNode | Node | undefined, key: string): MapEntry | undefined {
  if (!map || map.type !== 'map') return undefined;
  for (const e of map.entries) if (e.key === key) return e;
  return undefined;
}

export function get(node: Node | undefined, key: string): Node | undefined {
  return entry(node, key)?.value;
}

/** Follows a chain of map keys; undefined as soon as one is missing. */
export function dig(node: Node | undefined, ...keys: string[]): Node | undefined {
  let cur = node;
  for (const k of keys) {
    cur = get(cur, k);
    if (!cur) return undefined;
  }
  return cur;
}

/** The scalar value of a node, or undefined when it is not a scalar. */
export function value(node: Node | undefined): Scalar | undefined {
  return node?.type === 'scalar' ? node.value : undefined;
}

export function str(node: Node | undefined): string | undefined {
  const v = value(node);
  return typeof v === 'string' ? v : undefined;
}

export function items(node: Node | undefined): Node[] {
  return node?.type === 'list' ? node.items : [];
}

export function keys(node: Node | undefined): string[] {
  return node?.type === 'map' ? node.entries.map((e) => e.key) : [];
}

/**
 * Rebuilds a tree bottom-up through `fn`, which may replace any node (used to turn intrinsic
 * functions written as maps, such as `{"Ref": "X"}` or `{"Get": "Parameters.P"}`, into symbols).
 */
export function transform(node: Node, fn: (n: Node) => Node): Node {
  // Copy a container only when a child changed: most of a large template is left as it is.
  let out: Node = node;
  if (node.type === 'map') {
    let entries: MapEntry[] | undefined;
    node.entries.forEach((e, i) => {
      const v = transform(e.value, fn);
      if (v !== e.value) {
        entries ??= node.entries.slice();
        entries[i] = { ...e, value: v };
      }
    });
    if (entries) out = { ...node, entries };
  } else if (node.type === 'list') {
    let list: Node[] | undefined;
    node.items.forEach((item, i) => {
      const v = transform(item, fn);
      if (v !== item) {
        list ??= node.items.slice();
        list[i] = v;
      }
    });
    if (list) out = { ...node, items: list };
  }
  return fn(out);
}

/** Plain JavaScript value of a node (symbols become their expression text). */
export function toPlain(node: Node | undefined): unknown {
  if (!node) return undefined;
  switch (node.type) {
    case 'scalar':
      return node.value;
    case 'symbolic':
      return node.expr;
    case 'list':
      return node.items.map(toPlain);
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const e of node.entries) o[e.key] = toPlain(e.value);
      return o;
    }
  }
}

/** Every string in a subtree with its line, for rules that look for secrets or images anywhere. */
export function* strings(node: Node): Generator<{ value: string; line: number }> {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'scalar' && typeof n.value === 'string') yield { value: n.value, line: n.startLine };
    else if (n.type === 'map') for (let i = n.entries.length - 1; i >= 0; i--) stack.push(n.entries[i]!.value);
    else if (n.type === 'list') for (let i = n.items.length - 1; i >= 0; i--) stack.push(n.items[i]!);
  }
}

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/** Expanded size beyond which YAML aliases are refused (defends against "billion laughs"). */
const MAX_EXPANDED_NODES = 200_000;

/**
 * Deepest YAML nesting read. Real files stay far below; the `yaml` package composes recursively and
 * overflows the stack somewhere above a thousand levels, and so would our conversion.
 */
export const MAX_YAML_DEPTH = 256;

export interface YamlOptions {
  /**
   * Called for a node carrying an application tag (`!Ref`, `!Sub` ...). Returns the refs of the
   * symbol; the node becomes a SymbolicNode whose `inner` is the untagged value.
   */
  tagRefs?: (tag: string, inner: Node) => string[];
}

/**
 * Parses every document of a YAML stream into positioned nodes. Throws SyntaxProblem with the
 * first error's line. Empty documents become null scalars.
 */
export function parseYaml(text: string, options: YamlOptions = {}): Node[] {
  let lc = new LineCounter();
  // Duplicate keys are found by the converter with a set: the package's own check (`uniqueKeys`)
  // compares each key with every earlier one, quadratic in the keys of a mapping (36 s for 40,000).
  let list = composeAll(text, lc);
  // What PyYAML reads and the spec does not (a quoted or flow value continued at its key's
  // indentation) is read as PyYAML reads it, when that makes the file parse (yaml-lenient.ts).
  if (list.some((d) => d.errors.length > 0)) {
    const lenient = indentFlowContinuations(text);
    if (lenient !== undefined) {
      const lc2 = new LineCounter();
      const again = composeAll(lenient, lc2);
      if (again.filter((d) => d.errors.length > 0).length < list.filter((d) => d.errors.length > 0).length) {
        list = again;
        lc = lc2;
      }
    }
  }
  const out: Node[] = [];
  // In a stream of several documents, one that does not parse does not take the others with it.
  const readable = list.filter((d) => d.errors.length === 0).length;
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const line = lc.linePos(err.pos[0]).line;
      // The package reports its own stack overflow as an error of the document.
      const message = /call stack/i.test(err.message) ? tooDeep() : firstLine(err.message);
      if (readable === 0 || /call stack/i.test(err.message)) throw new SyntaxProblem(message, line);
      noteParse({ note: 'broken-document', line, message });
      continue;
    }
    const conv = new YamlConverter(lc, options);
    const contents = doc.contents as YamlNode | null;
    const node = contents ? conv.convert(contents) : scalar(null, lc.linePos(doc.range[0]).line);
    out.push(node);
  }
  return out;
}

/** Every document of the stream; an EmptyStream (array-like, not an array) for empty input is none. */
function composeAll(text: string, lc: LineCounter): Document.Parsed[] {
  try {
    const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, strict: true, uniqueKeys: false });
    return Array.isArray(docs) ? docs : [];
  } catch (e) {
    if (e instanceof RangeError) throw new SyntaxProblem(tooDeep(), 1);
    throw e;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function tooDeep(): string {
  return `YAML nested more than ${MAX_YAML_DEPTH} levels deep (the limit of this reviewer)`;
}

class YamlConverter {
  /** Anchor name -> converted node; a later anchor of the same name replaces an earlier one, as in YAML. */
  private readonly anchors = new Map<string, Node>();
  private readonly sizes = new WeakMap<Node, number>();
  constructor(
    private readonly lc: LineCounter,
    private readonly options: YamlOptions,
  ) {}

  private lines(n: YamlNode): { startLine: number; endLine: number } {
    const r = n.range ?? [0, 0, 0];
    const startLine = this.lc.linePos(r[0]).line;
    // range[1] is the end of the value proper; range[2] includes trailing blank space and comments.
    const endOffset = Math.max(r[0], r[1] - 1);
    return { startLine, endLine: Math.max(startLine, this.lc.linePos(endOffset).line) };
  }

  private size(n: Node): number {
    const s = this.sizes.get(n);
    if (s !== undefined) return s;
    let total = 1;
    if (n.type === 'map') for (const e of n.entries) total += this.size(e.value);
    else if (n.type === 'list') for (const i of n.items) total += this.size(i);
    else if (n.type === 'symbolic' && n.inner) total += this.size(n.inner);
    this.sizes.set(n, total);
    return total;
  }

  /** Nesting of the node being converted (see MAX_YAML_DEPTH). */
  private depth = 0;

  convert(n: YamlNode): Node {
    if (++this.depth > MAX_YAML_DEPTH) throw new SyntaxProblem(tooDeep(), this.lines(n).startLine);
    const node = this.convertAt(n);
    this.depth--;
    return node;
  }

  private convertAt(n: YamlNode): Node {
    if (isAlias(n)) {
      const resolved = this.anchors.get((n as Alias).source);
      if (!resolved) throw new SyntaxProblem(`Unresolved alias *${(n as Alias).source}`, this.lines(n).startLine);
      return resolved;
    }
    const pos = this.lines(n);
    let node: Node;
    if (isMap(n)) {
      const entries: MapEntry[] = [];
      // Keys written in this mapping, as the package tells them apart (`1` and `"1"` differ), and their lines.
      const written = new Map<string, number>();
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const k = pair.key as YamlNode | null;
        const keyLine = k && !isAlias(k) && k.range ? this.lc.linePos(k.range[0]).line : pos.startLine;
        const v = pair.value as YamlNode | null;
        // A key set twice: the last value wins, as in the tools that read these files; said as a note.
        const identity = k && isScalar(k) ? `${typeof k.value}:${String(k.value)}` : k === null ? 'null' : undefined;
        if (identity !== undefined) {
          const first = written.get(identity);
          if (first !== undefined) noteParse({ note: 'duplicate-key', line: keyLine, message: `the key \`${k === null ? '' : String((k as YamlScalar).value)}\` is set again (first on line ${first}); the last value is used` });
          else written.set(identity, keyLine);
        }
        if (k && isScalar(k) && k.value === '<<' && v) {
          // YAML merge key: copy the merged map's entries unless the map sets them itself.
          const merged = this.convert(v);
          const sources = merged.type === 'list' ? merged.items : [merged];
          for (const src of sources) if (src.type === 'map') for (const e of src.entries) entries.push(e);
          continue;
        }
        const key = k === null ? '' : isScalar(k) ? String(k.value) : String(k);
        const valueNode = v ? this.convert(v) : scalar(null, keyLine);
        entries.push({ key, keyLine, value: valueNode });
      }
      // Later keys win over merged ones; keep the last occurrence of each key.
      const seen = new Set<string>();
      const deduped: MapEntry[] = [];
      for (let i = entries.length - 1; i >= 0; i--) {
        const e = entries[i]!;
        if (seen.has(e.key)) continue;
        seen.add(e.key);
        deduped.push(e);
      }
      deduped.reverse();
      node = { type: 'map', entries: deduped, ...pos };
    } else if (isSeq(n)) {
      const list: ListNode = { type: 'list', items: [], ...pos };
      for (const item of n.items) list.items.push(item ? this.convert(item as YamlNode) : scalar(null, pos.startLine));
      node = list;
    } else if (isScalar(n)) {
      const v = n.value;
      const val: Scalar =
        v === null || v === undefined
          ? null
          : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
            ? v
            : typeof v === 'bigint'
              ? Number(v)
              : String(v);
      node = { type: 'scalar', value: val, ...pos };
    } else {
      node = scalar(null, pos.startLine, pos.endLine);
    }
    const tag = n.tag;
    if (tag && tag.startsWith('!') && !tag.startsWith('!!') && !tag.startsWith('tag:yaml.org')) {
      const sym: SymbolicNode = {
        type: 'symbolic',
        expr: `${tag} ${nodeText(node)}`,
        refs: this.options.tagRefs ? this.options.tagRefs(tag, node) : [],
        inner: node,
        ...pos,
      };
      node = sym;
    }
    if (n.anchor) this.anchors.set(n.anchor, node);
    if (this.size(node) > MAX_EXPANDED_NODES) {
      throw new SyntaxProblem(`YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes`, pos.startLine);
    }
    return node;
  }
}

/** A short one-line rendering of a node, for symbolic expressions and messages. */
export function nodeText(node: Node, budget = 200): string {
  const s = JSON.stringify(toPlain(node)) ?? 'null';
  const plain = node.type === 'scalar' && typeof node.value === 'string' ? node.value : s;
  return plain.length > budget ? plain.slice(0, budget - 1) + '…' : plain;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/**
 * Parses strict JSON into a positioned node; a repeated key keeps its last value, as in
 * JSON.parse. Throws SyntaxProblem with the error's line.
 */
export function parseJson(text: string): Node {
  return parseJsonText(text);
}
