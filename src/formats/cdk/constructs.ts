/**
 * The L1 and L2 constructs of a CDK file as they are read, for both languages: which variable holds each
 * one and where, so that what the code does to it after building it is seen, and what that
 * makes unknown. A construct is known by its variable in its function (`config`), or by its field
 * in its class (`self.config`, `this.config`), which any method of the class may change.
 */
import type { Node as SyntaxNode } from 'web-tree-sitter';
import type { Document, MapNode, Node, NotAnArtifact, SymbolicNode, Target } from '../../model.js';
import { makeDocument, targetEntry, targetsRoot } from '../common.js';
import { namespaceOf } from './spec.js';

/** The L2 constructs read as what they synthesize (l2.ts). */
export type L2Kind = 'bucket' | 'key' | 'role' | 'policy' | 'managed-policy' | 'log-group' | 'project' | 'training-task' | 'transform-task' | 'endpoint-config-task';

/** What a callee is in the CDK: a class path of a service module (`['CfnModel', 'ContainerDefinitionProperty']`), or the core `CfnTag`. */
export type CdkRef = { namespace: string; module: string; path: string[] } | { tag: true };

/** What a file imports of the CDK, in either language. */
export interface CdkImports {
  /** Local names of service modules (`sagemaker` for the SageMaker module) -> the module (`aws_sagemaker`, `aws-sagemaker`). */
  modules: Map<string, string>;
  /** Local names of the core module (`cdk`). */
  core: Set<string>;
  /** Names imported one by one: local name -> module (`core` for the core module) and name. */
  names: Map<string, { module: string; name: string }>;
}

export const emptyImports = (): CdkImports => ({ modules: new Map(), core: new Set(), names: new Map() });

/** What a callee's name chain, root first (`sagemaker.CfnModel`, `cdk.aws_sagemaker.CfnModel`, `CfnModel`), refers to. */
export function refOfChain(chain: readonly string[] | undefined, imports: CdkImports): CdkRef | undefined {
  if (!chain || chain.length === 0) return undefined;
  const [root, ...rest] = chain as [string, ...string[]];
  let module: string | undefined;
  let path: string[] = rest;
  if (imports.modules.has(root)) module = imports.modules.get(root);
  else if (imports.core.has(root)) {
    if (rest.length === 1 && rest[0] === 'CfnTag') return { tag: true };
    if (rest[0]?.startsWith('aws_')) [module, ...path] = rest;
  } else {
    const named = imports.names.get(root);
    if (named?.module === 'core') return named.name === 'CfnTag' && rest.length === 0 ? { tag: true } : undefined;
    if (named) {
      module = named.module;
      path = [named.name, ...rest];
    }
  }
  const namespace = module ? namespaceOf(module) : undefined;
  if (!module || !namespace || path.length === 0) return undefined;
  return { namespace, module, path };
}

/** A CDK file's document from what its reader read: none when it has no construct it reads, with what it did not read. */
export function cdkDocument(kind: Document['kind'], path: string, text: string, targets: Target[], unreadL2: ReadonlySet<string>): Document | NotAnArtifact {
  const unread = l2Unread(unreadL2);
  if (targets.length === 0) return unread ? { notArtifact: 'no AWS CDK construct this reviewer reads', unread } : { notArtifact: 'no AWS CDK construct' };
  const root = targetsRoot(targets.map(targetEntry), text);
  return makeDocument(kind, path, text, root, targets, unread ? { unread } : undefined);
}

export interface TrackedConstruct {
  target: Target;
  /** The resource type, for the names of its properties. */
  owner: string;
  variable: string | undefined;
  /** The function (for a variable) or class (for a field) it is reachable from. */
  scope: number | undefined;
  /** An L2 construct (cdk/l2.ts): which kind. */
  l2?: L2Kind;
  /** Resources the construct makes besides its own (a bucket's policy): unknown with it. */
  related?: TrackedConstruct[];
}

const FIELD = /^(?:self|this)\./;
const line = (n: SyntaxNode) => n.startPosition.row + 1;
const endLine = (n: SyntaxNode) => n.endPosition.row + 1;

export const symbolicAt = (expr: string, n: SyntaxNode): SymbolicNode => ({ type: 'symbolic', expr, refs: [], startLine: line(n), endLine: endLine(n) });

/** The message of a file's L2 constructs, which are not read. */
export function l2Unread(names: ReadonlySet<string>): string | undefined {
  return names.size > 0 ? `uses AWS CDK constructs this reviewer does not read yet (L2; \`cdk synth\` and a review of cdk.out reads what they make): ${[...names].sort().join(', ')}` : undefined;
}

/** The nearest enclosing node of one of `types`, or undefined. */
function enclosing(n: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) if (types.has(p.type)) return p;
  return undefined;
}

export class ConstructTracker {
  readonly all: TrackedConstruct[] = [];
  /** Other names a construct is kept under (`self.endpoint = endpoint`, `const c2 = config`). */
  private readonly aliases: { construct: TrackedConstruct; variable: string; scope: number | undefined; line: number }[] = [];

  constructor(
    /** Node types of functions and methods. */
    private readonly functions: ReadonlySet<string>,
    /** Node types of classes. */
    private readonly classes: ReadonlySet<string>,
  ) {}

  /** The scope a variable written at `at` lives in: its class for a field, else its function. */
  scopeOf(variable: string, at: SyntaxNode): number | undefined {
    return (FIELD.test(variable) ? enclosing(at, this.classes) : enclosing(at, this.functions))?.id;
  }

  add(target: Target, owner: string, variable: string | undefined, at: SyntaxNode): TrackedConstruct {
    const c: TrackedConstruct = { target, owner, variable, scope: variable === undefined ? undefined : this.scopeOf(variable, at) };
    this.all.push(c);
    return c;
  }

  /** The construct a variable written at `at` refers to, the last one built (or aliased) before it in its scope. */
  find(variable: string, at: SyntaxNode): TrackedConstruct | undefined {
    const scope = this.scopeOf(variable, at);
    const matches = [
      ...this.all.filter((c) => c.variable === variable && c.scope === scope).map((c) => ({ construct: c, line: c.target.startLine })),
      ...this.aliases.filter((a) => a.variable === variable && a.scope === scope),
    ].sort((a, b) => a.line - b.line);
    const before = matches.filter((m) => m.line <= line(at));
    return (before[before.length - 1] ?? matches[0])?.construct;
  }

  /** `other = config`: the construct is also known as `other` from here on. */
  alias(c: TrackedConstruct, variable: string, at: SyntaxNode): void {
    this.aliases.push({ construct: c, variable, scope: this.scopeOf(variable, at), line: line(at) });
  }

  /** Marks a property (or, with none, all of them) as set by code the reader does not follow. */
  unknown(c: TrackedConstruct, property: string | undefined, at: SyntaxNode, why = `changed after the construct is built (line ${line(at)})`): void {
    const holder = c.target.node.type === 'map' ? c.target.node.entries[0] : undefined;
    if (!holder) return;
    if (property === undefined) for (const r of c.related ?? []) this.unknown(r, undefined, at, why);
    if (property === undefined || holder.value.type !== 'map') {
      holder.value = symbolicAt(why, at);
      return;
    }
    const entry = holder.value.entries.find((e) => e.key === property);
    if (entry) entry.value = symbolicAt(why, at);
    else holder.value.entries.push({ key: property, keyLine: line(at), value: symbolicAt(why, at) });
  }

  /** The props of a resource an L2 construct makes besides its own (`<address>/Policy`), made on first use. */
  extra(c: TrackedConstruct, suffix: string, type: string, at: number, node: SyntaxNode): MapNode {
    const address = `${c.target.address}/${suffix}`;
    let r = c.related?.find((x) => x.target.address === address);
    if (!r) {
      const props: MapNode = { type: 'map', entries: [], startLine: at, endLine: at };
      r = this.add({ type, name: `${c.target.name}/${suffix}`, address, node: { type: 'map', entries: [{ key: 'Properties', keyLine: at, value: props }], startLine: at, endLine: at }, startLine: at, endLine: at }, type, undefined, node);
      (c.related ??= []).push(r);
      if (type === 'AWS::S3::BucketPolicy') props.entries.push({ key: 'Bucket', keyLine: at, value: { type: 'symbolic', expr: 'the bucket', refs: [], startLine: at, endLine: at } });
    }
    const holder = r.target.node.type === 'map' ? r.target.node.entries[0]?.value : undefined;
    return holder?.type === 'map' ? holder : { type: 'map', entries: [], startLine: at, endLine: at };
  }

  /**
   * An L2 construct given to a CDK class or method: what that may set on it. A bucket given as
   * another's server access logs bucket gets the log delivery ACL (or a policy, by a feature flag);
   * a project given to a pipeline may get the key of its artifact bucket.
   */
  handedToCdk(c: TrackedConstruct, prop: string | undefined, at: SyntaxNode): void {
    const props = c.target.node.type === 'map' ? c.target.node.entries[0]?.value : undefined;
    if (props?.type !== 'map') return;
    if (c.l2 === 'bucket' && prop !== undefined && prop.replace(/_/g, '').toLowerCase() === 'serveraccesslogsbucket') {
      this.unknown(c, 'AccessControl', at, `LogDeliveryWrite unless the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy feature flag is on (it takes server access logs, line ${line(at)})`);
    }
    if (c.l2 === 'project') {
      // Without a key of its own, a pipeline may give it the key of its artifact bucket.
      if (!props.entries.some((e) => e.key === 'EncryptionKey')) {
        props.entries.push({ key: 'EncryptionKey', keyLine: line(at), value: symbolicAt(`the artifact bucket's key of a CodePipeline it may be added to (line ${line(at)})`, at) });
      }
    }
  }

  /** Every construct of the file unknown: an aspect (`Aspects.of(...)`) may change any of them. */
  allUnknown(at: SyntaxNode): void {
    for (const c of this.all) this.unknown(c, undefined, at, `may be changed by an aspect (line ${line(at)})`);
  }
}

/**
 * Tags, when a construct does not set them, may be added to every construct of the app by
 * `Tags.of(app).add(...)`, usually in the app's entry point: unknown, never absent.
 */
export function tagsUnknownUnlessSet(props: MapNode, owner: Readonly<Record<string, unknown>> | undefined, at: SyntaxNode): void {
  if (owner?.['Tags'] && !props.entries.some((e) => e.key === 'Tags')) props.entries.push({ key: 'Tags', keyLine: line(at), value: symbolicAt('tags the app may add with Tags.of(...)', at) });
}

/** Methods that take a construct without changing it: a dependency between resources. */
export const HARMLESS = /^(?:add_depends_on|add_dependency|addDependsOn|addDependency)$/;
