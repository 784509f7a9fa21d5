/**
 * The reference side of the HCL reader: the addresses an expression refers to, `local.x` paths and
 * templates made only of text and locals (marked for local resolution), and what both sides of the
 * reader share: the source text, the nesting depth, literals. HclReader (hcl-reader.ts) extends it
 * with blocks and expressions.
 */
import type { Node as TsNode } from 'web-tree-sitter';
import type { Scalar, SymbolicNode } from '../../model.js';
import { SyntaxProblem } from '../tree.js';
import { lines, type LocalPath, type Marks, type Scope } from './nodes.js';
import { unescapeQuoted } from './strings.js';

/**
 * Deepest nesting read (blocks, expressions). Real configurations stay far below; a file built to
 * be deeper would otherwise overflow the stack of the conversion.
 */
const MAX_DEPTH = 256;

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

/** Source text, nesting depth, literals, references and local paths of one file's CST (see HclReader). */
export class HclRefReader {
  /** Nesting of blocks, expressions and reference walks being converted (see MAX_DEPTH). */
  protected depth = 0;

  constructor(
    protected readonly src: string,
    protected readonly marks: Marks,
  ) {}

  /**
   * The conversion recurses with the nesting of the file; past MAX_DEPTH it is a parse error with
   * the limit, not a stack overflow (a thrown error discards the reader, so no decrement is owed).
   */
  protected deeper(n: TsNode): void {
    if (++this.depth > MAX_DEPTH) throw new SyntaxProblem(`nested more than ${MAX_DEPTH} levels deep (the limit of this reviewer)`, n.startPosition.row + 1);
  }

  protected text(n: TsNode): string {
    return this.src.slice(n.startIndex, n.endIndex);
  }

  /**
   * A literal_value read from its text alone: fetching its children would cost a round trip
   * into wasm per literal, and the first character tells the kind.
   */
  protected literal(k: TsNode): Scalar {
    const text = this.text(k);
    const c = text[0];
    if (c === '"') return unescapeQuoted(text.slice(1, -1));
    if (text === 'true' || text === 'false') return text === 'true';
    if (text === 'null') return null;
    const num = Number(text);
    return Number.isNaN(num) ? text : num;
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

  // -- symbols and references -----------------------------------------------------------------

  protected symbol(n: TsNode, scope: Scope): SymbolicNode {
    return { type: 'symbolic', expr: this.text(n), refs: this.refs(n, scope), ...lines(n) };
  }

  protected markLocal(sym: SymbolicNode, path: LocalPath): void {
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
  protected localPath(kids: TsNode[]): LocalPath | null {
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
