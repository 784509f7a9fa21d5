/**
 * AWS CDK stacks in TypeScript, read statically: each L1 construct (`new sagemaker.CfnEndpointConfig
 * (this, 'Config', { kmsKeyId, productionVariants: [...] })`) is the CloudFormation resource it
 * synthesizes, its props the resource's `Properties` under their CloudFormation names (cdk/spec.ts),
 * nested struct literals converted the same way, JSON and map properties kept verbatim (cdk/shapes.ts).
 * What changes a construct after it is built (`config.dataCaptureConfig = ...`,
 * `addPropertyOverride(...)`) makes that property unknown; tags left out may be added to the whole
 * app by `Tags.of(...)`: unknown, never absent. L2 constructs are named, not read yet.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapNode, Node, Target } from '../../document.js';
import { Addresses } from '../addresses.js';
import { TsScopes } from '../typescript/values.js';
import { ConstructTracker, emptyImports, HARMLESS, refOfChain, symbolicAt, tagsUnknownUnlessSet, type CdkImports, type CdkRef } from './constructs.js';
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

  constructor(private readonly root: SyntaxNode) {
    this.imports = importsOf(root);
    this.scopes = new TsScopes(root);
  }

  /** Every L1 construct of the file as a target, in the order of the file. Iterative. */
  read(): Target[] {
    const changes: SyntaxNode[] = [];
    const overrides: SyntaxNode[] = [];
    const uses: SyntaxNode[] = [];
    let aspects: SyntaxNode | undefined;
    const stack: SyntaxNode[] = [this.root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'new_expression') this.construct(n);
      else if (n.type === 'assignment_expression' || n.type === 'augmented_assignment_expression') changes.push(n);
      else if (n.type === 'call_expression') {
        const callee = n.childForFieldName('function');
        if (callee?.type === 'member_expression' && OVERRIDE.test(callee.childForFieldName('property')?.text ?? '')) overrides.push(n);
        if (/(?:^|\.)Aspects\.of$/.test(callee?.text ?? '')) aspects ??= n;
      } else if (n.type === 'identifier' || n.type === 'member_expression') uses.push(n);
      for (let i = n.namedChildCount - 1; i >= 0; i--) {
        const c = n.namedChild(i);
        if (c) stack.push(c);
      }
    }
    // Changes are read once every construct is, wherever in the file they are; the other names
    // constructs are kept under first, since a change may go through them.
    for (const n of uses) this.escaped(n);
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
    if (c) this.constructs.unknown(c, undefined, n, `handed on to code the reader does not follow (line ${line(n)})`);
  }

  private construct(n: SyntaxNode): void {
    const ref = refOf(n.childForFieldName('constructor'), this.imports);
    if (!ref || 'tag' in ref || ref.path.length !== 1) return;
    const cls = ref.path[0]!;
    const args = n.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => a !== null && a.type !== 'comment') ?? [];
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
    if (c) this.constructs.unknown(c, cloudFormationName(c.owner, property, 'typescript') ?? guessedName(property, 'typescript'), assignment);
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
