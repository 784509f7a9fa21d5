/**
 * What the module of an artifact kind (src/formats/) provides: the FormatModule interface and the
 * types of its answers. Re-exported by model.ts, where every module takes its types from.
 */
import type { Document, ParseError } from '../document.js';
import type { Evaluation, FixSpec } from '../rules/types.js';
import type { Kind } from '../vocabulary.js';

/** The comment syntax of a kind's files, for inline suppressions (comments.ts). */
export type CommentSyntax = 'hcl' | 'yaml' | 'markdown' | 'python' | 'typescript' | 'none';

/** Where a fix goes: `text` inserted below line `line` (which the suggestion repeats). */
export interface FixInsertion {
  line: number;
  text: string;
}

/**
 * Everything the reviewer knows of one artifact kind, in one module (src/formats/): adding a kind
 * is adding a module and registering it in formats/index.ts. test/formats/format-facts.test.ts
 * fails when a kind lacks one of these facts.
 */
export interface FormatModule {
  kind: Kind;
  /** The kind as a noun phrase for messages: `a Terraform file`. */
  phrase: string;
  /** How findings name a target of this kind (their `address`, part of the fingerprint), for the docs. */
  address: string;
  /** The address of a finding about the whole document (a clause without `resource:`): `template`, `workflow`. */
  documentAddress: string;
  /**
   * The comments its inline suppressions are read from; `none` for JSON kinds, which have none. A
   * kind read from files of two languages (Airflow DAGs in Python and in dag-factory YAML) says it
   * by path.
   */
  comments: CommentSyntax | ((path: string) => CommentSyntax);
  /**
   * Whether documents of this kind can hold targets of a resource type. Repository rules'
   * `resource_exists` read the unchanged files of such kinds as context; a kind answering false for
   * every type is never read as context.
   */
  holds(type: string): boolean;
  /**
   * false: files of this kind are not read as context even when they hold a type a rule looks for
   * (a CDK stack is any `.py` or `.ts` file: reading every source file of a repository costs too
   * much). A change with a document of such a kind, in a tree with other files it could read, has
   * an incomplete context: "nothing found" is then unknown (context-index.ts).
   */
  context?: false;
  /**
   * For a kind not read as context: the file that marks the root of a project of its files (a CDK
   * app's `cdk.json`). Under such a root, unchanged files of the kind may hold what a rule looks
   * for, whatever the change touches.
   */
  root?: string;
  /**
   * Where a rule's fix for this kind inserts its line into a failing target, or undefined when it
   * cannot be placed safely; null: the kind takes no fixes. The shared checks (line length,
   * indentation) are fixes.ts's.
   */
  fix: ((spec: FixSpec, ev: Evaluation, doc: Document, lines: readonly string[]) => FixInsertion | undefined) | null;
  /**
   * The clauses of other kinds its targets answer, and under which key of the target: a boto3
   * `create_endpoint_config` call is the request a CloudFormation `AWS::SageMaker::EndpointConfig`
   * holds under `Properties`, so those rules apply to it as they are, where they read nothing else
   * (rules/clause-paths.ts). Most kinds answer none.
   */
  answers: readonly { kind: Kind; under: string }[];
  /**
   * The code SDKs its documents read (ids of formats/unread.ts): a file it reads that also uses
   * another SDK is still listed as not reviewed for that one. Kinds that read no code: none.
   */
  code: readonly string[];
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
  /**
   * The text of another file of the review on the same side, for a reader that follows imports
   * (a Python constant imported from a module the same change touches); undefined otherwise.
   */
  modules?: ((path: string) => string | undefined) | undefined;
}

/** What a format module says of a file its signature let through but its structure rules out. */
export interface NotAnArtifact {
  notArtifact: string;
  /**
   * Code read that holds nothing the reviewer maps but uses what it does not read (an AutoML job,
   * an L2 CDK construct): what, so the file is listed as not reviewed rather than passed over.
   */
  unread?: string;
}
