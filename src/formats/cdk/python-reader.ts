/**
 * AWS CDK stacks in Python, read statically: each L1 construct (`sagemaker.CfnEndpointConfig(self,
 * "Config", kms_key_id=..., production_variants=[...])`) is the CloudFormation resource it
 * synthesizes, its keyword arguments the resource's `Properties` under their CloudFormation names
 * (cdk/spec.ts), nested `CfnX.YProperty(...)` structs and snake_case dicts converted the same way,
 * JSON and map properties kept verbatim. What changes a construct after it is built
 * (`config.data_capture_config = ...`, `add_property_override(...)`) makes that property unknown:
 * it may be set on one path and not another. Tags left out may be added to the whole app by
 * `Tags.of(...)`, usually in another file: unknown, never absent.
 *
 * The L2 constructs of cdk/l2.ts (`s3.Bucket(self, "Data", ...)`, `iam.Role`, the Step Functions
 * SageMaker tasks...) are read as what they synthesize, with the CDK's defaults; the methods that
 * change them (`add_to_policy`, `add_lifecycle_rule`...) are read too. Other L2 constructs are
 * named, and the file is partly reviewed.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { MapNode, Node, Target } from '../../document.js';
import type { ModuleSource } from '../python/imports.js';
import { argumentNode, assignedName } from '../python/reader.js';
import { ConstructTracker, emptyImports, HARMLESS, refOfChain, symbolicAt, tagsUnknownUnlessSet, type CdkImports, type CdkRef, type TrackedConstruct } from './constructs.js';
import { resolvedExpression } from '../python/sdk.js';
import { Addresses } from '../addresses.js';
import { Scopes } from '../python/scopes.js';
import { bindingOf, listItems, valueOf, type Scope } from '../python/values.js';
import { converted, type CdkSyntax } from './shapes.js';
import { cloudFormationName, guessedName, propertiesOf } from './spec.js';
import { L2_CLASSES, L2_TYPES, L2Reader, normName, symbolOf, type L2Kind, type L2Syntax, type View } from './l2.js';

const SERVICE_MODULE = /^aws_cdk\.(aws_[a-z0-9_]+)$/;
/** The escape hatches that change a construct's template: `add_override`, `add_property_override` and their deletions. */
const OVERRIDE = /^add_(?:property_)?(?:deletion_)?override$/;

function importsOf(root: SyntaxNode): CdkImports {
  const out = emptyImports();
  for (const stmt of root.namedChildren) {
    if (stmt?.type === 'import_from_statement') {
      const from = stmt.childForFieldName('module_name')?.text ?? '';
      for (const n of stmt.childrenForFieldName('name')) {
        if (!n) continue;
        const original = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        const local = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
        if (!original || !local) continue;
        // `from aws_cdk import aws_sagemaker as sagemaker`; `from aws_cdk.aws_sagemaker import CfnModel`.
        if (from === 'aws_cdk' && original.startsWith('aws_')) out.modules.set(local, original);
        else if (from === 'aws_cdk') out.names.set(local, { module: 'core', name: original });
        else {
          const service = SERVICE_MODULE.exec(from)?.[1];
          if (service) out.names.set(local, { module: service, name: original });
        }
      }
    } else if (stmt?.type === 'import_statement') {
      for (const n of stmt.namedChildren) {
        if (!n) continue;
        const dotted = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
        const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : undefined;
        if (dotted === 'aws_cdk') out.core.add(alias ?? 'aws_cdk');
        const service = dotted ? SERVICE_MODULE.exec(dotted)?.[1] : undefined;
        if (service && alias) out.modules.set(alias, service);
      }
    }
  }
  return out;
}

/** The attribute chain of a callee, root first (`sagemaker.CfnModel.ContainerDefinitionProperty`). */
function chainOf(n: SyntaxNode | null): string[] | undefined {
  const out: string[] = [];
  while (n?.type === 'attribute') {
    const a = n.childForFieldName('attribute')?.text;
    if (!a) return undefined;
    out.unshift(a);
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
const CONTAINERS = new Set(['argument_list', 'keyword_argument', 'list', 'tuple', 'pair', 'dictionary', 'parenthesized_expression']);

/** The variable a construct is assigned to: a name, or a field of `self`. */
function variableOf(call: SyntaxNode): string | undefined {
  const parent = call.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== call.id) return undefined;
  const left = parent.childForFieldName('left');
  return left?.type === 'identifier' || (left?.type === 'attribute' && /^self\.[A-Za-z_]\w*$/.test(left.text)) ? left.text : undefined;
}

export class CdkPythonReader {
  private readonly imports: CdkImports;
  private readonly scopes: Scopes;
  private readonly addresses = new Addresses();
  private readonly constructs = new ConstructTracker(new Set(['function_definition', 'lambda']), new Set(['class_definition']));
  /** L2 constructs the file builds, not read: `s3.Bucket`. */
  readonly unread = new Set<string>();
  private readonly l2: L2Reader<SyntaxNode>;

  constructor(
    private readonly root: SyntaxNode,
    path: string,
    modules: ModuleSource | undefined,
  ) {
    this.imports = importsOf(root);
    this.scopes = new Scopes(root, path, modules);
    this.l2 = new L2Reader(this.l2Syntax(), this.imports);
  }

  dispose(): void {
    this.scopes.dispose();
  }

  /** Every construct of the file as a target, in the order of the file. */
  read(): Target[] {
    const changes: SyntaxNode[] = [];
    const overrides: SyntaxNode[] = [];
    const uses: SyntaxNode[] = [];
    const methods: SyntaxNode[] = [];
    let aspects: SyntaxNode | undefined;
    // In file order, found by the grammar's own walk.
    for (const n of this.root.descendantsOfType(['call', 'assignment', 'augmented_assignment', 'identifier', 'attribute'])) {
      if (n.type === 'call') {
        if (n.childForFieldName('function')?.type === 'attribute') methods.push(n);
        this.call(n, overrides);
        if (/(?:^|\.)Aspects\.of$/.test(n.childForFieldName('function')?.text ?? '')) aspects ??= n;
      } else if (n.type === 'assignment' || n.type === 'augmented_assignment') changes.push(n);
      else uses.push(n);
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

  /** `bucket.add_lifecycle_rule(...)`, `role.add_to_policy(...)` on an L2 construct: what it adds (L2Reader.mutate). */
  private mutated(call: SyntaxNode): void {
    const callee = call.childForFieldName('function')!;
    const object = callee.childForFieldName('object');
    const method = callee.childForFieldName('attribute')?.text;
    if (!object || !method) return;
    const c = this.constructs.find(object.text, call);
    if (!c?.l2 || c.target.node.type !== 'map') return;
    this.l2.mutate(c.l2, c.target.node.entries[0]!.value, method, call, (suffix, type, at) => this.constructs.extra(c, suffix, type, at, call));
  }

  /** The L2 kind a callee makes, when it is one cdk/l2.ts reads. */
  private l2KindOf(callee: SyntaxNode | null): { kind: L2Kind; cls: string } | undefined {
    const symbol = symbolOf(chainOf(callee), this.imports);
    const cls = symbol?.path.length === 1 ? symbol.path[0]! : undefined;
    const kind = cls ? L2_CLASSES[symbol!.module]?.[cls] : undefined;
    return kind && cls ? { kind, cls } : undefined;
  }

  /** An L2 construct of cdk/l2.ts as the resource it synthesizes, and those it makes besides. */
  private l2Construct(call: SyntaxNode, kind: L2Kind, cls: string): void {
    const { fn, scope } = this.scopes.placeOf(call);
    const id = argumentNode(call, 'id', ['scope', 'id']);
    const idValue = id ? valueOf(id, scope) : undefined;
    const name = idValue?.type === 'scalar' && typeof idValue.value === 'string' ? idValue.value : (assignedName(call) ?? cls);
    const { props, extras } = this.l2.read(kind, call);
    const { type, under } = L2_TYPES[kind];
    if (props.type === 'map') tagsUnknownUnlessSet(props, propertiesOf(type), call);
    const target: Target = {
      type,
      name,
      address: this.addresses.next(fn, name),
      node: { type: 'map', entries: [{ key: under, keyLine: line(call), value: props }], startLine: line(call), endLine: endLine(call) },
      startLine: line(call),
      endLine: endLine(call),
    };
    const c = this.constructs.add(target, type, variableOf(call), call);
    c.l2 = kind;
    for (const x of extras) {
      const holder = this.constructs.extra(c, x.suffix, x.type, x.line, call);
      for (const e of x.props.entries) if (!holder.entries.some((h) => h.key === e.key)) holder.entries.push(e);
    }
  }

  /**
   * Whether handing an L2 construct on at `n` leaves what it synthesizes as read: a Step Functions
   * task always (nothing changes its request); any construct given to a CDK class or method, or
   * to a `grant*` method (they add statements to policies of their own, or read the construct's
   * attributes), except that a bucket given as another's `server_access_logs_bucket` gets the
   * log delivery ACL or policy, and a project given to a pipeline may get its artifact key.
   */
  private l2Harmless(n: SyntaxNode, c: TrackedConstruct): boolean {
    if (c.l2 === 'training-task' || c.l2 === 'transform-task' || c.l2 === 'endpoint-config-task') return true;
    let p = n.parent;
    while (p && CONTAINERS.has(p.type)) p = p.parent;
    if (p?.type !== 'call') return false;
    const callee = p.childForFieldName('function');
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    const receiver = callee?.type === 'attribute' ? callee.childForFieldName('object') : null;
    const cdk = symbolOf(chainOf(callee), this.imports) !== undefined || (receiver ? this.constructs.find(receiver.text, p)?.l2 !== undefined : false);
    if (!cdk && !(method && (/^grant/.test(method) || HARMLESS.test(method)))) return false;
    const keyword = n.parent?.type === 'keyword_argument' ? n.parent.childForFieldName('name')?.text : undefined;
    this.constructs.handedToCdk(c, keyword, n);
    return true;
  }

  /** How Python writes what the L2 reading looks at. */
  private l2Syntax(): L2Syntax<SyntaxNode> {
    const resolve = (n: SyntaxNode): SyntaxNode | 'chain' | undefined => {
      for (let depth = 0; depth < 16; depth++) {
        if (n.type === 'parenthesized_expression') {
          const inner = n.namedChildren.find((c) => c && c.type !== 'comment');
          if (!inner) return undefined;
          n = inner;
          continue;
        }
        if (n.type !== 'identifier') return n;
        const bound = bindingOf(this.scopes.placeOf(n).scope, n.text);
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
      if (e.type === 'call') {
        const args: SyntaxNode[] = [];
        const props = new Map<string, { value: SyntaxNode; line: number }>();
        let known = true;
        for (const a of e.childForFieldName('arguments')?.namedChildren ?? []) {
          if (!a || a.type === 'comment') continue;
          if (a.type === 'dictionary_splat' || a.type === 'list_splat') known = false;
          else if (a.type === 'keyword_argument') {
            const key = a.childForFieldName('name')?.text;
            const value = a.childForFieldName('value');
            if (key && value) props.set(normName(key), { value, line: line(a) });
          } else args.push(a);
        }
        return { kind: 'call', chain: chainOf(e.childForFieldName('function')), args, props: known ? props : undefined };
      }
      if (e.type === 'attribute' || e.type === 'identifier') {
        const chain = chainOf(e);
        return chain ? { kind: 'member', chain } : { kind: 'other' };
      }
      const items = listItems(e);
      if (items) return { kind: 'list', items };
      if (e.type === 'dictionary') {
        const scope = this.scopes.placeOf(e).scope;
        const entries: { key: string; value: SyntaxNode; line: number }[] = [];
        for (const pair of e.namedChildren) {
          if (!pair || pair.type === 'comment') continue;
          const k = pair.type === 'pair' ? pair.childForFieldName('key') : null;
          const value = pair.type === 'pair' ? pair.childForFieldName('value') : null;
          const key = k ? valueOf(k, scope) : undefined;
          if (key?.type !== 'scalar' || typeof key.value !== 'string' || !value) return { kind: 'other' };
          entries.push({ key: key.value, value, line: line(pair) });
        }
        return { kind: 'struct', entries };
      }
      return { kind: 'other' };
    };
    return {
      view,
      value: (n) => valueOf(n, this.scopes.placeOf(n).scope),
      line,
      endLine,
      text: (n) => n.text,
    };
  }

  /**
   * A construct handed on as it is (`encrypt(config)`, `setattr(config, ...)`, `other = config`)
   * may be changed by code the reader does not follow: all of it unknown. A dependency
   * (`x.add_depends_on(config)`) changes nothing.
   */
  private escaped(n: SyntaxNode): void {
    const parent = n.parent;
    // `bucket.node.default_child`: the L1 under an L2, which the code may change in any way.
    if (n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'node' && parent?.type === 'attribute' && /^(?:default_child|find_child|children|find_all)$/.test(parent.childForFieldName('attribute')?.text ?? '')) {
      const object = n.childForFieldName('object');
      const c = object ? this.constructs.find(object.text, n) : undefined;
      if (c?.l2) this.constructs.unknown(c, undefined, n, `its L1 resource is changed directly (line ${line(n)})`);
      return;
    }
    if (!parent || (n.type === 'attribute' && !/^self\.[A-Za-z_]\w*$/.test(n.text))) return;
    if (parent.type === 'assignment' && parent.childForFieldName('right')?.id === n.id) {
      // `self.endpoint = endpoint`: the same construct under another name, whose changes are read too.
      const left = parent.childForFieldName('left');
      const c = this.constructs.find(n.text, n);
      if (c && left && (left.type === 'identifier' || /^self\.[A-Za-z_]\w*$/.test(left.text))) this.constructs.alias(c, left.text, parent);
      else if (c) this.constructs.unknown(c, undefined, n, `handed on to code the reader does not follow (line ${line(n)})`);
      return;
    }
    const handedOn =
      (parent.type === 'argument_list' && !HARMLESS.test(parent.parent?.childForFieldName('function')?.childForFieldName('attribute')?.text ?? '')) ||
      (parent.type === 'keyword_argument' && parent.childForFieldName('value')?.id === n.id) ||
      parent.type === 'list' ||
      parent.type === 'tuple' ||
      (parent.type === 'pair' && parent.childForFieldName('value')?.id === n.id);
    if (!handedOn) return;
    const c = this.constructs.find(n.text, n);
    if (c?.l2 && this.l2Harmless(n, c)) return;
    if (c) this.constructs.unknown(c, undefined, n, `handed on to code the reader does not follow (line ${line(n)})`);
  }

  private call(call: SyntaxNode, overrides: SyntaxNode[]): void {
    const callee = call.childForFieldName('function');
    // `config.add_property_override("DataCaptureConfig.KmsKeyId", key)`: a change, read after.
    if (callee?.type === 'attribute' && OVERRIDE.test(callee.childForFieldName('attribute')?.text ?? '')) {
      overrides.push(call);
      return;
    }
    const l2 = this.l2KindOf(callee);
    if (l2 && this.scoped(call)) {
      this.l2Construct(call, l2.kind, l2.cls);
      return;
    }
    const ref = refOf(callee, this.imports);
    if (!ref || 'tag' in ref || ref.path.length !== 1) return;
    const cls = ref.path[0]!;
    if (!cls.startsWith('Cfn')) {
      // An L2 construct: built with a scope (`self`, or a scope passed in) and an id, as every construct is.
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment' && a.type !== 'keyword_argument') ?? [];
      if (/^[A-Z]/.test(cls) && args.length >= 2 && args[0]?.type === 'identifier') this.unread.add(`${ref.module.replace(/^aws_/, '')}.${cls}`);
      return;
    }
    const owner = `${ref.namespace}::${cls.slice(3)}`;
    // A class the specification does not know is no resource (`CfnParametersCode` is a helper).
    if (!propertiesOf(owner)) return;
    const { fn, scope } = this.scopes.placeOf(call);
    const id = argumentNode(call, 'id', ['scope', 'id']);
    const idValue = id ? valueOf(id, scope) : undefined;
    const name = idValue?.type === 'scalar' && typeof idValue.value === 'string' ? idValue.value : (assignedName(call) ?? cls);
    const properties = this.properties(call, owner, scope);
    const target: Target = {
      type: owner,
      name,
      address: this.addresses.next(fn, name),
      node: { type: 'map', entries: [{ key: 'Properties', keyLine: line(call), value: properties }], startLine: line(call), endLine: endLine(call) },
      startLine: line(call),
      endLine: endLine(call),
    };
    this.constructs.add(target, owner, variableOf(call), call);
  }

  /** Whether a call is built as a construct is: a scope (`self`, or a scope passed in) and an id. */
  private scoped(call: SyntaxNode): boolean {
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a && a.type !== 'comment' && a.type !== 'keyword_argument') ?? [];
    return (args.length >= 2 && args[0]?.type === 'identifier') || (argumentNode(call, 'scope', ['scope', 'id']) !== undefined && argumentNode(call, 'id', ['scope', 'id']) !== undefined);
  }

  /** The keyword arguments as the resource's Properties; `**kwargs` may set any of them. */
  private properties(call: SyntaxNode, owner: string, scope: Scope): Node {
    const args = call.childForFieldName('arguments');
    const map: MapNode = { type: 'map', entries: [], startLine: line(call), endLine: endLine(call) };
    const props = propertiesOf(owner);
    const syntax = this.syntax(scope);
    for (const a of args?.namedChildren ?? []) {
      if (!a) continue;
      if (a.type === 'dictionary_splat' || a.type === 'list_splat') return symbolicAt('properties passed as **kwargs', call);
      if (a.type !== 'keyword_argument') continue;
      const key = a.childForFieldName('name')?.text;
      const value = a.childForFieldName('value');
      if (!key || !value) continue;
      const name = cloudFormationName(owner, key, 'python') ?? guessedName(key, 'python');
      const v = converted(syntax, value, props?.[name], owner);
      // `None` is not set: the property is left out of the template.
      if (v.type === 'scalar' && v.value === null) continue;
      map.entries.push({ key: name, keyLine: line(a), value: v });
    }
    tagsUnknownUnlessSet(map, props, call);
    return map;
  }

  /** How Python writes CDK values, in the scope of `at`. */
  private syntax(scope: Scope): CdkSyntax<SyntaxNode> {
    return {
      language: 'python',
      resolve: (n) => resolvedExpression(n, scope),
      items: listItems,
      entries: (e, kind) => {
        const out: { key: string; value: SyntaxNode; line: number }[] = [];
        if (e.type === 'call') {
          // `CfnX.YProperty(...)`, or `CfnTag(...)` for a tag: keyword arguments only.
          const ref = refOf(e.childForFieldName('function'), this.imports);
          const isStruct = ref && ('tag' in ref ? kind === 'tag' : ref.path.length === 2 && ref.path[1]!.endsWith('Property'));
          if (!isStruct) return undefined;
          for (const a of e.childForFieldName('arguments')?.namedChildren ?? []) {
            if (!a || a.type === 'comment') continue;
            if (a.type !== 'keyword_argument') return undefined;
            const key = a.childForFieldName('name')?.text;
            const value = a.childForFieldName('value');
            if (key && value) out.push({ key, value, line: line(a) });
          }
          return out;
        }
        if (e.type !== 'dictionary') return undefined;
        // A dict with the Python names (jsii takes either).
        for (const pair of e.namedChildren) {
          if (!pair || pair.type === 'comment') continue;
          const k = pair.type === 'pair' ? pair.childForFieldName('key') : null;
          const value = pair.type === 'pair' ? pair.childForFieldName('value') : null;
          const key = k ? valueOf(k, scope) : undefined;
          if (key?.type !== 'scalar' || typeof key.value !== 'string' || !value) return undefined;
          out.push({ key: key.value, value, line: line(pair) });
        }
        return out;
      },
      value: (n) => valueOf(n, scope),
      lines: (e) => ({ startLine: line(e), endLine: endLine(e) }),
    };
  }

  /** `config.data_capture_config = ...` on a construct of the same function: that property is no longer known. */
  private changed(assignment: SyntaxNode): void {
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'attribute') return;
    const object = left.childForFieldName('object');
    const attribute = left.childForFieldName('attribute')?.text;
    if (!object || !attribute) return;
    const c = this.constructs.find(object.text, assignment);
    if (!c) return;
    if (c.l2) return this.constructs.unknown(c, undefined, assignment);
    this.constructs.unknown(c, cloudFormationName(c.owner, attribute, 'python') ?? guessedName(attribute, 'python'), assignment);
  }

  /** `add_property_override("A.B", v)`, `add_override("Properties.A.B", v)` and their deletions. */
  private overridden(call: SyntaxNode): void {
    const callee = call.childForFieldName('function')!;
    const object = callee.childForFieldName('object');
    if (!object) return;
    const c = this.constructs.find(object.text, call);
    if (!c) return;
    const first = call.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'comment');
    const path = first ? valueOf(first, this.scopes.placeOf(call).scope) : undefined;
    const text = path?.type === 'scalar' && typeof path.value === 'string' ? path.value : undefined;
    const property = callee.childForFieldName('attribute')!.text.startsWith('add_property') ? text?.split('.')[0] : /^Properties\.([^.]+)/.exec(text ?? '')?.[1];
    // A path that cannot be read may change any property.
    this.constructs.unknown(c, property, call);
  }
}
