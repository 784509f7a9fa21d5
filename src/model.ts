/**
 * The shared types of ML Lens Reviewer. Every module imports its types from here, so the pipeline
 * (ChangeSet -> Document -> Evaluation -> Finding -> Review) has one vocabulary.
 */

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const PILLARS = [
  'operational-excellence',
  'security',
  'reliability',
  'performance-efficiency',
  'cost-optimization',
  'sustainability',
] as const;
export type Pillar = (typeof PILLARS)[number];

export const PHASES = [
  'business-goal',
  'problem-framing',
  'data-processing',
  'model-development',
  'deployment',
  'monitoring',
] as const;
export type Phase = (typeof PHASES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Scoring weights of DESIGN §5. */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1, info: 0 };

/** Higher is more severe; used to compare against gate thresholds. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export const KINDS = [
  'terraform',
  'cloudformation',
  'kubernetes',
  'kubeflow-pipeline', // KFP v2 IR (YAML) and Vertex AI PipelineJob JSON
  'argo-workflow', // Argo Workflow / WorkflowTemplate, including KFP v1 compiled pipelines
  'sagemaker-pipeline',
  'step-functions',
  'github-workflow',
  'gitlab-ci',
  'buildspec',
  'dvc',
  'dvc-params',
  'mlflow-project',
  'model-card', // Markdown model card (Hugging Face front matter + sections)
  'sagemaker-model-card',
  'mct-model-card', // Google Model Card Toolkit JSON
] as const;
export type Kind = (typeof KINDS)[number];

const KIND_PHRASES: Partial<Record<Kind, string>> = {
  terraform: 'a Terraform file',
  cloudformation: 'a CloudFormation template',
  'github-workflow': 'a GitHub workflow',
  'gitlab-ci': 'a GitLab CI pipeline',
  buildspec: 'a CodeBuild buildspec',
  dvc: 'a DVC pipeline',
  'mlflow-project': 'an MLflow project',
  'model-card': 'a model card',
  'step-functions': 'a Step Functions state machine',
};

/** The kind as a noun phrase for messages: `a Terraform file`, `a kubeflow-pipeline file`. */
export function kindPhrase(kind: Kind): string {
  return KIND_PHRASES[kind] ?? `a ${kind} file`;
}

// ---------------------------------------------------------------------------------------------
// Positioned documents
// ---------------------------------------------------------------------------------------------

/** Lines are 1-based and inclusive. */
export interface Span {
  startLine: number;
  endLine: number;
}

export type Scalar = string | number | boolean | null;

export interface ScalarNode extends Span {
  type: 'scalar';
  value: Scalar;
}

export interface MapEntry {
  key: string;
  keyLine: number;
  value: Node;
}

export interface MapNode extends Span {
  type: 'map';
  entries: MapEntry[];
}

export interface ListNode extends Span {
  type: 'list';
  items: Node[];
  /**
   * Set when the items exist only conditionally (a Terraform `dynamic` block, a `count`ed or
   * `for_each` block). A rule cannot know whether they are there at plan time.
   */
  conditional?: boolean;
}

/**
 * A value the file does not fix: a Terraform expression or reference, a CloudFormation intrinsic
 * (`!Ref`, `Fn::Sub`), a SageMaker pipeline `Get`, a templated placeholder. Never guessed: rules
 * treat it as unknown.
 */
export interface SymbolicNode extends Span {
  type: 'symbolic';
  /** The expression as written (source text, or a canonical rendering such as `!Ref Bucket`). */
  expr: string;
  /** Addresses the expression refers to (`var.env`, `aws_kms_key.ml`, `MyBucket`, `Parameters.X`). */
  refs: string[];
  /** For intrinsics in map form, the underlying structure (e.g. the arguments of `Fn::If`). */
  inner?: Node;
}

export type Node = ScalarNode | MapNode | ListNode | SymbolicNode;

/**
 * Something a rule is evaluated against: a resource (Terraform, CloudFormation, Kubernetes), a
 * pipeline step, a workflow job, a DVC stage, a model card. `type` is what rules match with
 * `resource:`; `address` is the stable logical name used in findings and fingerprints.
 */
export interface Target extends Span {
  type: string;
  name: string;
  address: string;
  node: Node;
}

export interface Document {
  kind: Kind;
  path: string;
  /** The whole file as a tree. Multi-document YAML is a list of the documents. */
  root: Node;
  targets: Target[];
  /** Number of lines in the file. */
  lines: number;
  /** Extra per-kind facts (for example a model card's section list, a Terraform module's locals). */
  meta?: Record<string, unknown>;
}

export interface ParseError {
  kind: Kind;
  path: string;
  line: number;
  message: string;
}

export interface FormatModule {
  kind: Kind;
  /**
   * The path pre-filter: whether a file at this path could be of this kind at all (`detect` is
   * never true where this is false). A file such a path names that cannot be read (too large,
   * binary) is listed as not reviewed, never passed over in silence.
   */
  accepts(path: string): boolean;
  /**
   * Whether the path alone makes the file this kind (`*.tf`, `.github/workflows/*.yml`,
   * `model_card.md`): such a file is always reviewed as this kind, and one that cannot be
   * (unreadable, unparseable, not of the kind's shape) can fail the gate (`gate.fail_on_unreviewed`).
   */
  claims(path: string): boolean;
  /**
   * Cheap recognition by path and content signature. `text` is the whole file; implementations
   * look at the path first and only peek into the text when the path allows the kind.
   */
  detect(path: string, text: string): boolean;
  /**
   * Parses a file `detect` accepted. Returns NotAnArtifact when the parsed structure shows the file
   * is not of this kind after all (the classifier then tries the next kind). With `expected`, the
   * file is known to be of this kind (its path claims it, or its other side was one), and a module
   * that can read a thin file of its kind (a model card cut down to a stub) does so.
   */
  parse(path: string, text: string, options?: ParseOptions): Document | ParseError | NotAnArtifact;
}

export interface ParseOptions {
  expected?: boolean;
}

/** What a format module says of a file its signature let through but its structure rules out. */
export interface NotAnArtifact {
  notArtifact: string;
}

// ---------------------------------------------------------------------------------------------
// Change sets
// ---------------------------------------------------------------------------------------------

export type FileStatus = 'added' | 'modified' | 'removed' | 'renamed' | 'unchanged';

export interface FileChange {
  /** Path on the head side (for a removed file: its path on the base side). */
  path: string;
  /** Path on the base side when the file was renamed. */
  previousPath?: string;
  status: FileStatus;
  /** Head text; null when the file is removed or was not read. */
  head: string | null;
  /** Base text; null when the file is added or was not read. */
  base: string | null;
  /** Unified diff of the file, when the source has it (used to place inline comments). */
  patch?: string;
  /** Set when the source did not read the file (binary, oversized, generated, over the cap). */
  skipped?: string;
}

export interface ChangeSet {
  files: FileChange[];
  /** Every path in the head tree, for repository-level rules. */
  tree: string[];
  /**
   * Unchanged files that repository-level rules may look into (for example to find a monitoring
   * schedule defined elsewhere). `contextComplete` says whether every artifact of the head tree is
   * among `files` + `context`; when it is not, a repository rule that finds nothing is unknown.
   */
  context: { path: string; text: string }[];
  contextComplete: boolean;
  /** Where the change came from, for reports. */
  meta: { source: 'git' | 'dir' | 'github'; base?: string; head?: string; title?: string };
  /** Files the source reported but could not include (over GitHub's 3000-file cap, etc.). */
  truncated?: number;
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

export type Outcome = 'pass' | 'fail' | 'unknown';

/**
 * The closed predicate language of DESIGN §4. Paths are dotted, with `[*]` or `[n]` for lists and
 * `[*]` for map values; one `**` stands for any depth of objects; a path may start at `$document`
 * (the document's root), `$parent` (the enclosing target) or be `$name` (the target's name, or an
 * item's map key inside `each`/`count`). See src/rules/paths.ts.
 */
export type Predicate =
  | { present: string }
  | { absent: string }
  | { equals: { path: string; value: Scalar; default?: Scalar } }
  | { one_of: { path: string; values: Scalar[]; default?: Scalar } }
  | { matches: { path: string; pattern: string; default?: string } }
  | { greater_than: { path: string; value: number; default?: number } }
  | { less_than: { path: string; value: number; default?: number } }
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate }
  | { each: { path: string; require: Predicate } }
  | { count: { path: string; where?: Predicate; min?: number; max?: number } }
  // repository level
  | { tree_has: string | string[] }
  | { resource_exists: string | string[] };

export interface MatchClause {
  kind: Kind | 'repository';
  /** Target types this clause applies to; absent means the document itself. */
  resource?: string[];
  /** Only targets for which this holds are evaluated (unknown: not evaluated). */
  where?: Predicate;
  require: Predicate;
  /** How an unknown outcome counts; default `pass` (the bot does not shout about what it cannot know). */
  unknown?: 'pass' | 'fail';
  /**
   * Repository clauses without `resource`: the target types the finding is anchored on (the first
   * such target in the changed documents). The clause applies only to changes that touch one.
   * Without it, the finding is anchored on line 1 of the first changed document.
   */
  anchor?: string[];
}

export interface RuleFix {
  /** Per kind: a line to insert at the top of the target's body. `<...>` marks a value to choose. */
  [kind: string]: { insert_attribute?: string; insert_property?: string };
}

export interface Rule {
  id: string;
  title: string;
  /** ML Lens 2025 IDs (2023 aliases are translated at load time). */
  practices: string[];
  pillar: Pillar;
  phase: Phase;
  severity: Severity;
  match: MatchClause[];
  message: string;
  remediation: string;
  fix?: RuleFix;
  examples: { pass: RuleExample[]; fail: RuleExample[] };
  /** Free-form documentation, e.g. where our verdict differs from the API default. */
  notes?: string;
  /** File the rule was loaded from. */
  source: string;
}

export interface RuleExample {
  /** Path the example is parsed as (decides its kind), e.g. `main.tf`. */
  path: string;
  content: string;
}

export interface Catalogue {
  rules: Rule[];
  byId: Map<string, Rule>;
}

// ---------------------------------------------------------------------------------------------
// Evaluations, findings, review
// ---------------------------------------------------------------------------------------------

/** One rule applied to one target. */
export interface Evaluation {
  rule: Rule;
  path: string;
  address: string;
  outcome: Outcome;
  /** For a failure: the property path at fault and the lines to anchor on. */
  attribute?: string;
  startLine: number;
  endLine: number;
  /** Lines of the whole target (a resource block, a step), for suppressions and fixes. */
  targetSpan?: Span;
  /** Type of the target (`aws_sagemaker_model`, `Training`, `job` ...), for messages. */
  targetType?: string;
  /** The value found, rendered short, for messages. */
  actual?: string;
  /** True when the failure is an attribute that is absent (a fix may insert it). */
  missing?: boolean;
  /** Name of the target (`main`, the step name ...), for messages. */
  targetName?: string;
  /**
   * The rule could not decide (a symbolic value, a conditional block, an incomplete repository
   * context); `outcome` is then what the clause's `unknown` setting maps it to (default pass).
   */
  uncertain?: boolean;
}

export type FindingStatus = 'new' | 'existing' | 'suppressed';

export interface Suppression {
  source: 'inline' | 'config';
  reason: string;
  until?: string;
  /** Line of the inline comment. */
  line?: number;
}

export interface Finding {
  rule: string;
  title: string;
  practices: string[];
  pillar: Pillar;
  phase: Phase;
  severity: Severity;
  status: FindingStatus;
  path: string;
  startLine: number;
  endLine: number;
  address: string;
  attribute: string | null;
  message: string;
  remediation: string;
  fingerprint: string;
  suppression?: Suppression;
  /** A suggestion GitHub can commit: replace lines [startLine, endLine] with `replacement`. */
  fix?: { startLine: number; endLine: number; replacement: string; choose: boolean };
}

export interface PillarScore {
  head: number | null;
  base: number | null;
  delta: number | null;
}

export type Conclusion = 'success' | 'neutral' | 'failure';

/** An inline suppression that did not apply: expired, missing its reason, or naming no rule. */
export interface SuppressionProblem {
  path: string;
  line: number;
  rule: string | null;
  problem: 'expired' | 'no-reason' | 'unknown-rule' | 'bad-date';
  message: string;
}

/**
 * A changed file that looks like an artifact (its path is one an artifact kind reads) but was not
 * reviewed: too large, binary, undecodable, unparseable, over the time budget, a symbolic link...
 */
export interface NotReviewed {
  path: string;
  reason: string;
  /** The kind whose path pattern claims the file (then `gate.fail_on_unreviewed` fails the gate). */
  claimedBy?: Kind;
}

export interface Review {
  /** Version of the tool that made the review. */
  version: string;
  gate: { conclusion: Conclusion; reasons: string[] };
  scores: Record<Pillar, PillarScore>;
  findings: Finding[];
  /** Lifecycle phases the change touches (phases of rules evaluated on changed documents). */
  phases: Phase[];
  suppressionProblems: SuppressionProblem[];
  stats: {
    files: number;
    artifacts: number;
    byKind: Partial<Record<Kind, number>>;
    parseErrors: number;
    suppressed: number;
    evaluations: number;
    truncated: number;
    /** Changed files that look like artifacts but were not reviewed, by path, with the reason. */
    notReviewed: NotReviewed[];
    /** Findings left out of `findings` by the caps (`limits`), per path; counted, never hidden. */
    folded: { total: number; byPath: { path: string; count: number }[] };
  };
  meta: ChangeSet['meta'];
}
