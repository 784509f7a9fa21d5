/**
 * Whether the ML workload of a review uses an S3 bucket: the buckets it does not use (thumbnails, a
 * website, Terraform state) get a rule's generic wording, one severity lower (Rule.generic), instead
 * of being told about "datasets and models". Pure: it reads one side's documents and texts only.
 *
 * A bucket target is an `aws_s3_bucket` or `AWS::S3::Bucket`, or a resource of one bucket
 * (`aws_s3_bucket_versioning`, `aws_s3_bucket_policy` ..., `AWS::S3::BucketPolicy`), which is
 * judged as the bucket it names. The ML workload uses a bucket when, in this order:
 *
 * 1. Something ML refers to it: an ML resource (a SageMaker, Bedrock or Glue resource, an ML
 *    operator's Kubernetes kind, or any resource, state or job whose values name SageMaker, Bedrock
 *    or Glue: an execution role's policy, a state machine's SageMaker task) refers to it by
 *    address (`aws_s3_bucket.x` in the same Terraform directory, `!Ref`/`!GetAtt`/`!Sub` of its
 *    logical id in the same template), or its literal name is in an `s3://` URI, an S3 ARN or a
 *    bucket field of such a resource or of an ML document (a SageMaker pipeline, SDK or boto3 code,
 *    KFP, Argo, Airflow, MLflow, DVC, a model card), whose whole text is searched.
 * 2. It is named or tagged for ML: a word such as data, dataset, training, features, model,
 *    artifacts, ml, sagemaker, mlflow, inference or labels in its name, resource name or logical id,
 *    or tag values, or an ML service (sagemaker, mlflow, ml, mlops) in a tag key. Whole words only
 *    (`modeling-docs` and `metadata` are not ML); keys alone are not searched for data words, since
 *    a `DataClassification` tag is on every bucket.
 * 3. It says nothing of what it is for (its name is a variable or made by CloudFormation, its
 *    resource name is `this`, `main` or `Bucket`) and the review holds anything ML: a module's or an
 *    anonymous bucket in an ML stack keeps the full severity, since it cannot be told apart.
 *
 * Otherwise (its name or resource name says what it is for, without saying ML, and nothing ML in
 * the review refers to it) it is not used by the ML workload. Only the change's documents are read:
 * a bucket that an unchanged file refers to is judged on its name alone, and references made
 * through a Terraform module's outputs or a CDK construct's variables are not followed.
 */
import type { Document, Node, Target } from './model.js';
import { get, items, str } from './formats/tree.js';

/** For each target of a side: whether the ML workload uses it; undefined when it is not a bucket target. */
export type MlUsage = (path: string, address: string) => boolean | undefined;

type At = { doc: Document; target: Target };
/**
 * A side's targets by path and address, and its buckets by name and by how they are referred to
 * (each looked up once a target, so a stack of thousands of buckets is read in linear time).
 */
interface Index {
  byPath: Map<string, Map<string, At>>;
  bucketsByName: Map<string, At>;
  bucketsByKey: Map<string, At>;
}

/** Targets that are a bucket. */
const BUCKET_TYPES: ReadonlySet<string> = new Set(['aws_s3_bucket', 'AWS::S3::Bucket']);
/** Targets that are a resource of one bucket, named in their `bucket` / `Properties.Bucket`. */
const OF_BUCKET = /^aws_s3_bucket_[a-z0-9_]+$|^AWS::S3::BucketPolicy$/;

/** Whether the usage of targets of this type is decided here (a rule's generic wording can apply to them). */
export function decidesUsage(type: string): boolean {
  return BUCKET_TYPES.has(type) || OF_BUCKET.test(type);
}

/** Kinds whose documents are ML as a whole: pipelines, ML code, experiment and data tracking, model cards. */
const ML_KINDS: ReadonlySet<string> = new Set([
  'sagemaker-pipeline',
  'sagemaker-python',
  'kubeflow-pipeline',
  'argo-workflow',
  'kfp-vertex-python',
  'airflow-dag',
  'mlflow-project',
  'dvc',
  'dvc-params',
  'model-card',
  'sagemaker-model-card',
  'mct-model-card',
]);

/** Resource types of ML services (Terraform, CloudFormation and CDK), and the ML operators' Kubernetes kinds. */
const ML_TYPE = /sagemaker|bedrock|glue|^(InferenceService|SeldonDeployment|PyTorchJob|TFJob|MPIJob|XGBoostJob|PaddleJob|TrainJob|RayCluster|RayJob|RayService)$/i;
/** A value naming an ML service: a service principal, an action, a task's ARN, a reference to such a resource. */
const ML_SERVICE = /sagemaker|bedrock|glue/i;

/** Words that name ML data or ML tooling, matched on whole words of a name (see words()). */
const ML_WORDS =
  /(?:^|-)(?:data|datasets?|train|training|features?|feature-store|featurestore|models?|artifacts?|ml|mlops|ml-ops|sagemaker|sage-maker|mlflow|ml-flow|inference|labels?|checkpoints?|embeddings?)(?=-|$)/;
/** In tag keys, only ML services and projects count: generic keys (`DataClassification`) are on every bucket. */
const ML_TAG_KEY = /(?:^|-)(?:ml|mlops|ml-ops|sagemaker|sage-maker|mlflow|ml-flow)(?=-|$)/;
/** Words of a bucket's name that say nothing of what it is for. */
const NO_PURPOSE: ReadonlySet<string> = new Set(['bucket', 'buckets', 's3', 'this', 'main', 'default', 'my', 'primary', 'the', 'aws']);

/** Bucket names in S3 URIs and S3 ARNs. */
const S3_NAME = /(?:s3:\/\/|arn:aws[a-z-]*:s3:::)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?![a-z0-9.-])/g;
/** A bucket name given to a bucket field in code or configuration: `Bucket="x"`, `default_bucket: x`, `"BucketName": "x"`. */
const BUCKET_FIELD = /bucket(?:_?name)?["']?\s*[=:]\s*["']([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])["']/gi;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** What the side's ML documents and resources refer to. */
interface Evidence {
  /** Bucket keys (see Bucket.key) referred to by address. */
  refs: Set<string>;
  /** Literal bucket names. */
  names: Set<string>;
  /** Whether the side holds anything ML at all. */
  any: boolean;
}

/** A bucket as far as this side tells. */
interface Bucket {
  /** How ML resources refer to it: its Terraform address in its directory, its logical id in its template. */
  key?: string;
  /** Its name, when the file fixes it. */
  name?: string;
  /** What names it: the literal parts of its name, its resource name or logical id. */
  labels: string[];
  /** Its tags, when the file fixes them (`tags = {...}`, `Properties.Tags`). */
  tagKeys: string[];
  tagValues: string[];
}

/**
 * The ML usage of a side's bucket targets, from its documents (embedded ones included) and texts.
 * The evidence is gathered once, on the first question.
 */
export function mlUsage(documents: readonly Document[], texts: ReadonlyMap<string, string> = new Map()): MlUsage {
  let index: Index | undefined;
  let evidence: Evidence | undefined;
  // Every rule with generic wording asks about the same targets: each is decided once.
  const decided = new Map<string, boolean | undefined>();
  return (path, address) => {
    const k = `${path}\0${address}`;
    if (decided.has(k)) return decided.get(k);
    index ??= targetIndex(documents);
    const at = index.byPath.get(path)?.get(address);
    let used: boolean | undefined;
    if (at && decidesUsage(at.target.type)) {
      evidence ??= gather(documents, texts);
      used = usedByMl(bucketOf(at.doc, at.target, index), evidence);
    }
    decided.set(k, used);
    return used;
  };
}

/** Rules 1 to 3 of the module comment. */
function usedByMl(b: Bucket, ev: Evidence): boolean {
  if (b.key !== undefined && ev.refs.has(b.key)) return true;
  if (b.name !== undefined && ev.names.has(b.name.toLowerCase())) return true;
  if ([...b.labels, ...b.tagValues].some((t) => words(t).some((w) => ML_WORDS.test(w)))) return true;
  if (b.tagKeys.some((t) => words(t).some((w) => ML_TAG_KEY.test(w)))) return true;
  return !b.labels.some(saysPurpose) && ev.any;
}

/** Whether a label has a word, other than `bucket`, `this` and the like or a number, that says what the bucket is for. */
function saysPurpose(label: string): boolean {
  return words(label)[1]!
    .split('-')
    .map((w) => w.replace(/\d+$/, ''))
    .some((w) => w.length > 1 && !NO_PURPOSE.has(w));
}

// ---------------------------------------------------------------------------------------------
// The bucket of a target
// ---------------------------------------------------------------------------------------------

function targetIndex(documents: readonly Document[]): Index {
  const out: Index = { byPath: new Map(), bucketsByName: new Map(), bucketsByKey: new Map() };
  for (const doc of withEmbedded(documents)) {
    let byAddress = out.byPath.get(doc.path);
    if (!byAddress) out.byPath.set(doc.path, (byAddress = new Map()));
    for (const target of doc.targets) {
      if (!byAddress.has(target.address)) byAddress.set(target.address, { doc, target });
      if (!BUCKET_TYPES.has(target.type)) continue;
      // The first of a name or key wins, as a walk in document order would find it.
      const name = str(get(fields(target), 'bucket') ?? get(fields(target), 'BucketName'));
      if (name !== undefined && !out.bucketsByName.has(name)) out.bucketsByName.set(name, { doc, target });
      const key = bucketKey(doc, target);
      if (!out.bucketsByKey.has(key)) out.bucketsByKey.set(key, { doc, target });
    }
  }
  return out;
}

/** Terraform refers across the files of a module (a directory); a template only within itself. */
function scopeOf(doc: Document): string {
  return doc.kind === 'terraform' ? doc.path.slice(0, doc.path.lastIndexOf('/') + 1) : doc.path;
}

function keyOf(doc: Document, ref: string): string {
  return `${scopeOf(doc)}\0${ref}`;
}

/** How a bucket is referred to: `aws_s3_bucket.<name>` in Terraform, its logical id (construct id) elsewhere. */
function bucketKey(doc: Document, target: Target): string {
  return keyOf(doc, doc.kind === 'terraform' ? `${target.type}.${target.name}` : target.name);
}

/** A CloudFormation resource (or CDK construct) keeps its settings under Properties; Terraform at the top. */
function fields(target: Target): Node | undefined {
  return get(target.node, 'Properties') ?? target.node;
}

function bucketOf(doc: Document, target: Target, index: Index): Bucket {
  const f = fields(target);
  if (BUCKET_TYPES.has(target.type)) {
    const nameNode = get(f, 'bucket') ?? get(f, 'BucketName');
    const bucket: Bucket = { key: bucketKey(doc, target), labels: [target.name], ...tagsOf(get(f, 'tags') ?? get(f, 'Tags')) };
    const name = str(nameNode);
    if (name !== undefined) bucket.name = name;
    const named = nameNode ?? get(f, 'bucket_prefix');
    if (named) bucket.labels.push(literalText(named));
    return bucket;
  }
  // A resource of one bucket: the bucket it names, as this side has it, else what the reference tells.
  const named = get(f, 'bucket') ?? get(f, 'Bucket');
  const name = str(named);
  if (name !== undefined) {
    // Bucket names are global: any bucket of the side with that name is the one.
    const found = index.bucketsByName.get(name);
    return found ? bucketOf(found.doc, found.target, index) : { name, labels: [name], tagKeys: [], tagValues: [] };
  }
  const ref = named?.type === 'symbolic' ? (doc.kind === 'terraform' ? named.refs.find((r) => r.startsWith('aws_s3_bucket.')) : named.refs[0]) : undefined;
  if (ref === undefined) return { labels: [], tagKeys: [], tagValues: [] };
  const key = keyOf(doc, ref);
  const found = index.bucketsByKey.get(key);
  return found ? bucketOf(found.doc, found.target, index) : { key, labels: [ref.slice(ref.lastIndexOf('.') + 1)], tagKeys: [], tagValues: [] };
}

/** Tags as a Terraform map or a CloudFormation list of Key/Value. */
function tagsOf(tags: Node | undefined): { tagKeys: string[]; tagValues: string[] } {
  const out = { tagKeys: [] as string[], tagValues: [] as string[] };
  const add = (k: string | undefined, v: string | undefined) => {
    if (k !== undefined) out.tagKeys.push(k);
    if (v !== undefined) out.tagValues.push(v);
  };
  if (tags?.type === 'map') for (const e of tags.entries) add(e.key, str(e.value));
  for (const t of items(tags)) add(str(get(t, 'Key')), str(get(t, 'Value')));
  return out;
}

/**
 * The text a name value fixes: a literal, or the literal parts of a template (`"${var.env}-assets"`,
 * `!Sub ${AWS::StackName}-assets`, `!Join`, an f-string); nothing for a plain reference.
 */
function literalText(n: Node): string {
  if (n.type === 'scalar') return typeof n.value === 'string' ? n.value : '';
  if (n.type !== 'symbolic') return '';
  const holes = /\$?\{[^}]*\}/g;
  if (/^f?["']/.test(n.expr)) return n.expr.replace(holes, ' ').replace(/^f?["']|["']$/g, '');
  if (n.expr.startsWith('!Sub ')) return (str(n.inner) ?? str(items(n.inner)[0]) ?? '').replace(holes, ' ');
  if (n.expr.startsWith('!Join ')) return items(items(n.inner)[1]).map((p) => str(p) ?? ' ').join(str(items(n.inner)[0]) ?? '-');
  return '';
}

/**
 * The words of a name, lower-case and joined by `-`, in two spellings: split at every non-letter-or-digit
 * (`mlflow-runs`), and also at camel case (`SageMakerProject` is `sage-maker-project`).
 */
function words(text: string): string[] {
  const plain = text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).join('-');
  const camel = text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .join('-');
  return [plain, camel];
}

// ---------------------------------------------------------------------------------------------
// What the ML side of the review refers to
// ---------------------------------------------------------------------------------------------

function withEmbedded(documents: readonly Document[]): Document[] {
  return documents.flatMap((d) => (d.embedded ? [d, ...d.embedded] : [d]));
}

function gather(documents: readonly Document[], texts: ReadonlyMap<string, string>): Evidence {
  const ev: Evidence = { refs: new Set(), names: new Set(), any: false };
  for (const doc of withEmbedded(documents)) {
    if (ML_KINDS.has(doc.kind)) {
      ev.any = true;
      collect(doc, doc.root, ev);
      for (const t of doc.targets) collect(doc, t.node, ev);
      // Code passes URIs the reader does not map (`estimator.fit("s3://...")`): the whole file counts.
      const text = texts.get(doc.path);
      if (text !== undefined) namesIn(text, ev.names);
      continue;
    }
    for (const t of doc.targets) {
      if (!ML_TYPE.test(t.type) && !mentionsMlService(t.node)) continue;
      ev.any = true;
      collect(doc, t.node, ev);
    }
  }
  return ev;
}

/** Every string of a node: scalars, and the expressions of symbolic values with what they wrap. */
function* valuesOf(node: Node): Generator<{ text: string; key?: string } | { refs: string[] }> {
  const stack: { n: Node; key?: string }[] = [{ n: node }];
  while (stack.length) {
    const { n, key } = stack.pop()!;
    if (n.type === 'scalar') {
      if (typeof n.value === 'string') yield key === undefined ? { text: n.value } : { text: n.value, key };
    } else if (n.type === 'symbolic') {
      yield { text: n.expr };
      yield { refs: n.refs };
      if (n.inner) stack.push({ n: n.inner });
    } else if (n.type === 'map') for (const e of n.entries) stack.push({ n: e.value, key: e.key });
    else for (const i of n.items) stack.push({ n: i });
  }
}

function mentionsMlService(node: Node): boolean {
  for (const v of valuesOf(node)) if ('text' in v && ML_SERVICE.test(v.text)) return true;
  return false;
}

function collect(doc: Document, node: Node, ev: Evidence): void {
  for (const v of valuesOf(node)) {
    if ('refs' in v) for (const r of v.refs) ev.refs.add(keyOf(doc, r));
    else {
      namesIn(v.text, ev.names);
      if (v.key !== undefined && /bucket/i.test(v.key) && BUCKET_NAME.test(v.text)) ev.names.add(v.text);
    }
  }
}

function namesIn(text: string, names: Set<string>): void {
  for (const m of text.matchAll(S3_NAME)) names.add(m[1]!);
  for (const m of text.matchAll(BUCKET_FIELD)) names.add(m[1]!.toLowerCase());
}
