/**
 * The AWS CDK L2 constructs most used in MLOps stacks, read as the CloudFormation resources (or, for
 * the Step Functions SageMaker tasks, the API requests) they synthesize, with the values the L2
 * writes when a prop is left out: `s3.Bucket`, `kms.Key`, `iam.Role`, `iam.Policy`,
 * `iam.ManagedPolicy` (with `iam.PolicyStatement`s), `logs.LogGroup`, `codebuild.Project` /
 * `PipelineProject`, and `aws_stepfunctions_tasks.SageMakerCreateTrainingJob`,
 * `SageMakerCreateTransformJob`, `SageMakerCreateEndpointConfig`. The same for Python and
 * TypeScript: each reader says how its language writes a call, a member, a list and a struct
 * (L2Syntax). The defaults were read in the aws-cdk source (aws-cdk-lib, 2024-2025; see
 * docs/formats.md "AWS CDK L2 constructs"). A default that depends on a feature flag of cdk.json
 * or on the aws-cdk-lib version, which the file does not show, is unknown (symbolic), never
 * assumed.
 */
import type { MapEntry, MapNode, Node, SymbolicNode } from '../../document.js';
import type { CdkImports, L2Kind } from './constructs.js';

/** How a language writes what the L2 reading looks at, for a node `N` of its syntax tree. */
export interface L2Syntax<N> {
  /** What an expression is (constants followed). */
  view(n: N): View<N>;
  /** A value as the language's value reader reads it: literals, lists, dicts; the rest symbolic. */
  value(n: N): Node;
  line(n: N): number;
  endLine(n: N): number;
  /** The text of a node, for symbolic values. */
  text(n: N): string;
}

export type View<N> =
  /** A call or `new`: its callee chain (root first), positional arguments, and props (keyword arguments, or a TypeScript object literal last); `props` undefined when they cannot be known (`**kwargs`, a spread). */
  | { kind: 'call'; chain: string[] | undefined; args: N[]; props: Props<N> | undefined }
  | { kind: 'member'; chain: string[] }
  | { kind: 'list'; items: N[] }
  | { kind: 'struct'; entries: { key: string; value: N; line: number }[] }
  | { kind: 'other' };

/** Props by their normalised name (`enforce_ssl`, `enforceSSL`: `enforcessl`). */
export type Props<N> = Map<string, { value: N; line: number }>;

export const normName = (k: string): string => k.replace(/_+$/, '').replace(/_/g, '').toLowerCase();

export function propsOf<N>(entries: readonly { key: string; value: N; line: number }[]): Props<N> {
  return new Map(entries.map((e) => [normName(e.key), { value: e.value, line: e.line }]));
}

/** What a name chain refers to in the CDK: a module (`s3`, `stepfunctionstasks`, `core`) and a path in it (`['BucketEncryption', 'KMS']`). */
export interface CdkSymbol {
  module: string;
  path: string[];
}

const moduleName = (m: string): string => m.replace(/^aws[-_]/, '').replace(/[-_]/g, '');

export function symbolOf(chain: readonly string[] | undefined, imports: CdkImports): CdkSymbol | undefined {
  if (!chain || chain.length === 0) return undefined;
  const [root, ...rest] = chain as [string, ...string[]];
  if (imports.modules.has(root)) return { module: moduleName(imports.modules.get(root)!), path: rest };
  if (imports.core.has(root)) {
    if (rest[0]?.startsWith('aws_')) return { module: moduleName(rest[0]), path: rest.slice(1) };
    return { module: 'core', path: rest };
  }
  const named = imports.names.get(root);
  if (named) return { module: named.module === 'core' ? 'core' : moduleName(named.module), path: [named.name, ...rest] };
  return undefined;
}

/** The L2 classes read, by module and class: what each makes. */
export const L2_CLASSES: Readonly<Record<string, Readonly<Record<string, L2Kind>>>> = {
  s3: { Bucket: 'bucket' },
  kms: { Key: 'key' },
  iam: { Role: 'role', Policy: 'policy', ManagedPolicy: 'managed-policy' },
  logs: { LogGroup: 'log-group' },
  codebuild: { Project: 'project', PipelineProject: 'project' },
  stepfunctionstasks: { SageMakerCreateTrainingJob: 'training-task', SageMakerCreateTransformJob: 'transform-task', SageMakerCreateEndpointConfig: 'endpoint-config-task' },
};

export type { L2Kind } from './constructs.js';

/** The target type each kind makes, and the key its request is under (`Properties` answers CloudFormation rules, `Arguments` SageMaker pipeline ones). */
export const L2_TYPES: Readonly<Record<L2Kind, { type: string; under: 'Properties' | 'Arguments' }>> = {
  bucket: { type: 'AWS::S3::Bucket', under: 'Properties' },
  key: { type: 'AWS::KMS::Key', under: 'Properties' },
  role: { type: 'AWS::IAM::Role', under: 'Properties' },
  policy: { type: 'AWS::IAM::Policy', under: 'Properties' },
  'managed-policy': { type: 'AWS::IAM::ManagedPolicy', under: 'Properties' },
  'log-group': { type: 'AWS::Logs::LogGroup', under: 'Properties' },
  project: { type: 'AWS::CodeBuild::Project', under: 'Properties' },
  'training-task': { type: 'Training', under: 'Arguments' },
  'transform-task': { type: 'Transform', under: 'Arguments' },
  'endpoint-config-task': { type: 'AWS::SageMaker::EndpointConfig', under: 'Properties' },
};

/** A resource the construct makes besides its own (a bucket's policy, the role a task creates). */
export interface ExtraResource {
  /** Appended to the construct's address: `/Policy`. */
  suffix: string;
  type: string;
  props: MapNode;
  line: number;
}

export interface L2Result {
  props: Node;
  extras: ExtraResource[];
}

type At = { startLine: number; endLine: number };
const scalar = (value: string | number | boolean, at: At): Node => ({ type: 'scalar', value, startLine: at.startLine, endLine: at.endLine });
const sym = (expr: string, at: At): SymbolicNode => ({ type: 'symbolic', expr, refs: [], startLine: at.startLine, endLine: at.endLine });
const entry = (key: string, value: Node, keyLine = value.startLine): MapEntry => ({ key, keyLine, value });
const map = (entries: MapEntry[], at: At): MapNode => ({ type: 'map', entries, startLine: at.startLine, endLine: at.endLine });

/** Feature flags and versions a default depends on: named in the symbolic value. */
export const FLAG = {
  publicAccess: 'left to the @aws-cdk/aws-s3:publicAccessBlockedByDefault feature flag (true when it is on, absent when off)',
  logDelivery: 'LogDeliveryWrite unless the @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy feature flag is on',
  keyPolicyActions: 'kms:* or the legacy admin actions, by the @aws-cdk/aws-kms:defaultKeyPolicies feature flag',
  codebuildImage: 'the default build image of the aws-cdk-lib version (aws/codebuild/standard:7.0 in current versions, standard:1.0 in older ones)',
  codebuildCompute: "the build image's default compute type",
} as const;

/** Reads L2 constructs for one file, in the language of `syntax`. */
export class L2Reader<N> {
  constructor(
    private readonly syntax: L2Syntax<N>,
    private readonly imports: CdkImports,
  ) {}

  private at(n: N): At {
    return { startLine: this.syntax.line(n), endLine: this.syntax.endLine(n) };
  }

  symbol(n: N): { symbol: CdkSymbol; view: View<N> } | undefined {
    const v = this.syntax.view(n);
    if (v.kind !== 'call' && v.kind !== 'member') return undefined;
    const symbol = symbolOf(v.chain, this.imports);
    return symbol ? { symbol, view: v } : undefined;
  }

  /** A prop given, as it is written or as `read` reads it, under its CloudFormation name (`TrainingJobName`), on its line. */
  private copy(p: Props<N>, prop: string, name: string, out: MapEntry[], read: (value: N) => Node = (v) => this.syntax.value(v)): void {
    const given = p.get(prop);
    if (given) out.push(entry(name, read(given.value), given.line));
  }

  /** `s3.BucketEncryption.KMS` -> `KMS` when `n` is a member of that enum; undefined otherwise. */
  enumMember(n: N, module: string, enumName: string): string | undefined {
    const s = this.symbol(n);
    if (!s || s.view.kind !== 'member' || s.symbol.module !== module || s.symbol.path.length !== 2 || s.symbol.path[0] !== enumName) return undefined;
    return s.symbol.path[1];
  }

  /** A `Duration.<unit>(n)` in seconds, as a scalar, or symbolic. */
  duration(n: N, unit: 'seconds' | 'minutes' | 'days'): Node {
    const s = this.symbol(n);
    const factor: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400, millis: 0.001 };
    if (s?.view.kind === 'call' && s.symbol.module === 'core' && s.symbol.path[0] === 'Duration' && s.symbol.path.length === 2 && s.view.args.length === 1) {
      const f = factor[s.symbol.path[1]!];
      const v = this.syntax.value(s.view.args[0]!);
      const per = { seconds: 1, minutes: 60, days: 86400 }[unit];
      if (f !== undefined && v.type === 'scalar' && typeof v.value === 'number') {
        const out = (v.value * f) / per;
        if (Number.isInteger(out)) return scalar(out, this.at(n));
      }
    }
    return this.unknown(n);
  }

  /** A `Size.gibibytes(n)` in GiB, as a scalar, or symbolic. */
  gibibytes(n: N): Node {
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'core' && s.symbol.path[0] === 'Size' && s.view.args.length === 1) {
      const v = this.syntax.value(s.view.args[0]!);
      const factor: Record<string, number> = { gibibytes: 1, tebibytes: 1024 };
      const f = factor[s.symbol.path[1] ?? ''];
      if (f !== undefined && v.type === 'scalar' && typeof v.value === 'number') return scalar(v.value * f, this.at(n));
    }
    return this.unknown(n);
  }

  unknown(n: N, why?: string): SymbolicNode {
    return sym(why ?? this.syntax.text(n).replace(/\s+/g, ' ').slice(0, 120), this.at(n));
  }

  /** The props of an L2 construct call (or undefined when they cannot be known). */
  read(kind: L2Kind, call: N): L2Result {
    const v = this.syntax.view(call);
    const at = this.at(call);
    if (v.kind !== 'call' || !v.props) return { props: sym('props the reader cannot follow', at), extras: [] };
    const p = v.props;
    switch (kind) {
      case 'bucket':
        return this.bucket(p, at);
      case 'key':
        return { props: this.key(p, at), extras: [] };
      case 'role':
        return { props: this.role(p, at), extras: [] };
      case 'policy':
      case 'managed-policy':
        return { props: this.policy(p, at), extras: [] };
      case 'log-group':
        return { props: this.logGroup(p, at), extras: [] };
      case 'project':
        return { props: this.project(p, at), extras: [] };
      case 'training-task':
        return { props: this.training(p, at), extras: [] };
      case 'transform-task':
        return this.transform(p, at);
      case 'endpoint-config-task':
        return { props: this.endpointConfig(p, at), extras: [] };
    }
  }

  // ---------------------------------------------------------------------------------------------
  // S3

  private bucket(p: Props<N>, at: At): L2Result {
    const out: MapEntry[] = [];
    const extras: ExtraResource[] = [];
    this.copy(p, 'bucketname', 'BucketName', out);
    // Encryption (bucket.ts parseEncryption): a key alone means KMS; nothing means no BucketEncryption.
    const enc = p.get('encryption');
    const key = p.get('encryptionkey');
    const bucketKey = p.get('bucketkeyenabled');
    const type = enc ? this.enumMember(enc.value, 's3', 'BucketEncryption') : key ? 'KMS' : 'UNENCRYPTED';
    const encLine = enc?.line ?? key?.line ?? at.startLine;
    const encAt = { startLine: encLine, endLine: encLine };
    if (type === undefined) out.push(entry('BucketEncryption', this.unknown(enc!.value), encLine));
    else if (type !== 'UNENCRYPTED') {
      const algorithm: Record<string, string> = { KMS: 'aws:kms', KMS_MANAGED: 'aws:kms', S3_MANAGED: 'AES256', DSSE: 'aws:kms:dsse', DSSE_MANAGED: 'aws:kms:dsse' };
      const byDefault: MapEntry[] = [entry('SSEAlgorithm', algorithm[type] ? scalar(algorithm[type], encAt) : sym(type, encAt), encLine)];
      if (type === 'KMS' || type === 'DSSE') byDefault.push(entry('KMSMasterKeyID', key ? this.ref(key.value, 'keyArn') : sym('the KMS key the bucket creates (Key)', encAt), key?.line ?? encLine));
      const rule: MapEntry[] = [entry('ServerSideEncryptionByDefault', map(byDefault, encAt), encLine)];
      if (bucketKey) rule.push(entry('BucketKeyEnabled', this.syntax.value(bucketKey.value), bucketKey.line));
      out.push(entry('BucketEncryption', map([entry('ServerSideEncryptionConfiguration', { type: 'list', items: [map(rule, encAt)], ...encAt }, encLine)], encAt), encLine));
    }
    const versioned = p.get('versioned');
    if (versioned) {
      const v = this.syntax.value(versioned.value);
      if (v.type !== 'scalar') out.push(entry('VersioningConfiguration', v, versioned.line));
      else if (v.value === true) out.push(entry('VersioningConfiguration', map([entry('Status', scalar('Enabled', v))], v), versioned.line));
    }
    const bpa = p.get('blockpublicaccess');
    if (bpa) {
      const v = this.blockPublicAccess(bpa.value);
      if (v) out.push(entry('PublicAccessBlockConfiguration', v, bpa.line));
    }
    const acl = p.get('accesscontrol');
    if (acl) {
      const m = this.enumMember(acl.value, 's3', 'BucketAccessControl');
      out.push(entry('AccessControl', m ? scalar(pascal(m), this.at(acl.value)) : this.unknown(acl.value), acl.line));
    }
    const logsBucket = p.get('serveraccesslogsbucket');
    const logsPrefix = p.get('serveraccesslogsprefix');
    if (logsBucket || logsPrefix) {
      const line = (logsBucket ?? logsPrefix)!.line;
      const lat = { startLine: line, endLine: line };
      const logging: MapEntry[] = [];
      if (logsBucket) logging.push(entry('DestinationBucketName', this.ref(logsBucket.value, 'bucketName'), logsBucket.line));
      if (logsPrefix) logging.push(entry('LogFilePrefix', this.syntax.value(logsPrefix.value), logsPrefix.line));
      out.push(entry('LoggingConfiguration', map(logging, lat), line));
      // Logs delivered to the bucket itself: its ACL or its policy allows the delivery (allowLogDelivery).
      if (!logsBucket && !acl) out.push(entry('AccessControl', sym(FLAG.logDelivery, lat), line));
    }
    const rules = p.get('lifecyclerules');
    if (rules) {
      const items = this.items(rules.value);
      out.push(entry('LifecycleConfiguration', map([entry('Rules', items ? { type: 'list', items: items.map((r) => this.lifecycleRule(r)), ...this.at(rules.value) } : this.unknown(rules.value), rules.line)], this.at(rules.value)), rules.line));
    }
    // The bucket policy the L2 writes: enforceSSL's Deny, publicReadAccess's Allow to everyone.
    const statements: Node[] = [];
    const ssl = p.get('enforcessl');
    const sslValue = ssl ? this.syntax.value(ssl.value) : undefined;
    if (ssl && sslValue?.type === 'scalar' && sslValue.value === true) {
      const sat = { startLine: ssl.line, endLine: ssl.line };
      statements.push(
        map(
          [
            entry('Action', scalar('s3:*', sat)),
            entry('Condition', map([entry('Bool', map([entry('aws:SecureTransport', scalar('false', sat))], sat))], sat)),
            entry('Effect', scalar('Deny', sat)),
            entry('Principal', map([entry('AWS', scalar('*', sat))], sat)),
            entry('Resource', { type: 'list', items: [sym('bucket ARN', sat), sym('bucket ARN/*', sat)], ...sat }),
          ],
          sat,
        ),
      );
    }
    const publicRead = p.get('publicreadaccess');
    const publicValue = publicRead ? this.syntax.value(publicRead.value) : undefined;
    if (publicRead && publicValue && !(publicValue.type === 'scalar' && publicValue.value !== true)) {
      const pat = { startLine: publicRead.line, endLine: publicRead.line };
      statements.push(publicValue.type === 'scalar' ? publicStatement(pat) : sym('a public read statement when publicReadAccess is true', pat));
    }
    if (statements.length > 0) {
      const line = statements[0]!.startLine;
      extras.push({ suffix: 'Policy', type: 'AWS::S3::BucketPolicy', line, props: policyProps(statements, { startLine: line, endLine: line }) });
    }
    return { props: map(out, at), extras };
  }

  private blockPublicAccess(n: N): Node | undefined {
    const at = this.at(n);
    const names = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
    const all = (values: (boolean | undefined)[]) =>
      map(
        names.map((name, i) => entry(name, values[i] === undefined ? sym(FLAG.publicAccess, at) : scalar(values[i]!, at))),
        at,
      );
    const member = this.enumMember(n, 's3', 'BlockPublicAccess');
    if (member === 'BLOCK_ALL') return all([true, true, true, true]);
    if (member === 'BLOCK_ACLS_ONLY') return all([true, false, true, false]);
    if (member === 'BLOCK_ACLS') return all([true, undefined, true, undefined]);
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 's3' && s.symbol.path.join('.') === 'BlockPublicAccess' && s.view.props) {
      const props = s.view.props;
      return map(
        names.map((name) => {
          const given = props.get(normName(name));
          return given ? entry(name, this.syntax.value(given.value), given.line) : entry(name, sym(FLAG.publicAccess, at));
        }),
        at,
      );
    }
    return this.unknown(n);
  }

  private lifecycleRule(n: N): Node {
    const p = this.structProps(n);
    return p ? this.lifecycleRuleFrom(p, this.at(n)) : this.unknown(n);
  }

  private lifecycleRuleFrom(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    const enabled = p.get('enabled');
    const ev = enabled ? this.syntax.value(enabled.value) : undefined;
    out.push(entry('Status', ev === undefined ? scalar('Enabled', at) : ev.type === 'scalar' ? scalar(ev.value === false ? 'Disabled' : 'Enabled', ev) : ev, enabled?.line ?? at.startLine));
    this.copy(p, 'id', 'Id', out);
    this.copy(p, 'prefix', 'Prefix', out);
    this.copy(p, 'expiration', 'ExpirationInDays', out, (v) => this.duration(v, 'days'));
    for (const [prop, name] of [
      ['abortincompletemultipartuploadafter', 'AbortIncompleteMultipartUpload'],
      ['noncurrentversionexpiration', 'NoncurrentVersionExpiration'],
      ['transitions', 'Transitions'],
      ['noncurrentversiontransitions', 'NoncurrentVersionTransitions'],
      ['expirationdate', 'ExpirationDate'],
      ['expiredobjectdeletemarker', 'ExpiredObjectDeleteMarker'],
    ] as const) {
      const given = p.get(prop);
      if (given) out.push(entry(name, this.unknown(given.value), given.line));
    }
    return map(out, at);
  }

  // ---------------------------------------------------------------------------------------------
  // KMS

  private key(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    const rotation = p.get('enablekeyrotation');
    const period = p.get('rotationperiod');
    if (rotation) {
      const v = this.syntax.value(rotation.value);
      if (!(v.type === 'scalar' && v.value === null)) out.push(entry('EnableKeyRotation', v, rotation.line));
    } else if (period) out.push(entry('EnableKeyRotation', scalar(true, this.at(period.value)), period.line)); // key.ts: a rotationPeriod turns rotation on
    if (period) out.push(entry('RotationPeriodInDays', this.duration(period.value, 'days'), period.line));
    const spec = p.get('keyspec');
    if (spec) out.push(entry('KeySpec', this.enumOrValue(spec.value, 'kms', 'KeySpec'), spec.line));
    const usage = p.get('keyusage');
    if (usage) out.push(entry('KeyUsage', this.enumOrValue(usage.value, 'kms', 'KeyUsage'), usage.line));
    this.copy(p, 'enabled', 'Enabled', out);
    this.copy(p, 'pendingwindow', 'PendingWindowInDays', out, (v) => this.duration(v, 'days'));
    const policy = p.get('policy');
    if (policy) out.push(entry('KeyPolicy', this.policyDocument(policy.value), policy.line));
    else {
      // The default key policy: the account (its root principal) administers the key.
      const statement = map(
        [
          entry('Action', sym(FLAG.keyPolicyActions, at)),
          entry('Effect', scalar('Allow', at)),
          entry('Principal', map([entry('AWS', sym('the account root principal', at))], at)),
          entry('Resource', scalar('*', at)),
        ],
        at,
      );
      out.push(entry('KeyPolicy', map([entry('Statement', { type: 'list', items: [statement], ...at }), entry('Version', scalar('2012-10-17', at))], at)));
    }
    return map(out, at);
  }

  // ---------------------------------------------------------------------------------------------
  // IAM

  private role(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    const assumed = p.get('assumedby');
    if (assumed) {
      const aat = this.at(assumed.value);
      const statement = map([entry('Action', scalar('sts:AssumeRole', aat)), entry('Effect', scalar('Allow', aat)), entry('Principal', this.principal(assumed.value))], aat);
      out.push(entry('AssumeRolePolicyDocument', map([entry('Statement', { type: 'list', items: [statement], ...aat }), entry('Version', scalar('2012-10-17', aat))], aat), assumed.line));
    }
    const managed = p.get('managedpolicies');
    if (managed) {
      const items = this.items(managed.value);
      out.push(entry('ManagedPolicyArns', items ? { type: 'list', items: items.map((i) => this.managedPolicyArn(i)), ...this.at(managed.value) } : this.unknown(managed.value), managed.line));
    }
    const inline = p.get('inlinepolicies');
    if (inline) {
      const v = this.syntax.view(inline.value);
      if (v.kind === 'struct') {
        const iat = this.at(inline.value);
        const items = v.entries.map((e) => map([entry('PolicyDocument', this.policyDocument(e.value), e.line), entry('PolicyName', scalar(e.key, { startLine: e.line, endLine: e.line }), e.line)], this.at(e.value)));
        out.push(entry('Policies', { type: 'list', items, ...iat }, inline.line));
      } else out.push(entry('Policies', this.unknown(inline.value), inline.line));
    }
    for (const [prop, name] of [
      ['rolename', 'RoleName'],
      ['path', 'Path'],
      ['description', 'Description'],
    ] as const) {
      const given = p.get(prop);
      if (given) out.push(entry(name, this.syntax.value(given.value), given.line));
    }
    this.copy(p, 'permissionsboundary', 'PermissionsBoundary', out, (v) => this.managedPolicyArn(v));
    return map(out, at);
  }

  /** `iam.Policy` / `iam.ManagedPolicy`: `statements` or `document`. */
  private policy(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    const document = p.get('document');
    const statements = p.get('statements');
    if (document) out.push(entry('PolicyDocument', this.policyDocument(document.value), document.line));
    else if (statements) {
      const items = this.items(statements.value);
      const sat = this.at(statements.value);
      out.push(entry('PolicyDocument', map([entry('Statement', items ? { type: 'list', items: items.map((s) => this.statement(s)), ...sat } : this.unknown(statements.value)), entry('Version', scalar('2012-10-17', sat))], sat), statements.line));
    } else out.push(entry('PolicyDocument', map([entry('Statement', { type: 'list', items: [], ...at }), entry('Version', scalar('2012-10-17', at))], at)));
    for (const [prop, name] of [
      ['policyname', 'PolicyName'],
      ['managedpolicyname', 'ManagedPolicyName'],
      ['description', 'Description'],
    ] as const) {
      const given = p.get(prop);
      if (given) out.push(entry(name, this.syntax.value(given.value), given.line));
    }
    return map(out, at);
  }

  /** `iam.ManagedPolicy.from_aws_managed_policy_name("X")` as its ARN (in the `aws` partition); another policy's ARN as unknown. */
  managedPolicyArn(n: N): Node {
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'iam' && s.symbol.path[0] === 'ManagedPolicy' && s.symbol.path.length === 2) {
      const method = normName(s.symbol.path[1]!);
      if (method === 'fromawsmanagedpolicyname' && s.view.args.length >= 1) {
        const v = this.syntax.value(s.view.args[0]!);
        if (v.type === 'scalar' && typeof v.value === 'string') return scalar(`arn:aws:iam::aws:policy/${v.value.replace(/^\/+/, '')}`, this.at(n));
        return v.type === 'symbolic' ? v : this.unknown(n);
      }
      if (method === 'frommanagedpolicyarn' && s.view.args.length >= 3) return this.syntax.value(s.view.args[2]!);
    }
    // An object that is an IManagedPolicy by its shape: `{ managedPolicyArn: 'arn:...' }`.
    const struct = this.syntax.view(n);
    const arn = struct.kind === 'struct' ? propsOf(struct.entries).get('managedpolicyarn') : undefined;
    if (arn) return this.syntax.value(arn.value);
    return this.unknown(n, `${this.syntax.text(n).replace(/\s+/g, ' ').slice(0, 80)} (its ARN)`);
  }

  /** `iam.PolicyDocument(statements=[...])`, `iam.PolicyDocument.from_json({...})`; anything else unknown. */
  policyDocument(n: N): Node {
    const at = this.at(n);
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'iam' && s.symbol.path[0] === 'PolicyDocument') {
      if (s.symbol.path.length === 2 && normName(s.symbol.path[1]!) === 'fromjson' && s.view.args.length === 1) return this.syntax.value(s.view.args[0]!);
      if (s.symbol.path.length === 1 && s.view.props) {
        const statements = s.view.props.get('statements');
        const items = statements ? this.items(statements.value) : [];
        const list: Node = items ? { type: 'list', items: items.map((i) => this.statement(i)), ...(statements ? this.at(statements.value) : at) } : this.unknown(statements!.value);
        return map([entry('Statement', list, statements?.line ?? at.startLine), entry('Version', scalar('2012-10-17', at))], at);
      }
    }
    return this.unknown(n);
  }

  /** An `iam.PolicyStatement(...)` as the JSON statement it renders; `from_json` verbatim; anything else unknown. */
  statement(n: N): Node {
    const at = this.at(n);
    const s = this.symbol(n);
    if (!(s?.view.kind === 'call' && s.symbol.module === 'iam' && s.symbol.path[0] === 'PolicyStatement')) return this.unknown(n);
    if (s.symbol.path.length === 2 && normName(s.symbol.path[1]!) === 'fromjson' && s.view.args.length === 1) return this.syntax.value(s.view.args[0]!);
    if (s.symbol.path.length !== 1 || !s.view.props) return this.unknown(n);
    const p = s.view.props;
    const out: MapEntry[] = [];
    const list = (prop: string, name: string) => {
      const given = p.get(prop);
      if (!given) return;
      const items = this.items(given.value);
      out.push(entry(name, items ? { type: 'list', items: items.map((i) => this.syntax.value(i)), ...this.at(given.value) } : this.unknown(given.value), given.line));
    };
    list('actions', 'Action');
    list('notactions', 'NotAction');
    this.copy(p, 'conditions', 'Condition', out);
    const effect = p.get('effect');
    if (effect) {
      const m = this.enumMember(effect.value, 'iam', 'Effect');
      out.push(entry('Effect', m ? scalar(pascal(m), this.at(effect.value)) : this.unknown(effect.value), effect.line));
    } else out.push(entry('Effect', scalar('Allow', at)));
    const principals = p.get('principals');
    if (principals) {
      const items = this.items(principals.value);
      out.push(entry('Principal', items?.length === 1 ? this.principal(items[0]!) : this.unknown(principals.value), principals.line));
    }
    list('resources', 'Resource');
    list('notresources', 'NotResource');
    this.copy(p, 'sid', 'Sid', out);
    return map(out, at);
  }

  /** A principal as a statement's `Principal`: `AnyPrincipal` is `{AWS: "*"}`, `StarPrincipal` `"*"`, a service principal `{Service: ...}`. */
  principal(n: N): Node {
    const at = this.at(n);
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'iam' && s.symbol.path.length === 1) {
      const arg = s.view.args[0];
      switch (s.symbol.path[0]) {
        case 'AnyPrincipal':
          return map([entry('AWS', scalar('*', at))], at);
        case 'StarPrincipal':
          return scalar('*', at);
        case 'ServicePrincipal':
          return map([entry('Service', arg ? this.syntax.value(arg) : this.unknown(n))], at);
        case 'ArnPrincipal':
          return map([entry('AWS', arg ? this.syntax.value(arg) : this.unknown(n))], at);
        case 'AccountRootPrincipal':
          return map([entry('AWS', sym('the account root principal', at))], at);
        case 'AccountPrincipal':
          return map([entry('AWS', arg ? sym(`the root principal of account ${this.syntax.text(arg)}`, at) : this.unknown(n))], at);
      }
    }
    return this.unknown(n);
  }

  // ---------------------------------------------------------------------------------------------
  // Logs

  private logGroup(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    this.copy(p, 'loggroupname', 'LogGroupName', out);
    this.copy(p, 'encryptionkey', 'KmsKeyId', out, (v) => this.ref(v, 'keyArn'));
    // log-group.ts: retention defaults to RetentionDays.TWO_YEARS (731 days); INFINITE writes none.
    const retention = p.get('retention');
    if (!retention) out.push(entry('RetentionInDays', scalar(731, at)));
    else {
      const m = this.enumMember(retention.value, 'logs', 'RetentionDays');
      const days = m === undefined ? undefined : RETENTION_DAYS[m];
      if (m === 'INFINITE') {
        // no RetentionInDays: kept forever
      } else if (days !== undefined) out.push(entry('RetentionInDays', scalar(days, this.at(retention.value)), retention.line));
      else {
        const v = this.syntax.value(retention.value);
        out.push(entry('RetentionInDays', v.type === 'scalar' && typeof v.value === 'number' && v.value !== 9999 ? v : this.unknown(retention.value), retention.line));
      }
    }
    const cls = p.get('loggroupclass');
    if (cls) out.push(entry('LogGroupClass', this.enumOrValue(cls.value, 'logs', 'LogGroupClass'), cls.line));
    return map(out, at);
  }

  // ---------------------------------------------------------------------------------------------
  // CodeBuild

  private project(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    const envGiven = p.get('environment');
    const env = envGiven ? this.structProps(envGiven.value) : new Map<string, { value: N; line: number }>();
    const eat = envGiven ? this.at(envGiven.value) : at;
    if (!env) out.push(entry('Environment', this.unknown(envGiven!.value), envGiven!.line));
    else {
      const e: MapEntry[] = [];
      const image = env.get('buildimage');
      e.push(entry('Image', image ? this.buildImage(image.value) : sym(FLAG.codebuildImage, eat), image?.line ?? eat.startLine));
      const privileged = env.get('privileged');
      e.push(entry('PrivilegedMode', privileged ? this.syntax.value(privileged.value) : scalar(false, eat), privileged?.line ?? eat.startLine));
      const compute = env.get('computetype');
      e.push(entry('ComputeType', compute ? this.enumOrValue(compute.value, 'codebuild', 'ComputeType') : sym(FLAG.codebuildCompute, eat), compute?.line ?? eat.startLine));
      out.push(entry('Environment', map(e, eat), envGiven?.line ?? at.startLine));
    }
    // project.ts: without a key, the CDK writes `alias/aws/s3`, the AWS-managed key CodeBuild uses
    // when the property is left out: to every rule, no key. It is left out here.
    this.copy(p, 'encryptionkey', 'EncryptionKey', out, (v) => this.ref(v, 'keyArn'));
    const timeout = p.get('timeout');
    if (timeout) {
      const seconds = this.duration(timeout.value, 'minutes');
      out.push(entry('TimeoutInMinutes', seconds, timeout.line));
    }
    this.copy(p, 'projectname', 'Name', out);
    const role = p.get('role');
    out.push(entry('ServiceRole', role ? this.ref(role.value, 'roleArn') : sym('the role the project creates', at), role?.line ?? at.startLine));
    return map(out, at);
  }

  private buildImage(n: N): Node {
    const m = this.enumMember(n, 'codebuild', 'LinuxBuildImage') ?? this.enumMember(n, 'codebuild', 'LinuxArmBuildImage');
    const at = this.at(n);
    if (m) {
      const id = BUILD_IMAGES[m];
      return id ? scalar(id, at) : this.unknown(n);
    }
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'codebuild' && s.symbol.path.length === 2 && normName(s.symbol.path[1]!) === 'fromdockerregistry' && s.view.args[0]) return this.syntax.value(s.view.args[0]);
    return this.unknown(n);
  }

  // ---------------------------------------------------------------------------------------------
  // Step Functions tasks: the request in the state's Parameters (create-training-job.ts ...)

  private training(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    this.copy(p, 'trainingjobname', 'TrainingJobName', out);
    this.copy(p, 'enablenetworkisolation', 'EnableNetworkIsolation', out);
    const role = p.get('role');
    out.push(entry('RoleArn', role ? this.ref(role.value, 'roleArn') : sym('the role the task creates', at), role?.line ?? at.startLine));
    const algo = p.get('algorithmspecification');
    if (algo) {
      const a = this.structProps(algo.value);
      const aat = this.at(algo.value);
      if (!a) out.push(entry('AlgorithmSpecification', this.unknown(algo.value), algo.line));
      else {
        const spec: MapEntry[] = [];
        const mode = a.get('traininginputmode');
        spec.push(entry('TrainingInputMode', mode ? this.enumOrValue(mode.value, 'stepfunctionstasks', 'InputMode', pascal) : scalar('File', aat), mode?.line ?? aat.startLine));
        this.copy(a, 'trainingimage', 'TrainingImage', spec, (v) => this.dockerImage(v));
        this.copy(a, 'algorithmname', 'AlgorithmName', spec);
        out.push(entry('AlgorithmSpecification', map(spec, aat), algo.line));
      }
    }
    this.copy(p, 'inputdataconfig', 'InputDataConfig', out, (v) => this.unknown(v, 'the input channels'));
    const output = p.get('outputdataconfig');
    if (output) {
      const o = this.structProps(output.value);
      const oat = this.at(output.value);
      if (!o) out.push(entry('OutputDataConfig', this.unknown(output.value), output.line));
      else {
        const e: MapEntry[] = [];
        this.copy(o, 's3outputlocation', 'S3OutputPath', e, (v) => this.unknown(v));
        this.copy(o, 'encryptionkey', 'KmsKeyId', e, (v) => this.ref(v, 'keyArn'));
        out.push(entry('OutputDataConfig', map(e, oat), output.line));
      }
    }
    const resources = p.get('resourceconfig');
    if (!resources) out.push(entry('ResourceConfig', map([entry('InstanceCount', scalar(1, at)), entry('InstanceType', scalar('ml.m4.xlarge', at)), entry('VolumeSizeInGB', scalar(10, at))], at)));
    else {
      const r = this.structProps(resources.value);
      const rat = this.at(resources.value);
      if (!r) out.push(entry('ResourceConfig', this.unknown(resources.value), resources.line));
      else {
        const e: MapEntry[] = [];
        this.copy(r, 'instancecount', 'InstanceCount', e);
        this.copy(r, 'instancetype', 'InstanceType', e, (v) => this.instanceType(v));
        this.copy(r, 'volumesize', 'VolumeSizeInGB', e, (v) => this.gibibytes(v));
        this.copy(r, 'volumeencryptionkey', 'VolumeKmsKeyId', e, (v) => this.ref(v, 'keyArn'));
        out.push(entry('ResourceConfig', map(e, rat), resources.line));
      }
    }
    const stopping = p.get('stoppingcondition');
    if (!stopping) out.push(entry('StoppingCondition', map([entry('MaxRuntimeInSeconds', scalar(3600, at))], at)));
    else {
      const s = this.structProps(stopping.value);
      const sat = this.at(stopping.value);
      if (!s) out.push(entry('StoppingCondition', this.unknown(stopping.value), stopping.line));
      else {
        const runtime = s.get('maxruntime');
        out.push(entry('StoppingCondition', map(runtime ? [entry('MaxRuntimeInSeconds', this.duration(runtime.value, 'seconds'), runtime.line)] : [], sat), stopping.line));
      }
    }
    for (const [prop, name] of [
      ['hyperparameters', 'HyperParameters'],
      ['environment', 'Environment'],
      ['tags', 'Tags'],
    ] as const) {
      const given = p.get(prop);
      if (given) out.push(entry(name, this.syntax.value(given.value), given.line));
    }
    const vpc = p.get('vpcconfig');
    if (vpc) {
      const vat = this.at(vpc.value);
      out.push(entry('VpcConfig', map([entry('SecurityGroupIds', sym('the security groups of the task', vat)), entry('Subnets', sym('the subnets of the VPC', vat))], vat), vpc.line));
    }
    return map(out, at);
  }

  private transform(p: Props<N>, at: At): L2Result {
    const out: MapEntry[] = [];
    const extras: ExtraResource[] = [];
    for (const [prop, name] of [
      ['transformjobname', 'TransformJobName'],
      ['modelname', 'ModelName'],
      ['environment', 'Environment'],
      ['maxconcurrenttransforms', 'MaxConcurrentTransforms'],
    ] as const) {
      const given = p.get(prop);
      if (given) out.push(entry(name, this.syntax.value(given.value), given.line));
    }
    const strategy = p.get('batchstrategy');
    if (strategy) out.push(entry('BatchStrategy', this.enumOrValue(strategy.value, 'stepfunctionstasks', 'BatchStrategy', pascal), strategy.line));
    this.copy(p, 'transforminput', 'TransformInput', out, (v) => this.unknown(v, 'the transform input'));
    const output = p.get('transformoutput');
    if (output) {
      const o = this.structProps(output.value);
      const oat = this.at(output.value);
      if (!o) out.push(entry('TransformOutput', this.unknown(output.value), output.line));
      else {
        const e: MapEntry[] = [];
        this.copy(o, 's3outputpath', 'S3OutputPath', e);
        this.copy(o, 'encryptionkey', 'KmsKeyId', e, (v) => this.ref(v, 'keyArn'));
        out.push(entry('TransformOutput', map(e, oat), output.line));
      }
    }
    const resources = p.get('transformresources');
    if (!resources) out.push(entry('TransformResources', map([entry('InstanceCount', scalar(1, at)), entry('InstanceType', scalar('ml.m4.xlarge', at))], at)));
    else {
      const r = this.structProps(resources.value);
      const rat = this.at(resources.value);
      if (!r) out.push(entry('TransformResources', this.unknown(resources.value), resources.line));
      else {
        const e: MapEntry[] = [];
        this.copy(r, 'instancecount', 'InstanceCount', e);
        this.copy(r, 'instancetype', 'InstanceType', e, (v) => this.instanceType(v));
        this.copy(r, 'volumeencryptionkey', 'VolumeKmsKeyId', e, (v) => this.ref(v, 'keyArn'));
        out.push(entry('TransformResources', map(e, rat), resources.line));
      }
    }
    // create-transform-job.ts: without a role, the task creates one with AmazonSageMakerFullAccess.
    if (!p.get('role')) {
      extras.push({
        suffix: 'SagemakerTransformRole',
        type: 'AWS::IAM::Role',
        line: at.startLine,
        props: map([entry('ManagedPolicyArns', { type: 'list', items: [scalar('arn:aws:iam::aws:policy/AmazonSageMakerFullAccess', at)], ...at })], at),
      });
    }
    return { props: map(out, at), extras };
  }

  private endpointConfig(p: Props<N>, at: At): Node {
    const out: MapEntry[] = [];
    this.copy(p, 'endpointconfigname', 'EndpointConfigName', out);
    this.copy(p, 'kmskey', 'KmsKeyId', out, (v) => this.ref(v, 'keyId'));
    const variants = p.get('productionvariants');
    if (variants) {
      const items = this.items(variants.value);
      const vat = this.at(variants.value);
      out.push(
        entry(
          'ProductionVariants',
          items
            ? {
                type: 'list',
                items: items.map((i) => {
                  const v = this.structProps(i);
                  const iat = this.at(i);
                  if (!v) return this.unknown(i);
                  const e: MapEntry[] = [];
                  const count = v.get('initialinstancecount');
                  // create-endpoint-config.ts: an instance count left out is 1.
                  e.push(entry('InitialInstanceCount', count ? this.syntax.value(count.value) : scalar(1, iat), count?.line ?? iat.startLine));
                  this.copy(v, 'instancetype', 'InstanceType', e, (v) => this.instanceType(v));
                  for (const [prop, pname] of [
                    ['modelname', 'ModelName'],
                    ['variantname', 'VariantName'],
                    ['initialvariantweight', 'InitialVariantWeight'],
                  ] as const) {
                    const given = v.get(prop);
                    if (given) e.push(entry(pname, this.syntax.value(given.value), given.line));
                  }
                  return map(e, iat);
                }),
                ...vat,
              }
            : this.unknown(variants.value),
          variants.line,
        ),
      );
    }
    this.copy(p, 'tags', 'Tags', out, (v) => this.unknown(v));
    return map(out, at);
  }

  /** `ec2.InstanceType("m5.xlarge")`, `ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.XLARGE)` as `ml.m5.xlarge`. */
  private instanceType(n: N): Node {
    const at = this.at(n);
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'ec2' && s.symbol.path[0] === 'InstanceType') {
      if (s.symbol.path.length === 1 && s.view.args[0]) {
        const v = this.syntax.value(s.view.args[0]);
        return v.type === 'scalar' && typeof v.value === 'string' ? scalar(`ml.${v.value}`, at) : v;
      }
      if (s.symbol.path.length === 2 && s.symbol.path[1] === 'of' && s.view.args.length === 2) {
        const cls = this.enumMember(s.view.args[0]!, 'ec2', 'InstanceClass');
        const size = this.enumMember(s.view.args[1]!, 'ec2', 'InstanceSize');
        const sizeName = size ? /^XLARGE(\d+)$/.exec(size) : null;
        const sizeText = size ? (sizeName ? `${sizeName[1]}xlarge` : size.toLowerCase()) : undefined;
        if (cls && /^[A-Z]+\d+[A-Z]*$/.test(cls) && sizeText) return scalar(`ml.${cls.toLowerCase()}.${sizeText}`, at);
      }
    }
    return this.unknown(n);
  }

  /** `tasks.DockerImage.from_registry("uri")` as the URI; an image from a repository or an asset unknown. */
  private dockerImage(n: N): Node {
    const s = this.symbol(n);
    if (s?.view.kind === 'call' && s.symbol.module === 'stepfunctionstasks' && s.symbol.path[0] === 'DockerImage' && s.symbol.path.length === 2 && normName(s.symbol.path[1]!) === 'fromregistry' && s.view.args[0]) {
      return this.syntax.value(s.view.args[0]);
    }
    return this.unknown(n);
  }

  // ---------------------------------------------------------------------------------------------
  // What methods of a construct change in what it synthesizes

  /**
   * A method called on a construct of kind `kind` whose resource's request is `props`: the simple
   * mutators that matter to the rules are read (`add_lifecycle_rule`, `add_to_resource_policy`,
   * `grant_public_access`, `add_to_policy` / `add_to_principal_policy`, `add_managed_policy`,
   * `add_statements`). `extra(suffix, type)` gives the props of a resource the construct makes
   * besides its own (the bucket's policy, the role's default policy), made on first use. Other
   * methods change nothing the rules read, or (`add_property_override` on an L2) nothing at all.
   */
  mutate(kind: L2Kind, props: Node, method: string, call: N, extra: (suffix: string, type: string, line: number) => MapNode): void {
    const v = this.syntax.view(call);
    if (v.kind !== 'call') return;
    const at = this.at(call);
    const m = normName(method);
    const first = v.args[0];
    const statements = (): Node[] => v.args.map((a) => this.statement(a));
    if (kind === 'bucket' && m === 'addlifecyclerule' && props.type === 'map') {
      // Python flattens the struct into keyword arguments; TypeScript passes an object.
      const rule = first ? this.lifecycleRule(first) : v.props ? this.lifecycleRuleOf(v.props, at) : this.unknown(call);
      appendTo(props, ['LifecycleConfiguration', 'Rules'], [rule], at);
    } else if (kind === 'bucket' && (m === 'addtoresourcepolicy' || m === 'grantpublicaccess')) {
      const policy = extra('Policy', 'AWS::S3::BucketPolicy', at.startLine);
      appendTo(policy, ['PolicyDocument', 'Statement'], m === 'grantpublicaccess' ? [publicStatement(at)] : statements(), at);
    } else if (kind === 'key' && m === 'addtoresourcepolicy' && props.type === 'map') {
      appendTo(props, ['KeyPolicy', 'Statement'], statements(), at);
    } else if (kind === 'role' && (m === 'addtopolicy' || m === 'addtoprincipalpolicy')) {
      const policy = extra('DefaultPolicy', 'AWS::IAM::Policy', at.startLine);
      appendTo(policy, ['PolicyDocument', 'Statement'], statements(), at);
    } else if (kind === 'role' && m === 'addmanagedpolicy' && props.type === 'map') {
      // TypeScript's `{ managedPolicyArn: '...' }` argument is read as the call's props.
      const arn = v.args.length === 0 ? v.props?.get('managedpolicyarn') : undefined;
      appendTo(props, ['ManagedPolicyArns'], arn ? [this.syntax.value(arn.value)] : v.args.map((a) => this.managedPolicyArn(a)), at);
    } else if ((kind === 'policy' || kind === 'managed-policy') && m === 'addstatements' && props.type === 'map') {
      appendTo(props, ['PolicyDocument', 'Statement'], statements(), at);
    }
  }

  /** A lifecycle rule from its props (Python's `add_lifecycle_rule(id=..., expiration=...)`). */
  private lifecycleRuleOf(p: Props<N>, at: At): Node {
    return this.lifecycleRuleFrom(p, at);
  }

  // ---------------------------------------------------------------------------------------------

  /** A member of a CDK enum as its CloudFormation value (the member's name, or `convert(name)`); a string as it is; the rest unknown. */
  private enumOrValue(n: N, module: string, enumName: string, convert: (s: string) => string = (s) => s): Node {
    const m = this.enumMember(n, module, enumName);
    if (m) return scalar(convert(m), this.at(n));
    const v = this.syntax.value(n);
    return v.type === 'scalar' && typeof v.value === 'string' ? v : this.unknown(n);
  }

  /** A construct's attribute (`key.key_arn`) or the construct itself where the L2 takes its ARN: set, value unknown. */
  private ref(n: N, attribute: string): Node {
    const v = this.syntax.value(n);
    if (v.type === 'symbolic' || (v.type === 'scalar' && typeof v.value === 'string')) return v.type === 'symbolic' ? { ...v, expr: `${v.expr} (${attribute})` } : v;
    return this.unknown(n);
  }

  /** The items of a list literal, or undefined. */
  private items(n: N): N[] | undefined {
    const v = this.syntax.view(n);
    return v.kind === 'list' ? v.items : undefined;
  }

  /** A struct's props, written as a dict/object literal or as a call of its class (`s3.LifecycleRule(...)`), or undefined. */
  structProps(n: N): Props<N> | undefined {
    const v = this.syntax.view(n);
    if (v.kind === 'struct') return propsOf(v.entries);
    if (v.kind === 'call' && v.args.length === 0 && v.props && symbolOf(v.chain, this.imports)) return v.props;
    return undefined;
  }
}

/**
 * Appends `items` to the list at `path` under `root`, making the maps and the list on the way; a
 * value on the way that is not a map (unknown) is left as it is.
 */
function appendTo(root: Node, path: string[], items: Node[], at: At): void {
  let node: Node = root;
  for (const [i, key] of path.entries()) {
    if (node.type !== 'map') return;
    let e = node.entries.find((x) => x.key === key);
    if (!e) {
      e = entry(key, i === path.length - 1 ? { type: 'list', items: [], ...at } : map([], at), at.startLine);
      node.entries.push(e);
    }
    if (i === path.length - 1) {
      if (e.value.type === 'list') e.value.items.push(...items);
      return;
    }
    node = e.value;
  }
}

/** `LOG_DELIVERY_WRITE` -> `LogDeliveryWrite`. */
const pascal = (s: string): string =>
  s
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

function publicStatement(at: At): Node {
  return map(
    [
      entry('Action', scalar('s3:GetObject', at)),
      entry('Effect', scalar('Allow', at)),
      entry('Principal', map([entry('AWS', scalar('*', at))], at)),
      entry('Resource', sym('bucket ARN/*', at)),
    ],
    at,
  );
}

export function policyProps(statements: Node[], at: At): MapNode {
  return map(
    [
      entry('Bucket', sym('the bucket', at)),
      entry('PolicyDocument', map([entry('Statement', { type: 'list', items: statements, ...at }), entry('Version', scalar('2012-10-17', at))], at)),
    ],
    at,
  );
}

/** logs.RetentionDays members (aws-logs/lib/log-group.ts). */
const RETENTION_DAYS: Readonly<Record<string, number>> = {
  ONE_DAY: 1,
  THREE_DAYS: 3,
  FIVE_DAYS: 5,
  ONE_WEEK: 7,
  TWO_WEEKS: 14,
  ONE_MONTH: 30,
  TWO_MONTHS: 60,
  THREE_MONTHS: 90,
  FOUR_MONTHS: 120,
  FIVE_MONTHS: 150,
  SIX_MONTHS: 180,
  ONE_YEAR: 365,
  THIRTEEN_MONTHS: 400,
  EIGHTEEN_MONTHS: 545,
  TWO_YEARS: 731,
  THREE_YEARS: 1096,
  FIVE_YEARS: 1827,
  SIX_YEARS: 2192,
  SEVEN_YEARS: 2557,
  EIGHT_YEARS: 2922,
  NINE_YEARS: 3288,
  TEN_YEARS: 3653,
};

/** codebuild.LinuxBuildImage members whose image id is fixed. */
const BUILD_IMAGES: Readonly<Record<string, string>> = {
  STANDARD_1_0: 'aws/codebuild/standard:1.0',
  STANDARD_2_0: 'aws/codebuild/standard:2.0',
  STANDARD_3_0: 'aws/codebuild/standard:3.0',
  STANDARD_4_0: 'aws/codebuild/standard:4.0',
  STANDARD_5_0: 'aws/codebuild/standard:5.0',
  STANDARD_6_0: 'aws/codebuild/standard:6.0',
  STANDARD_7_0: 'aws/codebuild/standard:7.0',
  AMAZON_LINUX_2: 'aws/codebuild/amazonlinux2-x86_64-standard:1.0',
  AMAZON_LINUX_2_2: 'aws/codebuild/amazonlinux2-x86_64-standard:2.0',
  AMAZON_LINUX_2_3: 'aws/codebuild/amazonlinux2-x86_64-standard:3.0',
  AMAZON_LINUX_2_4: 'aws/codebuild/amazonlinux2-x86_64-standard:4.0',
  AMAZON_LINUX_2_5: 'aws/codebuild/amazonlinux2-x86_64-standard:5.0',
  AMAZON_LINUX_2_ARM: 'aws/codebuild/amazonlinux2-aarch64-standard:1.0',
  AMAZON_LINUX_2_ARM_2: 'aws/codebuild/amazonlinux2-aarch64-standard:2.0',
  AMAZON_LINUX_2_ARM_3: 'aws/codebuild/amazonlinux2-aarch64-standard:3.0',
  UBUNTU_14_04_BASE: 'aws/codebuild/ubuntu-base:14.04',
};
