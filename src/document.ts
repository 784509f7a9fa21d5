/**
 * A parsed artifact as the rules see it: positioned nodes (1-based, inclusive lines), the targets
 * rules are evaluated against, and parse errors. Made by the format modules (src/formats/), read by
 * the rule engine. Re-exported by model.ts, where every module takes its types from.
 */
import type { Kind } from './vocabulary.js';

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
  /**
   * Where an attribute missing under a path of the node is reported (the longest prefix wins), when
   * that is not the target's first line: a pipeline step written in Python misses a job setting at
   * the estimator that builds its `Arguments`, which is where the setting would be added.
   */
  anchors?: Readonly<Record<string, number>>;
  /**
   * The target as it is in each combination of the conditions it holds (CloudFormation `Fn::If`
   * branches): a clause fails only when it fails in every one, and is unknown when they disagree.
   */
  variants?: Node[];
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
  /**
   * Documents of another kind that the file defines, on its own lines: the SageMaker pipeline a
   * Python file builds with `Pipeline(...)` is that pipeline's definition, so the rules of that kind
   * apply to it as they are. Evaluated with the file's document; suppressions and fixes are the file's.
   */
  embedded?: Document[];
  /** An embedded document's own lines and address (a document-level finding's anchor), when not the whole file's. */
  span?: Span & { address: string };
}

export interface ParseError {
  kind: Kind;
  path: string;
  line: number;
  message: string;
}

/** A target as the repository rules see it in an unchanged file: `resource_exists` reads no more. */
export interface ContextTarget {
  type: string;
  address: string;
}

/**
 * What a review remembers of an unchanged file read for the repository rules (parse-cache.ts): the
 * targets of its document as the kinds that read it parsed it (none: it is none of them), or the
 * resource types those kinds could hold that its text does not name (it was never parsed).
 */
export type ContextFact = { targets: ContextTarget[] } | { lacks: string[] };
