/**
 * Python expressions as positioned values, resolved the way a reader of the file would: literals,
 * lists, tuples and dicts, names bound once by a simple assignment in the enclosing function or at
 * module level, and pipeline parameters (`ParameterString(name=..., default_value=...)`) as
 * `Parameters.<name>` references. Everything else (a function parameter, `os.environ[...]`, an
 * f-string with a value in it, arithmetic, a call) is symbolic: unknown to the rules, which never
 * fail on it. Nothing is evaluated.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapEntry, Node, SymbolicNode } from '../../document.js';
import { SyntaxProblem } from '../problem.js';

/** Deeper than this, a name is not followed further (a chain of aliases or imports, or a cycle). */
export const MAX_DEPTH = 16;
/** Lists and dicts nested deeper than this are refused with a parse error that names the limit. */
export const MAX_NESTING = 256;
/** Longest expression quoted in a symbolic value. */
const MAX_EXPR = 120;

/** The SDK's pipeline parameter classes; each declares the Type its name ends with (`ParameterString`: `String`). */
export const PARAMETER_CLASSES: ReadonlySet<string> = new Set(['ParameterString', 'ParameterInteger', 'ParameterFloat', 'ParameterBoolean']);

/** Names bound by exactly one simple assignment in a scope (a name bound twice is not a constant). */
export type Bindings = ReadonlyMap<string, SyntaxNode | null>;

export interface Scope {
  /** The enclosing function's bindings, then the module's. */
  chain: readonly Bindings[];
  /** Parameters of the enclosing function: never resolved. */
  params: ReadonlySet<string>;
  /** Names the module imports from other modules of the review (python/imports.ts). */
  imports?: ForeignNames;
  /** Values of the bindings read in this scope, by the id of the bound expression. */
  memo?: Map<number, Node>;
}

/** Values of names a module imports, when the module they come from is in the review. */
export interface ForeignNames {
  /** `from m import NAME`: NAME's value, positioned at `line`. */
  name(name: string, line: number, depth: number): Node | undefined;
  /** `alias.NAME` for a module alias (`import m as alias`, `from pkg import m`). */
  attribute(alias: string, name: string, line: number, depth: number): Node | undefined;
}

const MUTATORS = new Set(['update', 'setdefault', 'pop', 'popitem', 'clear', 'append', 'extend', 'insert', 'remove', '__setitem__']);
/** The CDK's `iam.PolicyStatement` methods that change a statement after it is built (`stmt.add_actions(...)`). */
const STATEMENT_MUTATORS = /^add_(?:not_)?(?:actions|resources|principals|all_resources|any_principal|account_root_principal|arn_principal|aws_account_principal|service_principal|federated_principal|canonical_user_principal|conditions?|account_condition|source_account_condition|source_arn_condition)$/;

/**
 * Names whose value changes after it is bound, anywhere in the file: `x["k"] = v`, `x.k = v`,
 * `x += v`, `del x["k"]`, `x.update(...)` and the like. Such a name is no constant, whatever its
 * assignment says; so is a CDK policy statement given more actions, resources or principals.
 * Iterative: no depth limit to hit.
 */
export function mutatedNames(root: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const base = (n: SyntaxNode | null | undefined): string | undefined => {
    while (n && (n.type === 'subscript' || n.type === 'attribute')) n = n.childForFieldName(n.type === 'subscript' ? 'value' : 'object');
    return n?.type === 'identifier' ? n.text : undefined;
  };
  for (const n of root.descendantsOfType(['assignment', 'augmented_assignment', 'delete_statement', 'call'])) {
    if (n.type === 'assignment' || n.type === 'augmented_assignment') {
      const left = n.childForFieldName('left');
      const name = left && (n.type === 'augmented_assignment' || left.type !== 'identifier') ? base(left) : undefined;
      if (name) out.add(name);
    } else if (n.type === 'delete_statement') {
      for (const t of n.namedChildren) {
        const name = base(t);
        if (name) out.add(name);
      }
    } else if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      const method = fn?.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
      if (fn?.type === 'attribute' && (MUTATORS.has(method) || STATEMENT_MUTATORS.test(method))) {
        const name = base(fn.childForFieldName('object'));
        if (name) out.add(name);
      }
    }
  }
  return out;
}

/**
 * The simple assignments (`NAME = expr`) directly in a block: a module or a function body. Names
 * in `mutated` are bound to null: not constants.
 */
export function bindingsOf(block: SyntaxNode, mutated: ReadonlySet<string> = new Set()): Map<string, SyntaxNode | null> {
  const out = new Map<string, SyntaxNode | null>();
  for (const stmt of block.namedChildren) {
    if (stmt?.type !== 'expression_statement') continue;
    const a = stmt.namedChildren[0];
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) continue;
    // Bound twice: which value applies depends on the path taken, so it is no constant.
    out.set(left.text, out.has(left.text) || mutated.has(left.text) ? null : right);
  }
  // Bound again anywhere else in the block (under an `if`, a loop target, `with ... as`, a walrus,
  // a `global` in a function): no constant either.
  const counts = bindingCounts(block);
  for (const [name, value] of out) if (value && (counts.get(name) ?? 0) > 1) out.set(name, null);
  // Bound only by a loop, a `with`, an import, a walrus...: no constant, and it hides an outer one.
  for (const name of counts.keys()) if (!out.has(name)) out.set(name, null);
  return out;
}

/** Nodes that open a scope of their own. */
const SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);
/** Nodes that bind names, and the scopes (whose names bind in the enclosing one). */
const BINDERS = ['function_definition', 'class_definition', 'lambda', 'global_statement', 'assignment', 'augmented_assignment', 'named_expression', 'for_statement', 'for_in_clause', 'as_pattern', 'import_from_statement', 'import_statement'];

/**
 * How many times each name is bound in a block, not counting nested functions and classes (their
 * own scopes) but counting their `global` names. The binders are found by the grammar's own walk
 * (`descendantsOfType`); each is counted for the nearest scope around it.
 */
function bindingCounts(block: SyntaxNode): Map<string, number> {
  const counts = new Map<string, number>();
  const bind = (n: SyntaxNode | null | undefined) => {
    // A target: a name, or the names of a tuple or list of targets (`a, (b, c) = ...`).
    const stack = n ? [n] : [];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t.type === 'identifier') counts.set(t.text, (counts.get(t.text) ?? 0) + 1);
      else if (t.type === 'pattern_list' || t.type === 'tuple_pattern' || t.type === 'list_pattern' || t.type === 'tuple' || t.type === 'list' || t.type === 'list_splat_pattern') {
        for (const c of t.namedChildren) if (c) stack.push(c);
      }
    }
  };
  /** Whether a node is in a scope nested in the block (a function, class or lambda inside it). */
  const nested = (n: SyntaxNode): boolean => {
    for (let p = n.parent; p && p.id !== block.id; p = p.parent) if (SCOPES.has(p.type)) return true;
    return false;
  };
  for (const n of block.descendantsOfType(BINDERS)) {
    if (n.type === 'global_statement') {
      // A nested scope's `global` binds the name here (twice: it is no constant).
      if (nested(n)) for (const g of n.namedChildren) if (g?.type === 'identifier') counts.set(g.text, (counts.get(g.text) ?? 0) + 2);
      continue;
    }
    if (nested(n)) continue;
    if (SCOPES.has(n.type)) bind(n.childForFieldName('name'));
    else if (n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'named_expression') bind(n.childForFieldName(n.type === 'named_expression' ? 'name' : 'left'));
    else if (n.type === 'for_statement' || n.type === 'for_in_clause') bind(n.childForFieldName('left'));
    else if (n.type === 'as_pattern') bind(n.childForFieldName('alias'));
    // An import at the top of the block is read by python/imports.ts; one under an `if` or a `try` is not.
    else if (n.parent?.id !== block.id) {
      // `from .prod import KEY` (under a `try`, say) binds KEY as surely as an assignment.
      for (const c of n.type === 'import_from_statement' ? n.childrenForFieldName('name') : n.namedChildren) {
        if (c?.type === 'aliased_import') bind(c.childForFieldName('alias'));
        else if (c?.type === 'dotted_name' && !c.text.includes('.')) bind(c);
        else if (c?.type === 'dotted_name' && n.type === 'import_statement') bind(c.namedChildren[0]);
      }
    }
  }
  return counts;
}

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;

function symbolic(n: SyntaxNode, refs: string[] = []): SymbolicNode {
  const text = n.text.replace(/\s+/g, ' ');
  return { type: 'symbolic', expr: text.length > MAX_EXPR ? `${text.slice(0, MAX_EXPR)}…` : text, refs, startLine: line(n), endLine: endLine(n) };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** A string literal's value, or undefined for an f-string with a value in it or a byte string. */
function stringValue(n: SyntaxNode): string | undefined {
  const start = n.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '';
  const prefix = start.replace(/["']+$/, '').toLowerCase();
  if (prefix.includes('b')) return undefined;
  const raw = prefix.includes('r');
  let out = '';
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'interpolation') return undefined;
    if (c.type === 'string_content') out += c.text;
    else if (c.type === 'escape_sequence') out += raw ? c.text : (ESCAPES[c.text.slice(1)] ?? c.text);
  }
  return out;
}

/** The items of a list or tuple literal, without comments; undefined for anything else, or when a `*xs` makes them unknown. */
export function listItems(e: SyntaxNode): SyntaxNode[] | undefined {
  if (e.type !== 'list' && e.type !== 'tuple') return undefined;
  const out: SyntaxNode[] = [];
  for (const c of e.namedChildren) {
    if (!c || c.type === 'comment') continue;
    if (c.type === 'list_splat') return undefined;
    out.push(c);
  }
  return out;
}

/** A Python expression as a positioned value. */
export function valueOf(n: SyntaxNode, scope: Scope, depth = 0, nesting = 0): Node {
  const at = { startLine: line(n), endLine: endLine(n) };
  if (nesting > MAX_NESTING) throw new SyntaxProblem(`a value nested deeper than ${MAX_NESTING} levels`, at.startLine);
  switch (n.type) {
    case 'string': {
      const s = stringValue(n);
      return s === undefined ? symbolic(n) : { type: 'scalar', value: s, ...at };
    }
    case 'concatenated_string': {
      let s = '';
      for (const part of n.namedChildren) {
        const v = part ? stringValue(part) : undefined;
        if (v === undefined) return symbolic(n);
        s += v;
      }
      return { type: 'scalar', value: s, ...at };
    }
    case 'integer': {
      const v = Number(n.text.replace(/_/g, '').replace(/[lL]$/, ''));
      return Number.isSafeInteger(v) ? { type: 'scalar', value: v, ...at } : symbolic(n);
    }
    case 'float': {
      const v = Number(n.text.replace(/_/g, ''));
      return Number.isFinite(v) ? { type: 'scalar', value: v, ...at } : symbolic(n);
    }
    case 'true':
      return { type: 'scalar', value: true, ...at };
    case 'false':
      return { type: 'scalar', value: false, ...at };
    case 'none':
      return { type: 'scalar', value: null, ...at };
    case 'unary_operator': {
      const arg = n.childForFieldName('argument');
      const v = arg ? valueOf(arg, scope, depth, nesting + 1) : undefined;
      if (n.text.startsWith('-') && v?.type === 'scalar' && typeof v.value === 'number') return { type: 'scalar', value: -v.value, ...at };
      return symbolic(n);
    }
    case 'parenthesized_expression': {
      const inner = n.namedChildren[0];
      return inner && n.namedChildren.length === 1 ? valueOf(inner, scope, depth, nesting + 1) : symbolic(n);
    }
    case 'list':
    case 'tuple': {
      const items: Node[] = [];
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        // `[*xs]`: what the list holds is not known.
        if (c.type === 'list_splat') return symbolic(n);
        items.push(valueOf(c, scope, depth, nesting + 1));
      }
      return { type: 'list', items, ...at };
    }
    case 'dictionary':
      return dictValue(n, scope, depth, nesting);
    case 'identifier':
      return nameValue(n, scope, depth, nesting);
    case 'call':
      return callValue(n, scope, depth);
    case 'attribute':
      return attributeValue(n, scope, depth);
    default:
      return symbolic(n);
  }
}

function dictValue(n: SyntaxNode, scope: Scope, depth: number, nesting: number): Node {
  const entries: MapEntry[] = [];
  for (const c of n.namedChildren) {
    if (!c || c.type === 'comment') continue;
    // `{**base, ...}`: which keys it has is not known.
    if (c.type !== 'pair') return symbolic(n);
    const k = c.childForFieldName('key');
    const v = c.childForFieldName('value');
    const key = k?.type === 'string' ? stringValue(k) : undefined;
    if (key === undefined || !v) return symbolic(n);
    const value = valueOf(v, scope, depth, nesting + 1);
    const existing = entries.findIndex((e) => e.key === key);
    // Python keeps the last of a repeated key.
    if (existing !== -1) entries.splice(existing, 1);
    entries.push({ key, keyLine: line(c), value });
  }
  return { type: 'map', entries, startLine: line(n), endLine: endLine(n) };
}

/**
 * What a name is bound to in a scope: the expression; null when it is no constant (a function
 * parameter, bound twice, changed after); undefined when the file does not bind it.
 */
export function bindingOf(scope: Scope, name: string): SyntaxNode | null | undefined {
  if (scope.params.has(name)) return null;
  for (const bindings of scope.chain) if (bindings.has(name)) return bindings.get(name) ?? null;
  return undefined;
}

function nameValue(n: SyntaxNode, scope: Scope, depth: number, nesting: number): Node {
  const name = n.text;
  const bound = depth >= MAX_DEPTH ? null : bindingOf(scope, name);
  // Not bound in this file: imported, perhaps from a module of the review.
  if (bound === undefined) return scope.imports?.name(name, line(n), depth) ?? symbolic(n, [name]);
  if (!bound) return symbolic(n, [name]);
  // The value as written where it is bound, positioned there; a finding stays on the argument.
  // Read once per scope: a name used many times (`[X, X, X, X]`, nested) is not read again each time.
  const memo = (scope.memo ??= new Map());
  let v = memo.get(bound.id);
  if (!v) {
    // The nesting goes on through names: a chain of constants is as deep as what it spells out.
    v = valueOf(bound, scope, depth + 1, nesting + 1);
    memo.set(bound.id, v);
  }
  return v.type === 'symbolic' ? { ...v, refs: [...v.refs, name] } : v;
}

/** `settings.ROLE`, where `settings` is a module the file imports and the review has. */
function attributeValue(n: SyntaxNode, scope: Scope, depth: number): Node {
  const object = n.childForFieldName('object');
  const attribute = n.childForFieldName('attribute')?.text;
  if (depth >= MAX_DEPTH || object?.type !== 'identifier' || !attribute || bindingOf(scope, object.text) !== undefined) return symbolic(n);
  return scope.imports?.attribute(object.text, attribute, line(n), depth) ?? symbolic(n);
}

/** `ParameterString(name="Role", default_value=...)`: a pipeline parameter, as the JSON format has it. */
function callValue(n: SyntaxNode, scope: Scope, depth: number): Node {
  const fn = n.childForFieldName('function');
  const callee = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
  if (!callee || !PARAMETER_CLASSES.has(callee)) return symbolic(n);
  const args = n.childForFieldName('arguments');
  let name: string | undefined;
  for (const a of args?.namedChildren ?? []) {
    if (a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'name') {
      const v = a.childForFieldName('value');
      const s = v ? valueOf(v, scope, depth + 1) : undefined;
      if (s?.type === 'scalar' && typeof s.value === 'string') name = s.value;
    }
  }
  if (name === undefined) {
    const first = args?.namedChildren.find((a) => a && a.type !== 'keyword_argument' && a.type !== 'comment');
    const s = first ? valueOf(first, scope, depth + 1) : undefined;
    if (s?.type === 'scalar' && typeof s.value === 'string') name = s.value;
  }
  return symbolic(n, name === undefined ? [] : [`Parameters.${name}`]);
}
