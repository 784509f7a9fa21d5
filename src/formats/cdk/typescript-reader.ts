/**
 * AWS CDK stacks in TypeScript, read statically: each L1 construct (`new sagemaker.CfnEndpointConfig
 * (this, 'Config', { kmsKeyId, productionVariants: [...] })`) is the CloudFormation resource it
 * synthesizes, its props the resource's `Properties` under their CloudFormation names (cdk/spec.ts),
 * nested struct literals converted the same way, JSON and map properties kept verbatim (cdk/shapes.ts).
 * What changes a construct after it is built (`config.dataCaptureConfig = ...`,
 * `addPropertyOverride(...)`) makes that property unknown; tags left out may be added to the whole
 * app by `Tags.of(...)`: unknown, never absent. The L2 constructs of cdk/l2.ts are read as what
 * they synthesize, with the CDK's defaults, and the methods that change them (`addToPolicy`,
 * `addLifecycleRule`...); other L2 constructs are named, not read yet.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapNode, Node, Target } from '../../document.js';
import { Addresses } from '../addresses.js';
import { TsScopes } from '../typescript/values.js';
import { ConstructTracker, emptyImports, HARMLESS, refOfChain, symbolicAt, tagsUnknownUnlessSet, type CdkImports, type CdkRef, type TrackedConstruct } from './constructs.js';
import { L2_CLASSES, L2_TYPES, L2Reader, normName, symbolOf, type L2Kind, type L2Syntax, type View } from './l2.js';
import { converted, type CdkSyntax } from './shapes.js';
import { cloudFormationName, guessedName, propertiesOf } from './spec.js';

/** `aws-cdk-lib/aws-sagemaker` (v2) and `@aws-cdk/aws-sagemaker` (v1): the service module. */
const SERVICE = /^(?:aws-cdk-lib|@aws-cdk)\/(aws-[a-z0-9-]+)$/;
const CORE = /^(?:aws-cdk-lib|@aws-cdk\/core)$/;
const OVERRIDE = /^add(?:Property)?(?:Deletion)?Override$/;

function importsOf(root: SyntaxNode): CdkImports {
  const out = emptyImports();
  for (const stmt of root.namedChildren) {
    if (stmt?.type !== 'import_statement') continue;
    const source = stmt.childForFieldName('source')?.namedChildren.find((c) => c?.type === 'string_fragment')?.text ?? '';
    const service = SERVICE.exec(source)?.[1];
    const core = CORE.test(source);
    if (!service && !core) continue;
    const clause = stmt.namedChildren.find((c) => c?.type === 'import_clause');
    for (const part of clause?.namedChildren ?? []) {
      if (!part) continue;
      if (part.type === 'namespace_import') {
        const alias = part.namedChildren.find((c) => c?.type === 'identifier')?.text;
        if (alias && service) out.modules.set(alias, service);
        else if (alias) out.core.add(alias);
      } else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          if (spec?.type !== 'import_specifier') continue;
          const name = spec.childForFieldName('name')?.text;
          const local = spec.childForFieldName('alias')?.text ?? name;
          if (!name || !local) continue;
          // `import { aws_sagemaker as sagemaker } from 'aws-cdk-lib'`
          if (core && name.startsWith('aws_')) out.modules.set(local, name);
          else out.names.set(local, { module: service ?? 'core', name });
        }
      }
    }
  }
  return out;
}

/** A member chain, root first (`sagemaker.CfnModel`, `cdk.aws_sagemaker.CfnModel`). */
function chainOf(n: SyntaxNode | null): string[] | undefined {
  const out: string[] = [];
  while (n?.type === 'member_expression') {
    const p = n.childForFieldName('property')?.text;
    if (!p) return undefined;
    out.unshift(p);
    n = n.childForFieldName('object');
  }
  if (n?.type !== 'identifier') return undefined;
  out.unshift(n.text);
  return out;
}

function refOf(callee: SyntaxNode | null, imports: CdkImports): CdkRef | undefined {
  return refOfChain(chainOf(callee), imports);
}

const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;
/** Nodes an argument sits in on its way to the call it is given to. */
const CONTAINERS = new Set(['arguments', 'array', 'pair', 'object', 'parenthesized_expression', 'as_expression', 'non_null_expression']);

/** The name of the function, method or arrow function a node is in, for addresses. */
function functionName(n: SyntaxNode): string | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'method_definition' || p.type === 'function_declaration' || p.type === 'generator_function_declaration') return p.childForFieldName('name')?.text;
    if (p.type === 'arrow_function' || p.type === 'function_expression') {
      const holder = p.parent?.type === 'variable_declarator' ? p.parent.childForFieldName('name')?.text : undefined;
      return holder ?? p.childForFieldName('name')?.text;
    }
  }
  return undefined;
}

/** The variable a `new` expression is assigned to (`const config = new ...`, `this.config = new ...`). */
function assignedName(n: SyntaxNode): string | undefined {
  const p = n.parent;
  if (p?.type === 'variable_declarator' && p.childForFieldName('value')?.id === n.id) return p.childForFieldName('name')?.text;
  if (p?.type === 'assignment_expression' && p.childForFieldName('right')?.id === n.id) {
    const left = p.childForFieldName('left');
    return left?.type === 'identifier' ? left.text : left?.type === 'member_expression' ? left.text : undefined;
  }
  return undefined;
}

export class CdkTypeScriptReader {
  private readonly imports: CdkImports;
  private readonly scopes: TsScopes;
  private readonly addresses = new Addresses();
  private readonly constructs = new ConstructTracker(
    new Set(['function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'generator_function_declaration']),
    new Set(['class_declaration', 'class', 'abstract_class_declaration']),
  );
  /** L2 constructs the file builds, not read: `s3.Bucket`. */
  readonly unread = new Set<string>();
  private readonly syntax: CdkSyntax<SyntaxNode> = {
    language: 'typescript',
    resolve: (n) => this.scopes.resolved(n),
    items: (e) => {
      if (e.type !== 'array') return undefined;
      const out: SyntaxNode[] = [];
      for (const c of e.namedChildren) {
        if (!c || c.type === 'comment') continue;
        if (c.type === 'spread_element') return undefined;
        out.push(c);
      }
      return out;
    },
    // Structs and tags are plain objects in TypeScript (`CfnX.YProperty` is an interface).
    entries: (e) => (e.type === 'object' ? this.scopes.objectEntries(e) : undefined),
    value: (n) => this.scopes.valueOf(n),
    lines: (e) => ({ startLine: line(e), endLine: endLine(e) }),
  };

  private readonly l2: L2Reader<SyntaxNode>;

  constructor(private readonly root: SyntaxNode) {
    this.imports = importsOf(root);
    this.scopes = new TsScopes(root);
    this.l2 = new L2Reader(this.l2Syntax(), this.imports);
  }

  /** How TypeScript writes what the L2 reading looks at. */
  private l2Syntax(): L2Syntax<SyntaxNode> {
    const resolve = (n: SyntaxNode): SyntaxNode | 'chain' | undefined => {
      for (let depth = 0; depth < 16; depth++) {
        if (n.type === 'parenthesized_expression' || n.type === 'as_expression' || n.type === 'satisfies_expression' || n.type === 'non_null_expression') {
          const inner = n.namedChildren[0];
          if (!inner) return undefined;
          n = inner;
          continue;
        }
        if (n.type !== 'identifier' && n.type !== 'shorthand_property_identifier') return n;
        const bound = this.scopes.bindingOf(n, n.text);
        if (bound === undefined) return 'chain';
        if (bound === null) return undefined;
        n = bound;
      }
      return undefined;
    };
    const view = (n: SyntaxNode): View<SyntaxNode> => {
      const e = resolve(n);
      if (e === 'chain') return { kind: 'member', chain: [n.text] };
      if (!e) return { kind: 'other' };
      if (e.type === 'new_expression' || e.type === 'call_expression') {
        const all = e.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment') ?? [];
        const last = all.length > 0 ? resolve(all[all.length - 1]!) : undefined;
        let props: Map<string, { value: SyntaxNode; line: number }> | undefined = new Map();
        let args = all;
        if (last && last !== 'chain' && last.type === 'object') {
          const entries = this.scopes.objectEntries(last);
          props = entries ? new Map(entries.map((x) => [normName(x.key), { value: x.value, line: x.line }])) : undefined;
          args = all.slice(0, -1);
        } else if (all.length >= 3 || all.some((a) => a.type === 'spread_element')) props = undefined;
        return { kind: 'call', chain: chainOf(e.childForFieldName(e.type === 'new_expression' ? 'constructor' : 'function')), args, props };
      }
      if (e.type === 'member_expression' || e.type === 'identifier') {
        const chain = chainOf(e);
        return chain ? { kind: 'member', chain } : { kind: 'other' };
      }
      if (e.type === 'array') {
        const items = this.syntax.items(e);
        return items ? { kind: 'list', items } : { kind: 'other' };
      }
      if (e.type === 'object') {
        const entries = this.scopes.objectEntries(e);
        return entries ? { kind: 'struct', entries } : { kind: 'other' };
      }
      return { kind: 'other' };
    };
    return { view, value: (n) => this.scopes.valueOf(n), line, endLine, text: (n) => n.text };
  }

  /** `bucket.addLifecycleRule(...)`, `role.addToPolicy(...)` on an L2 construct: what it adds (L2Reader.mutate). */
  private mutated(call: SyntaxNode): void {
    const callee = call.childForFieldName('function');
    if (callee?.type !== 'member_expression') return;
    const object = callee.childForFieldName('object');
    const method = callee.childForFieldName('property')?.text;
    if (!object || !method) return;
    const c = this.constructs.find(object.text, call);
    if (!c?.l2 || c.target.node.type !== 'map') return;
    this.l2.mutate(c.l2, c.target.node.entries[0]!.value, method, call, (suffix, type, at) => this.constructs.extra(c, suffix, type, at, call));
  }

  /** See CdkPythonReader.l2Harmless. */
  private l2Harmless(n: SyntaxNode, c: TrackedConstruct): boolean {
    if (c.l2 === 'training-task' || c.l2 === 'transform-task' || c.l2 === 'endpoint-config-task') return true;
    let p = n.parent;
    while (p && CONTAINERS.has(p.type)) p = p.parent;
    if (p?.type !== 'call_expression' && p?.type !== 'new_expression') return false;
    const callee = p.childForFieldName(p.type === 'new_expression' ? 'constructor' : 'function');
    const method = callee?.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
    const receiver = callee?.type === 'member_expression' ? callee.childForFieldName('object') : null;
    const cdk = symbolOf(chainOf(callee), this.imports) !== undefined || (receiver ? this.constructs.find(receiver.text, p)?.l2 !== undefined : false);
    if (!cdk && !(method && (/^grant/.test(method) || HARMLESS.test(method)))) return false;
    const prop = n.parent?.type === 'pair' ? n.parent.childForFieldName('key')?.text : n.type === 'shorthand_property_identifier' || n.parent?.type === 'shorthand_property_identifier' ? n.text : undefined;
    this.constructs.handedToCdk(c, prop, n);
    return true;
  }

  /** The L2 kind a constructor makes, when it is one cdk/l2.ts reads. */
  private l2KindOf(callee: SyntaxNode | null): { kind: L2Kind; cls: string } | undefined {
    const symbol = symbolOf(chainOf(callee), this.imports);
    const cls = symbol?.path.length === 1 ? symbol.path[0]! : undefined;
    const kind = cls ? L2_CLASSES[symbol!.module]?.[cls] : undefined;
    return kind && cls ? { kind, cls } : undefined;
  }

  /** An L2 construct of cdk/l2.ts as the resource it synthesizes, and those it makes besides. */
  private l2Construct(n: SyntaxNode, args: SyntaxNode[], kind: L2Kind, cls: string): void {
    const fn = functionName(n);
    const idValue = args[1] ? this.scopes.valueOf(args[1]) : undefined;
    const variable = assignedName(n);
    const name = idValue?.type === 'scalar' && typeof idValue.value === 'string' ? idValue.value : (variable ?? cls);
    const { props, extras } = this.l2.read(kind, n);
    const { type, under } = L2_TYPES[kind];
    if (props.type === 'map') tagsUnknownUnlessSet(props, propertiesOf(type), n);
    const target: Target = {
      type,
      name,
      address: this.addresses.next(fn, name),
      node: { type: 'map', entries: [{ key: under, keyLine: line(n), value: props }], startLine: line(n), endLine: endLine(n) },
      startLine: line(n),
      endLine: endLine(n),
    };
    const c = this.constructs.add(target, type, variable, n);
    c.l2 = kind;
    for (const x of extras) {
      const holder = this.constructs.extra(c, x.suffix, x.type, x.line, n);
      for (const e of x.props.entries) if (!holder.entries.some((h) => h.key === e.key)) holder.entries.push(e);
    }
  }

  /** Every L1 construct of the file as a target, in the order of the file. Iterative. */
  read(): Target[] {
    const changes: SyntaxNode[] = [];
    const overrides: SyntaxNode[] = [];
    const uses: SyntaxNode[] = [];
    const methods: SyntaxNode[] = [];
    let aspects: SyntaxNode | undefined;
    // In file order, found by the grammar's own walk.
    for (const n of this.root.descendantsOfType(['new_expression', 'assignment_expression', 'augmented_assignment_expression', 'call_expression', 'identifier', 'member_expression'])) {
      if (n.type === 'new_expression') this.construct(n);
      else if (n.type === 'assignment_expression' || n.type === 'augmented_assignment_expression') changes.push(n);
      else if (n.type === 'call_expression') {
        const callee = n.childForFieldName('function');
        if (callee?.type === 'member_expression' && OVERRIDE.test(callee.childForFieldName('property')?.text ?? '')) overrides.push(n);
        else if (callee?.type === 'member_expression') methods.push(n);
        if (/(?:^|\.)Aspects\.of$/.test(callee?.text ?? '')) aspects ??= n;
      } else if (n.type === 'identifier' || n.type === 'member_expression') uses.push(n);
    }
    // Changes are read once every construct is, wherever in the file they are; the other names
    // constructs are kept under first, since a change may go through them.
    for (const n of uses) this.escaped(n);
    for (const n of methods) this.mutated(n);
    for (const n of changes) this.changed(n);
    for (const n of overrides) this.overridden(n);
    if (aspects) this.constructs.allUnknown(aspects);
    return this.constructs.all.map((c) => c.target).sort((a, b) => a.startLine - b.startLine);
  }

  /**
   * A construct handed on as it is (`encrypt(config)`, `Object.assign(config, ...)`, `const c2 =
   * config`, `config[key] = v`) may be changed by code the reader does not follow: all of it
   * unknown. A dependency (`x.addDependency(config)`) changes nothing.
   */
  private escaped(n: SyntaxNode): void {
    const parent = n.parent;
    // `bucket.node.defaultChild`: the L1 under an L2, which the code may change in any way.
    if (n.type === 'member_expression' && n.childForFieldName('property')?.text === 'node' && parent?.type === 'member_expression' && /^(?:defaultChild|findChild|children|findAll)$/.test(parent.childForFieldName('property')?.text ?? '')) {
      const object = n.childForFieldName('object');
      const c = object ? this.constructs.find(object.text, n) : undefined;
      if (c?.l2) this.constructs.unknown(c, undefined, n, `its L1 resource is changed directly (line ${line(n)})`);
      return;
    }
    if (!parent || (n.type === 'member_expression' && !/^this\.[A-Za-z_$][\w$]*$/.test(n.text))) return;
    const kept = (parent.type === 'variable_declarator' && parent.childForFieldName('value')?.id === n.id) || (parent.type === 'assignment_expression' && parent.childForFieldName('right')?.id === n.id);
    if (kept) {
      // `this.endpoint = endpoint`, `const c2 = config`: the same construct under another name, whose changes are read too.
      const left = parent.childForFieldName(parent.type === 'variable_declarator' ? 'name' : 'left');
      const c = this.constructs.find(n.text, n);
      if (c && left && (left.type === 'identifier' || /^this\.[A-Za-z_$][\w$]*$/.test(left.text))) this.constructs.alias(c, left.text, parent);
      else if (c) this.constructs.unknown(c, undefined, n, `handed on to code the reader does not follow (line ${line(n)})`);
      return;
    }
    const handedOn =
      (parent.type === 'arguments' && !HARMLESS.test(parent.parent?.childForFieldName('function')?.childForFieldName('property')?.text ?? '')) ||
      parent.type === 'array' ||
      (parent.type === 'subscript_expression' && parent.childForFieldName('object')?.id === n.id) ||
      parent.type === 'non_null_expression' ||
      parent.type === 'shorthand_property_identifier' ||
      (parent.type === 'pair' && parent.childForFieldName('value')?.id === n.id) ||
      parent.type === 'spread_element';
    if (!handedOn) return;
    const c = this.constructs.find(n.text, n);
    if (c?.l2 && this.l2Harmless(n, c)) return;
    if (c) this.constructs.unknown(c, undefined, n, `handed on to code the reader does not follow (line ${line(n)})`);
  }

  private construct(n: SyntaxNode): void {
    const args = n.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment') ?? [];
    const l2 = this.l2KindOf(n.childForFieldName('constructor'));
    if (l2 && args.length >= 2 && (args[0]!.type === 'this' || args[0]!.type === 'identifier')) {
      this.l2Construct(n, args, l2.kind, l2.cls);
      return;
    }
    const ref = refOf(n.childForFieldName('constructor'), this.imports);
    if (!ref || 'tag' in ref || ref.path.length !== 1) return;
    const cls = ref.path[0]!;
    if (!cls.startsWith('Cfn')) {
      // An L2 construct: built with a scope (`this`, or a scope passed in) and an id, as every construct is.
      if (/^[A-Z]/.test(cls) && args.length >= 2 && (args[0]!.type === 'this' || args[0]!.type === 'identifier')) this.unread.add(`${ref.module.replace(/^aws[-_]/, '').replace(/-/g, '')}.${cls}`);
      return;
    }
    const owner = `${ref.namespace}::${cls.slice(3)}`;
    // A class the specification does not know is no resource.
    if (!propertiesOf(owner)) return;
    const fn = functionName(n);
    const idValue = args[1] ? this.scopes.valueOf(args[1]) : undefined;
    const variable = assignedName(n);
    const name = idValue?.type === 'scalar' && typeof idValue.value === 'string' ? idValue.value : (variable ?? cls);
    const target: Target = {
      type: owner,
      name,
      address: this.addresses.next(fn, name),
      node: { type: 'map', entries: [{ key: 'Properties', keyLine: line(n), value: this.properties(n, args[2], owner) }], startLine: line(n), endLine: endLine(n) },
      startLine: line(n),
      endLine: endLine(n),
    };
    this.constructs.add(target, owner, variable, n);
  }

  /** The props object as the resource's Properties; props that are not a readable object are unknown. */
  private properties(n: SyntaxNode, propsArg: SyntaxNode | undefined, owner: string): Node {
    const map: MapNode = { type: 'map', entries: [], startLine: line(n), endLine: endLine(n) };
    const props = propertiesOf(owner);
    if (propsArg) {
      const o = this.scopes.resolved(propsArg);
      const entries = o?.type === 'object' ? this.scopes.objectEntries(o) : undefined;
      if (!entries) return symbolicAt('props the reader cannot follow', propsArg);
      for (const { key, value, line: keyLine } of entries) {
        const name = cloudFormationName(owner, key, 'typescript') ?? guessedName(key, 'typescript');
        const v = converted(this.syntax, value, props?.[name], owner);
        if (v.type === 'scalar' && v.value === null) continue;
        map.entries.push({ key: name, keyLine, value: v });
      }
    }
    tagsUnknownUnlessSet(map, props, n);
    return map;
  }

  /** `config.dataCaptureConfig = ...` on a construct of the same function: that property is no longer known. */
  private changed(assignment: SyntaxNode): void {
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'member_expression') return;
    const object = left.childForFieldName('object');
    const property = left.childForFieldName('property')?.text;
    if (!object || !property) return;
    const c = this.constructs.find(object.text, assignment);
    if (c?.l2) this.constructs.unknown(c, undefined, assignment);
    else if (c) this.constructs.unknown(c, cloudFormationName(c.owner, property, 'typescript') ?? guessedName(property, 'typescript'), assignment);
  }

  /** `addPropertyOverride('A.B', v)`, `addOverride('Properties.A.B', v)` and their deletions. */
  private overridden(call: SyntaxNode): void {
    const callee = call.childForFieldName('function')!;
    const object = callee.childForFieldName('object');
    if (!object) return;
    const c = this.constructs.find(object.text, call);
    if (!c) return;
    const first = call.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
    const path = first ? this.scopes.valueOf(first) : undefined;
    const text = path?.type === 'scalar' && typeof path.value === 'string' ? path.value : undefined;
    const property = callee.childForFieldName('property')!.text.startsWith('addProperty') ? text?.split('.')[0] : /^Properties\.([^.]+)/.exec(text ?? '')?.[1];
    this.constructs.unknown(c, property, call);
  }
}
