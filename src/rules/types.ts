/**
 * The rule language and what it yields: predicates, match clauses, rules with their fixes and
 * examples, the catalogue, and an evaluation (one rule applied to one target). Re-exported by
 * model.ts, where every module takes its types from.
 */
import type { Scalar, Span } from '../document.js';
import type { Environment, Kind, Phase, Pillar, Severity } from '../vocabulary.js';

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
  | { equals: { path: string; value: Scalar; default?: Scalar | undefined } }
  | { one_of: { path: string; values: Scalar[]; default?: Scalar | undefined } }
  | { matches: { path: string; pattern: string; default?: string | undefined } }
  | { greater_than: { path: string; value: number; default?: number | undefined } }
  | { less_than: { path: string; value: number; default?: number | undefined } }
  /**
   * The value at `path` holds a credential (src/redact.ts), read as assigned to a key: the scalar at
   * `key` (a path from the same node: `$name`, `name`), else the map key the value sits under (for
   * `.`, the item's `$name`). Written `credential: <path>` or `credential: {path, key}`.
   */
  | { credential: { path: string; key?: string | undefined } }
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

/** What a rule's `fix` asks for one kind: a line to insert into the target. */
export interface FixSpec {
  insert_attribute?: string | undefined;
  insert_property?: string | undefined;
  /** Python: the value of the keyword argument that sets the missing path (`True`, `"<your-kms-key-arn>"`). */
  insert_argument?: string | undefined;
}

export interface RuleFix {
  /** Per kind: a line to insert at the top of the target's body. `<...>` marks a value to choose. */
  [kind: string]: FixSpec;
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
  /**
   * Rules that say the same thing about a target from another angle (a model's VPC and its network
   * isolation): their findings on one target are reported as one (src/report-items.ts). Symmetric:
   * the catalogue completes the relation both ways.
   */
  related?: string[];
  /**
   * The environments the rule applies in (src/environments.ts decides a target's); absent: all. A
   * target in another environment is not evaluated: no finding, not scored.
   */
  environments?: Environment[];
  /**
   * What the rule says on a target the review's ML workload does not use (a bucket of thumbnails
   * beside the training data; src/ml-usage.ts decides, for S3 bucket targets): this message, and
   * this remediation when given, one severity lower (review.ts, through appliedRule). For rules whose
   * `message` speaks of datasets and models, on resources that need not hold them.
   */
  generic?: { message: string; remediation?: string };
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
  /**
   * The target is one the rule's `generic` wording is for: an S3 bucket the ML workload of the
   * review does not use (set by review.ts from src/ml-usage.ts, only on rules that have one).
   */
  generic?: boolean;
}
