/**
 * Terraform: HCL2 `.tf` files through tree-sitter (the terraform grammar of
 * `@tree-sitter-grammars/tree-sitter-hcl`, run by `web-tree-sitter`), and `.tf.json` files through
 * `parseJson`. Both end in the same positioned tree and the same targets (docs/formats.md).
 *
 * Root shape (a key appears only when the file has such blocks, in order of first appearance):
 *
 *   resource:   { <type>: { <name>: <body> } }
 *   data:       { <type>: { <name>: <body> } }
 *   module | variable | output: { <name>: <body> }
 *   provider:   { <name>: [<body>, ...] }    one item per configuration (aliases included)
 *   locals:     { <name>: <value> }          every `locals` block merged
 *   terraform:  [<body>, ...]
 *   <any other block type> (moved, import, check, ephemeral ...): [<item>, ...]
 *
 * A body is a map of attributes; a nested block is a key holding a list of maps (repeated blocks
 * add items); `dynamic "x"` is key `x` holding a `conditional` list with the `content` map. A
 * labelled block that is neither a target nor dynamic (`backend "s3"`, `provisioner "local-exec"`,
 * `check "c"`) is an item `{ <label>: <body> }` of its type's list: `terraform[*].backend[*].s3.bucket`.
 * A block's body map spans the whole block, header line to closing brace.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language, Parser, type Node as TsNode } from 'web-tree-sitter';
import type { Document, FormatModule, ListNode, MapEntry, MapNode, Node, NotAnArtifact, Scalar, SymbolicNode, Target } from '../model.js';
import { guard, makeDocument, stripBom } from './common.js';
import { countLines, parseJson, SyntaxProblem, transform } from './tree.js';

const KIND = 'terraform' as const;

/**
 * Deepest nesting read (blocks, expressions). Real configurations stay far below; a file built to
 * be deeper would otherwise overflow the stack of the conversion.
 */
const MAX_DEPTH = 256;

function isTerraformPath(path: string): boolean {
  const p = path.toLowerCase();
  return p.endsWith('.tf') || p.endsWith('.tf.json');
}

// ---------------------------------------------------------------------------------------------
// Parser lifetime
// ---------------------------------------------------------------------------------------------

let parser: Parser | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads the tree-sitter runtime and the terraform grammar once. `FormatModule.parse` is
 * synchronous, so the pipeline awaits this before classifying files.
 */
export async function initTerraform(): Promise<void> {
  // A failed load is forgotten so that a later call can retry.
  loading ??= loadParser().catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function loadParser(): Promise<void> {
  await Parser.init();
  const pkg = createRequire(import.meta.url).resolve('@tree-sitter-grammars/tree-sitter-hcl/package.json');
  const language = await Language.load(join(dirname(pkg), 'tree-sitter-terraform.wasm'));
  const p = new Parser();
  p.setLanguage(language);
  parser = p;
}

function requireParser(): Parser {
  // Thrown rather than returned as a ParseError: this is a wiring bug, not a property of the file.
  if (!parser) throw new Error('Terraform parser not initialised: await ready() first');
  return parser;
}

export const terraform: FormatModule = {
  kind: KIND,
  accepts: isTerraformPath,
  claims: isTerraformPath,
  detect: isTerraformPath,
  parse(path: string, text: string) {
    const p = requireParser();
    const json = path.toLowerCase().endsWith('.json');
    return guard(KIND, path, (): Document | NotAnArtifact => (json ? parseTfJson(p, path, text) : parseHcl(p, path, text)));
  },
};

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

interface Lines {
  startLine: number;
  endLine: number;
}

type Scope = ReadonlySet<string>;
const NO_SCOPE: Scope = new Set();

/** Roots of traversals that are not addresses of anything declared in a configuration. */
const NOT_REFS = new Set(['each', 'count', 'self', 'path', 'terraform']);

/** Node types that cannot contain a reference: skipped without fetching their children. */
const NO_REFS_INSIDE = new Set([
  'get_attr',
  'identifier',
  'comment',
  'literal_value',
  'template_literal',
  'quoted_template_start',
  'quoted_template_end',
  'template_interpolation_start',
  'template_interpolation_end',
  'template_directive_start',
  'template_directive_end',
  'heredoc_start',
  'heredoc_identifier',
  'tuple_start',
  'tuple_end',
  'object_start',
  'object_end',
  'strip_marker',
  'legacy_index',
  'ellipsis',
]);

/** `local.<name>` followed by attribute names and literal indexes. */
interface LocalPath {
  name: string;
  steps: (string | number)[];
  /** `jsonencode(local.x)`: only a map or list may stand in for it, not a scalar. */
  containerOnly?: boolean;
}

/**
 * Symbols that local resolution may replace, recorded while converting (identity-keyed, so
 * nothing leaks into the documents).
 */
class Marks {
  readonly local = new WeakMap<SymbolicNode, LocalPath>();
  readonly template = new WeakMap<SymbolicNode, (string | LocalPath)[]>();
  any = false;
}

function lines(n: TsNode): Lines {
  const startLine = n.startPosition.row + 1;
  const end = n.endPosition;
  // A node that ends at column 0 ends with the previous line's newline.
  const endLine = end.column === 0 && end.row + 1 > startLine ? end.row : end.row + 1;
  return { startLine, endLine };
}

function scalarAt(value: Scalar, at: Lines): Node {
  return { type: 'scalar', value, startLine: at.startLine, endLine: at.endLine };
}

function mapAt(at: Lines, entries: MapEntry[] = []): MapNode {
  return { type: 'map', entries, startLine: at.startLine, endLine: at.endLine };
}

function grow(node: Lines, at: Lines): void {
  if (at.startLine < node.startLine) node.startLine = at.startLine;
  if (at.endLine > node.endLine) node.endLine = at.endLine;
}

/** Decodes the escapes of a quoted HCL string (`\n`, `\"`, `\u00e9`, `$${`, `%%{` ...). */
function unescapeQuoted(raw: string): string {
  if (raw.indexOf('\\') === -1) return unescapeTemplate(raw);
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const e = raw[++i]!;
    if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 't') out += '\t';
    else if (e === '"' || e === '\\') out += e;
    else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const code = Number.parseInt(raw.slice(i + 1, i + 1 + len), 16);
      if (Number.isNaN(code) || code > 0x10ffff) out += '\\' + e;
      else {
        out += String.fromCodePoint(code);
        i += len;
      }
    } else out += '\\' + e;
  }
  return unescapeTemplate(out);
}

/** Template escapes, the only ones heredocs know: `$${` is a literal `${`, `%%{` a literal `%{`. */
function unescapeTemplate(raw: string): string {
  if (raw.indexOf('$${') === -1 && raw.indexOf('%%{') === -1) return raw;
  return raw.replaceAll('$${', '${').replaceAll('%%{', '%{');
}

/** Whether a template string has an interpolation or directive (not the `$${` / `%%{` escapes). */
function hasTemplateHole(s: string): boolean {
  for (let i = s.indexOf('{', 1); i !== -1; i = s.indexOf('{', i + 1)) {
    const c = s[i - 1];
    if ((c === '$' || c === '%') && s[i - 2] !== c) return true;
  }
  return false;
}

/** `<<-` heredocs drop the smallest indentation of their non-blank lines. */
function dedent(text: string): string {
  const rows = text.split('\n');
  let min = Infinity;
  for (const r of rows) {
    let i = 0;
    while (i < r.length && (r[i] === ' ' || r[i] === '\t')) i++;
    if (i < r.length && i < min) min = i;
  }
  if (min === Infinity || min === 0) return text;
  return rows.map((r) => r.slice(Math.min(min, r.length))).join('\n');
}

/** Moves every line of a tree parsed from an embedded text to where that text sits in the file. */
function shiftLines(node: Node, by: number): void {
  node.startLine += by;
  node.endLine += by;
  if (node.type === 'map') {
    for (const e of node.entries) {
      e.keyLine += by;
      shiftLines(e.value, by);
    }
  } else if (node.type === 'list') for (const i of node.items) shiftLines(i, by);
}

/**
 * A heredoc or string whose text is a JSON object or array (an IAM policy, container
 * definitions) becomes that structure, positioned in the file. Anything else is left alone.
 */
function embeddedJson(text: string, firstLine: number): Node | undefined {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  if (text[i] !== '{' && text[i] !== '[') return undefined;
  let node: Node;
  try {
    node = parseJson(text);
  } catch (e) {
    if (e instanceof SyntaxProblem) return undefined;
    throw e;
  }
  if (node.type !== 'map' && node.type !== 'list') return undefined;
  shiftLines(node, firstLine - 1);
  return node;
}

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

// ---------------------------------------------------------------------------------------------
// Root and targets (shared by HCL and JSON)
// ---------------------------------------------------------------------------------------------

/** Builds the root map of the module comment and the targets, in document order. */
class RootBuilder {
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
function wrapLabels(labels: string[], body: MapNode, span: Lines): MapNode {
  let node = body;
  for (let i = labels.length - 1; i >= 0; i--) node = mapAt(span, [{ key: labels[i]!, keyLine: span.startLine, value: node }]);
  return node;
}

/**
 * Replaces `local.x` references (and templates made only of text and such references) by the
 * value of the local when that value is known: anything but a symbol, so a map with some unknown
 * entries still resolves. Variables are never resolved: a `.tfvars` file can change them.
 */
class LocalResolver {
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

// ---------------------------------------------------------------------------------------------
// HCL (.tf)
// ---------------------------------------------------------------------------------------------

function parseHcl(p: Parser, path: string, text: string): Document {
  const src = stripBom(text);
  const tree = p.parse(src);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const top = tree.rootNode;
    if (top.hasError) throw firstProblem(top, src);
    const marks = new Marks();
    const out = new RootBuilder(countLines(text));
    new HclReader(src, marks).file(top, out);
    out.finish(marks);
    return makeDocument(KIND, path, text, out.root, out.targets);
  } finally {
    tree.delete(); // wasm memory is not garbage-collected
  }
}

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
class HclReader {
  /** Nesting of blocks, expressions and reference walks being converted (see MAX_DEPTH). */
  private depth = 0;

  constructor(
    private readonly src: string,
    private readonly marks: Marks,
  ) {}

  /**
   * The conversion recurses with the nesting of the file; past MAX_DEPTH it is a parse error with
   * the limit, not a stack overflow (a thrown error discards the reader, so no decrement is owed).
   */
  private deeper(n: TsNode): void {
    if (++this.depth > MAX_DEPTH) throw new SyntaxProblem(`nested more than ${MAX_DEPTH} levels deep (the limit of this reviewer)`, n.startPosition.row + 1);
  }

  private text(n: TsNode): string {
    return this.src.slice(n.startIndex, n.endIndex);
  }

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

  /**
   * A literal_value read from its text alone: fetching its children would cost a round trip
   * into wasm per literal, and the first character tells the kind.
   */
  private literal(k: TsNode): Scalar {
    const text = this.text(k);
    const c = text[0];
    if (c === '"') return unescapeQuoted(text.slice(1, -1));
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === 'null') return null;
    const num = Number(text);
    return Number.isNaN(num) ? text : num;
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

  /**
   * The pieces of a template made only of text and `${local.x...}` interpolations, or null.
   * Text is taken from the gaps between holes: tree-sitter's template_literal nodes skip whitespace.
   */
  templateParts(holes: TsNode[], start: number, end: number, decode: (s: string) => string): (string | LocalPath)[] | null {
    const parts: (string | LocalPath)[] = [];
    let pos = start;
    for (const h of holes) {
      if (h.type !== 'template_interpolation') return null;
      const inner = h.children;
      if (inner.some((c) => c.type === 'strip_marker')) return null;
      const expr = inner.find((c) => c.type === 'expression');
      const path = expr ? this.localPath(expr.children) : null;
      if (!path) return null;
      if (h.startIndex > pos) parts.push(decode(this.src.slice(pos, h.startIndex)));
      parts.push(path);
      pos = h.endIndex;
    }
    if (end > pos) parts.push(decode(this.src.slice(pos, end)));
    return parts;
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

  // -- symbols and references -----------------------------------------------------------------

  private symbol(n: TsNode, scope: Scope): SymbolicNode {
    return { type: 'symbolic', expr: this.text(n), refs: this.refs(n, scope), ...lines(n) };
  }

  private markLocal(sym: SymbolicNode, path: LocalPath): void {
    this.marks.local.set(sym, path);
    this.marks.any = true;
  }

  /** `"${local.x}"` alone is the value of the local itself (HCL does not stringify it). */
  markTemplate(sym: SymbolicNode, parts: (string | LocalPath)[]): void {
    const only = parts.length === 1 ? parts[0]! : undefined;
    if (only !== undefined && typeof only !== 'string') this.marks.local.set(sym, only);
    else this.marks.template.set(sym, parts);
    this.marks.any = true;
  }

  /** Addresses referenced anywhere under `n`, in order of appearance. */
  refs(n: TsNode, scope: Scope): string[] {
    const out = new Set<string>();
    this.collectRefs(n, scope, out);
    return [...out];
  }

  private collectRefs(n: TsNode, scope: Scope, out: Set<string>): void {
    this.deeper(n);
    this.collectRefsAt(n, scope, out);
    this.depth--;
  }

  private collectRefsAt(n: TsNode, scope: Scope, out: Set<string>): void {
    const kids = n.children;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      const t = k.type;
      if (t === 'variable_expr') {
        const r = this.refAt(kids, i, scope);
        if (r) out.add(r);
      } else if (t === 'for_tuple_expr' || t === 'for_object_expr' || t === 'template_for') {
        this.collectRefs(k, this.bindLoop(k, scope), out);
      } else if (!NO_REFS_INSIDE.has(t) && t.length > 3) {
        // Short types are punctuation and operators (`=`, `==`, `[*]`, `for`): leaves.
        this.collectRefs(k, scope, out);
      }
    }
  }

  /** Loop variables of `[for k, v in x : ...]` and `%{ for x in y }` are not references. */
  private bindLoop(n: TsNode, scope: Scope): Scope {
    const intro = n.children.find((c) => c.type === 'for_intro' || c.type === 'template_for_start');
    if (!intro) return scope;
    const bound = new Set(scope);
    for (const c of intro.children) if (c.type === 'identifier') bound.add(this.text(c));
    return bound;
  }

  /** The address a traversal starting at `kids[i]` (a variable_expr) refers to, if any. */
  private refAt(kids: TsNode[], i: number, scope: Scope): string | null {
    const root = this.text(kids[i]!);
    if (scope.has(root) || NOT_REFS.has(root)) return null;
    const a = this.attrName(kids[i + 1]);
    if (!a) return null;
    if (root === 'data' || root === 'ephemeral') {
      const b = this.attrName(kids[i + 2]);
      return b ? `${root}.${a}.${b}` : null;
    }
    // var.x, local.x, module.x, and resources `type.name` (the attribute is dropped).
    return `${root}.${a}`;
  }

  private attrName(n: TsNode | undefined): string | null {
    if (!n || n.type !== 'get_attr') return null;
    const id = n.children.find((c) => c.type === 'identifier');
    return id ? this.text(id) : null;
  }

  /** `local.x`, `local.x.y`, `local.x[0]`, `local.x["k"]` as the whole expression, else null. */
  private localPath(kids: TsNode[]): LocalPath | null {
    if (kids.length < 2 || kids[0]!.type !== 'variable_expr' || this.text(kids[0]!) !== 'local') return null;
    const name = this.attrName(kids[1]);
    if (!name) return null;
    const steps: (string | number)[] = [];
    for (let i = 2; i < kids.length; i++) {
      const step = this.step(kids[i]!);
      if (step === null) return null;
      steps.push(step);
    }
    return { name, steps };
  }

  private step(k: TsNode): string | number | null {
    if (k.type === 'get_attr') return this.attrName(k);
    if (k.type !== 'index') return null;
    const idx = k.children[0]!;
    if (idx.type === 'legacy_index') {
      const n = Number(this.text(idx).slice(1));
      return Number.isInteger(n) ? n : null;
    }
    const expr = idx.children.find((c) => c.type === 'expression');
    const lit = expr?.children.length === 1 && expr.children[0]!.type === 'literal_value' ? this.literal(expr.children[0]!) : null;
    return typeof lit === 'string' || (typeof lit === 'number' && Number.isInteger(lit)) ? lit : null;
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

// -- syntax errors ------------------------------------------------------------------------------

/** Named tokens tree-sitter may insert as MISSING, with what the user should have typed. */
const CLOSERS: Record<string, string> = {
  '}': '}',
  ']': ']',
  ')': ')',
  block_end: '}',
  object_end: '}',
  tuple_end: ']',
  template_interpolation_end: '}',
  template_directive_end: '}',
  quoted_template_end: '"',
  heredoc_identifier: 'heredoc end marker',
};

const CONSTRUCT: Record<string, string> = {
  block: 'block',
  object: 'object',
  tuple: 'list',
  string_lit: 'string',
  quoted_template: 'string',
  heredoc_template: 'heredoc',
  template_interpolation: 'interpolation',
  function_call: 'function call',
};

/** The first ERROR or MISSING node in document order, as a SyntaxProblem. */
function firstProblem(top: TsNode, src: string): SyntaxProblem {
  if (top.isError) return unexpected(top, src);
  const ancestors: TsNode[] = [];
  let node = top;
  for (;;) {
    let next: TsNode | null = null;
    const kids = node.children;
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (k.isMissing) return missing(k, [...ancestors, node]);
      if (k.isError) return missingEquals(node, kids[i - 1], src) ?? unexpected(k, src);
      if (k.hasError) {
        next = k;
        break;
      }
    }
    if (!next) return unexpected(node, src);
    ancestors.push(node);
    node = next;
  }
}

/**
 * A missing closer is reported where its construct opens (as Terraform does): the MISSING node
 * itself usually sits at the end of the file.
 */
function missing(k: TsNode, ancestors: TsNode[]): SyntaxProblem {
  const token = CLOSERS[k.type];
  if (!token) return new SyntaxProblem(`missing ${k.type}`, k.startPosition.row + 1);
  const what = token === '"' ? 'closing quote' : token.length === 1 ? `"${token}"` : token;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const construct = CONSTRUCT[ancestors[i]!.type];
    if (!construct) continue;
    const line = ancestors[i]!.startPosition.row + 1;
    return new SyntaxProblem(`missing ${what}: the ${construct} opened on line ${line} is not closed`, line);
  }
  return new SyntaxProblem(`missing ${what}`, k.startPosition.row + 1);
}

/** `name "value"` inside a block: tree-sitter keeps the attribute and flags what follows its name. */
function missingEquals(parent: TsNode, prev: TsNode | undefined, src: string): SyntaxProblem | null {
  if (parent.type !== 'attribute' || prev?.type !== 'identifier') return null;
  const name = src.slice(prev.startIndex, prev.endIndex);
  return new SyntaxProblem(`missing "=" after "${name}"`, prev.startPosition.row + 1);
}

/** Reports the first token of an ERROR node (`unexpected "}"`), or the end of the file. */
function unexpected(k: TsNode, src: string): SyntaxProblem {
  let line = k.startPosition.row + 1;
  let i = k.startIndex;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '\n') line++;
    else if (c !== ' ' && c !== '\t' && c !== '\r') break;
  }
  if (i >= src.length) return new SyntaxProblem('unexpected end of file', line);
  let j = i;
  while (j < src.length && j - i < 30 && src[j] !== ' ' && src[j] !== '\t' && src[j] !== '\r' && src[j] !== '\n') j++;
  return new SyntaxProblem(`unexpected ${showToken(src.slice(i, j))}`, line);
}

/** `"}"`, or JSON-quoted when the token has quotes or control characters of its own. */
function showToken(t: string): string {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c === 0x22) return JSON.stringify(t);
  }
  return `"${t}"`;
}

// ---------------------------------------------------------------------------------------------
// JSON (.tf.json)
// ---------------------------------------------------------------------------------------------

function parseTfJson(p: Parser, path: string, text: string): Document {
  const tree = parseJson(stripBom(text));
  if (tree.type !== 'map') throw new SyntaxProblem('Terraform JSON must be an object', tree.startLine);
  const marks = new Marks();
  const out = new RootBuilder(countLines(text));
  const reader = new JsonReader(p, marks);
  for (const e of tree.entries) reader.top(e, out);
  out.finish(marks);
  return makeDocument(KIND, path, text, out.root, out.targets);
}

/**
 * Maps Terraform's JSON syntax onto the HCL shapes. JSON cannot tell a nested block from an
 * object attribute without provider schemas, so nested objects stay maps (only `dynamic` is
 * rewritten); strings are templates, symbolic when they interpolate.
 */
class JsonReader {
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
