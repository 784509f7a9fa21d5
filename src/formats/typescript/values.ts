/**
 * TypeScript expressions as positioned values, resolved the way a reader of the file would:
 * string, number, boolean and `null`/`undefined` literals, template strings with nothing in them,
 * arrays and object literals, and names bound by `const` in an enclosing block (the nearest one,
 * as the language scopes them). Everything else (a parameter, a `let`, `process.env.X`, a property
 * of an object such as a token `key.keyArn`, a call, a template with a value in it, a spread) is
 * symbolic: unknown to the rules, which never fail on it. Nothing is compiled or run.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapEntry, Node, SymbolicNode } from '../../document.js';

/** Deeper than this, a name is not followed further (a chain of constants, or a cycle). */
export const MAX_DEPTH = 16;
/** Longest expression quoted in a symbolic value. */
const MAX_EXPR = 120;
/** Arrays and objects nested deeper than this are taken as they are written (symbolic). */
const MAX_NESTING = 256;

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;

function symbolic(n: SyntaxNode, refs: string[] = []): SymbolicNode {
  const text = n.text.replace(/\s+/g, ' ');
  return { type: 'symbolic', expr: text.length > MAX_EXPR ? `${text.slice(0, MAX_EXPR)}…` : text, refs, startLine: line(n), endLine: endLine(n) };
}

const SCOPES = new Set(['program', 'statement_block', 'class_body', 'switch_body']);
const FUNCTIONS = new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration']);
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '0': '\0' };

/** The names each block declares: the expression of a `const`, or null for what is no constant (a `let`, a `var`, a parameter, a function). */
export class TsScopes {
  private readonly blocks = new Map<number, Map<string, SyntaxNode | null>>();
  private readonly vars = new Map<number, Set<string>>();
  private readonly memo = new Map<number, Node>();
  /** Names whose value changes after it is bound (`props.kmsKeyId = k`, `Object.assign(props, ...)`): no constants. */
  private readonly mutated: Set<string>;

  constructor(root: SyntaxNode) {
    this.mutated = mutatedNames(root);
  }

  /** What `name`, used at `at`, is bound to: the expression, null when it is no constant, undefined when the file does not bind it. */
  bindingOf(at: SyntaxNode, name: string): SyntaxNode | null | undefined {
    for (let n: SyntaxNode | null = at.parent; n; n = n.parent) {
      if (FUNCTIONS.has(n.type)) {
        // A parameter, or a `var` anywhere in the function, hides whatever is outside.
        const params = n.childForFieldName('parameters') ?? n.childForFieldName('parameter');
        if (params && declares(params, name)) return null;
        if (this.varsOf(n).has(name)) return null;
      }
      // `for (const x of xs)`, `catch (x)`: bound by the statement, not a constant.
      if (n.type === 'for_in_statement' || n.type === 'for_statement') {
        const left = n.childForFieldName('left') ?? n.childForFieldName('initializer');
        if (left && declares(left, name)) return null;
      }
      if (n.type === 'catch_clause') {
        const param = n.childForFieldName('parameter');
        if (param && declares(param, name)) return null;
      }
      if (!SCOPES.has(n.type)) continue;
      const names = this.declared(n);
      if (names.has(name)) return (this.mutated.has(name) ? null : names.get(name)) ?? null;
    }
    return undefined;
  }

  /** The names a function declares with `var` anywhere in it (they are the function's), not counting nested functions. */
  private varsOf(fn: SyntaxNode): Set<string> {
    let names = this.vars.get(fn.id);
    if (names) return names;
    names = new Set();
    const body = fn.childForFieldName('body');
    const stack = body ? [body] : [];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'variable_declaration') for (const d of n.namedChildren) if (d?.type === 'variable_declarator') patternNames(d.childForFieldName('name'), names);
      for (const c of n.namedChildren) if (c && !FUNCTIONS.has(c.type)) stack.push(c);
    }
    this.vars.set(fn.id, names);
    return names;
  }

  private declared(block: SyntaxNode): Map<string, SyntaxNode | null> {
    let names = this.blocks.get(block.id);
    if (names) return names;
    names = new Map();
    for (const stmt of block.namedChildren) {
      if (!stmt) continue;
      const decl = stmt.type === 'export_statement' ? stmt.childForFieldName('declaration') : stmt;
      if (decl?.type === 'lexical_declaration' || decl?.type === 'variable_declaration') {
        const isConst = decl.type === 'lexical_declaration' && decl.child(0)?.text === 'const';
        for (const d of decl.namedChildren) {
          if (d?.type !== 'variable_declarator') continue;
          const id = d.childForFieldName('name');
          const value = d.childForFieldName('value');
          if (id?.type !== 'identifier') {
            // `const { kmsKeyId } = props`: each name of the pattern is bound, to what is not read.
            const bound = new Set<string>();
            patternNames(id, bound);
            for (const b of bound) names.set(b, null);
            continue;
          }
          // Declared twice (in a switch, by var): which applies depends on the path taken.
          names.set(id.text, isConst && value && !names.has(id.text) ? value : null);
        }
      } else if (decl && (decl.type === 'function_declaration' || decl.type === 'class_declaration')) {
        const id = decl.childForFieldName('name');
        if (id) names.set(id.text, null);
      }
    }
    this.blocks.set(block.id, names);
    return names;
  }

  /** A TypeScript expression as a positioned value. */
  valueOf(n: SyntaxNode, depth = 0, nesting = 0): Node {
    const at = { startLine: line(n), endLine: endLine(n) };
    if (nesting > MAX_NESTING) return symbolic(n);
    switch (n.type) {
      case 'string': {
        let out = '';
        for (const c of n.namedChildren) {
          if (c?.type === 'string_fragment') out += c.text;
          else if (c?.type === 'escape_sequence') out += ESCAPES[c.text.slice(1)] ?? c.text.slice(1);
        }
        return { type: 'scalar', value: out, ...at };
      }
      case 'template_string': {
        let out = '';
        for (const c of n.namedChildren) {
          if (!c) continue;
          if (c.type === 'template_substitution') return symbolic(n);
          if (c.type === 'string_fragment') out += c.text;
          else if (c.type === 'escape_sequence') out += ESCAPES[c.text.slice(1)] ?? c.text.slice(1);
        }
        return { type: 'scalar', value: out, ...at };
      }
      case 'number': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(v) ? { type: 'scalar', value: v, ...at } : symbolic(n);
      }
      case 'true':
        return { type: 'scalar', value: true, ...at };
      case 'false':
        return { type: 'scalar', value: false, ...at };
      case 'null':
      case 'undefined':
        return { type: 'scalar', value: null, ...at };
      case 'unary_expression': {
        const arg = n.childForFieldName('argument');
        const v = arg ? this.valueOf(arg, depth, nesting + 1) : undefined;
        if (n.childForFieldName('operator')?.text === '-' && v?.type === 'scalar' && typeof v.value === 'number') return { type: 'scalar', value: -v.value, ...at };
        return symbolic(n);
      }
      case 'parenthesized_expression':
      case 'as_expression':
      case 'satisfies_expression':
      case 'non_null_expression': {
        const inner = n.namedChildren[0];
        return inner ? this.valueOf(inner, depth, nesting + 1) : symbolic(n);
      }
      case 'array': {
        const items: Node[] = [];
        for (const c of n.namedChildren) {
          if (!c || c.type === 'comment') continue;
          if (c.type === 'spread_element') return symbolic(n);
          items.push(this.valueOf(c, depth, nesting + 1));
        }
        return { type: 'list', items, ...at };
      }
      case 'object': {
        const pairs = this.objectEntries(n);
        if (!pairs) return symbolic(n);
        const entries: MapEntry[] = pairs.map((p) => ({ key: p.key, keyLine: p.line, value: this.valueOf(p.value, depth, nesting + 1) }));
        return { type: 'map', entries, ...at };
      }
      case 'identifier':
      case 'shorthand_property_identifier': {
        if (n.text === 'undefined') return { type: 'scalar', value: null, ...at };
        return this.nameValue(n, depth, nesting);
      }
      default:
        return symbolic(n);
    }
  }

  /** An object literal's entries by their written key (a shorthand `{ kmsKeyId }` is its name's value); undefined when a spread or computed key makes them unknown. */
  objectEntries(o: SyntaxNode): { key: string; value: SyntaxNode; line: number }[] | undefined {
    const out: { key: string; value: SyntaxNode; line: number }[] = [];
    for (const p of o.namedChildren) {
      if (!p || p.type === 'comment') continue;
      if (p.type === 'shorthand_property_identifier') {
        out.push({ key: p.text, value: p, line: line(p) });
        continue;
      }
      if (p.type !== 'pair') return undefined;
      const k = p.childForFieldName('key');
      const value = p.childForFieldName('value');
      let key: string | undefined;
      if (k?.type === 'property_identifier') key = k.text;
      else if (k?.type === 'string') {
        const v = this.valueOf(k);
        key = v.type === 'scalar' && typeof v.value === 'string' ? v.value : undefined;
      } else if (k?.type === 'number') key = k.text;
      if (key === undefined || !value) return undefined;
      out.push({ key, value, line: line(p) });
    }
    return out;
  }

  /** The expression a name stands for (through constants), the node itself when it is no name; undefined when unknown. */
  resolved(n: SyntaxNode): SyntaxNode | undefined {
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      if (n.type === 'parenthesized_expression' || n.type === 'as_expression' || n.type === 'satisfies_expression' || n.type === 'non_null_expression') {
        const inner = n.namedChildren[0];
        if (!inner) return undefined;
        n = inner;
        continue;
      }
      if (n.type !== 'identifier' && n.type !== 'shorthand_property_identifier') return n;
      const bound = this.bindingOf(n, n.text);
      if (!bound) return undefined;
      n = bound;
    }
    return undefined;
  }

  private nameValue(n: SyntaxNode, depth: number, nesting: number): Node {
    const bound = depth >= MAX_DEPTH ? null : this.bindingOf(n, n.text);
    if (!bound) return symbolic(n, [n.text]);
    // Read once: a constant used many times is not read again each time. The nesting goes on
    // through names: a chain of constants is as deep as what it spells out.
    let v = this.memo.get(bound.id);
    if (!v) {
      v = this.valueOf(bound, depth + 1, nesting + 1);
      this.memo.set(bound.id, v);
    }
    return v.type === 'symbolic' ? { ...v, refs: [...v.refs, n.text] } : v;
  }
}

/** Whether a parameter list declares a name (`x`, `x: T`, `x = 1`, `{ x }`, `...x`). */
function declares(params: SyntaxNode, name: string): boolean {
  if (params.type === 'identifier') return params.text === name;
  const stack = [params];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if ((n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') && n.text === name) {
      // Not the type annotation's names, only the pattern's.
      let p = n.parent;
      let inType = false;
      while (p && p.id !== params.id) {
        if (p.type === 'type_annotation') inType = true;
        p = p.parent;
      }
      if (!inType) return true;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/** The names a binding pattern declares (`x`, `{ a, b: c }`, `[d, ...e]`, `f = 1`), added to `out`. Iterative. */
function patternNames(pattern: SyntaxNode | null, out: Set<string>): void {
  const stack = pattern ? [pattern] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') out.add(n.text);
    else if (n.type === 'pair_pattern') {
      const value = n.childForFieldName('value');
      if (value) stack.push(value);
    } else if (n.type === 'assignment_pattern' || n.type === 'object_assignment_pattern') {
      const left = n.childForFieldName('left');
      if (left) stack.push(left);
    } else if (n.type !== 'type_annotation') for (const c of n.namedChildren) if (c) stack.push(c);
  }
}

/**
 * Names whose value changes after it is bound, anywhere in the file: a member or element assigned
 * (`props.kmsKeyId = k`, `props['x'] = v`, `props!.x = v`), deleted, the target of
 * `Object.assign`, an array changed in place, or a CDK policy statement given more actions,
 * resources or principals (`stmt.addActions(...)`). Iterative.
 */
const MUTATORS = /^(?:push|unshift|splice|pop|shift|fill|copyWithin|add(?:Not)?(?:Actions|Resources|Principals|AllResources|AnyPrincipal|AccountRootPrincipal|ArnPrincipal|AwsAccountPrincipal|ServicePrincipal|FederatedPrincipal|CanonicalUserPrincipal|Conditions?|AccountCondition|SourceAccountCondition|SourceArnCondition))$/;

function mutatedNames(root: SyntaxNode): Set<string> {
  const out = new Set<string>();
  const base = (n: SyntaxNode | null | undefined): string | undefined => {
    while (n && (n.type === 'member_expression' || n.type === 'subscript_expression' || n.type === 'non_null_expression' || n.type === 'parenthesized_expression')) {
      n = n.type === 'member_expression' || n.type === 'subscript_expression' ? n.childForFieldName('object') : n.namedChildren[0];
    }
    return n?.type === 'identifier' ? n.text : undefined;
  };
  const stack = [root];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'assignment_expression' || n.type === 'augmented_assignment_expression') {
      const left = n.childForFieldName('left');
      if (left && left.type !== 'identifier') {
        const name = base(left);
        if (name) out.add(name);
      }
    } else if (n.type === 'unary_expression' && n.child(0)?.text === 'delete') {
      const name = base(n.childForFieldName('argument'));
      if (name) out.add(name);
    } else if (n.type === 'call_expression' && n.childForFieldName('function')?.text === 'Object.assign') {
      const first = n.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
      const name = base(first);
      if (name) out.add(name);
    } else if (n.type === 'call_expression' && n.childForFieldName('function')?.type === 'member_expression') {
      // `statements.push(...)`, `stmt.addActions(...)`: the array or policy statement changes.
      const fn = n.childForFieldName('function')!;
      if (MUTATORS.test(fn.childForFieldName('property')?.text ?? '')) {
        const name = base(fn.childForFieldName('object'));
        if (name) out.add(name);
      }
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}
