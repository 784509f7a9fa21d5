/**
 * The shared types of ML Lens Reviewer. Every module imports its types from here, so the pipeline
 * (ChangeSet -> Document -> Evaluation -> Finding -> Review) has one vocabulary.
 *
 * The vocabulary (vocabulary.ts), parsed documents (document.ts), format modules
 * (formats/module.ts) and rules (rules/types.ts) are defined in files of their own, which import
 * nothing from here, and re-exported here.
 */
import type { ContextFact } from './document.js';
import type { Kind, Phase, Pillar, Severity } from './vocabulary.js';

export { ENVIRONMENTS, KINDS, PHASES, PILLARS, SEVERITIES, SEVERITY_RANK, SEVERITY_WEIGHT } from './vocabulary.js';
export type { Environment, Kind, Phase, Pillar, Severity } from './vocabulary.js';
export type { ContextFact, ContextTarget, Document, ListNode, MapEntry, MapNode, Node, ParseError, Scalar, ScalarNode, Span, SymbolicNode, Target } from './document.js';
export type { CommentSyntax, FixInsertion, FormatModule, NotAnArtifact, ParseOptions } from './formats/module.js';
export type { Catalogue, Evaluation, FixSpec, MatchClause, Outcome, Predicate, Rule, RuleExample, RuleFix } from './rules/types.js';

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
  /**
   * Every path of the head tree and of the base tree, for repository-level rules: each side is
   * evaluated against its own tree, so a finding about the whole repository is `new` only when the
   * base did not have it (sources/context.ts derives the base tree from the head's and the change).
   */
  trees: { head: readonly string[]; base: readonly string[] };
  /**
   * Unchanged files that repository-level rules may look into (for example to find a monitoring
   * schedule defined elsewhere), chosen by the plan (sources/context.ts): only files of the kinds
   * those rules read. Unchanged files are the same on both sides, so both sides read them.
   */
  context: {
    /** The kinds the files were chosen for; a review whose rules read another kind has an incomplete context. */
    kinds: readonly Kind[];
    /** `blob`: the file's blob id, when the source knows it (the review then says what it learnt of the file: parse-cache.ts). */
    files: { path: string; text: string; blob?: string }[];
    /**
     * Unchanged files the source did not read because an earlier review remembered what matters of
     * them (parse-cache.ts): their document, or the types their text does not name.
     */
    known?: { path: string; fact: ContextFact }[];
    /** Whether every unchanged file of those kinds is among `files`; if not, a repository rule that finds nothing is unknown. */
    complete: boolean;
  };
  /** Where the change came from, for reports. */
  meta: { source: 'git' | 'dir' | 'github'; base?: string; head?: string; title?: string };
  /** Files the source reported but could not include (over GitHub's 3000-file cap, etc.). */
  truncated?: number;
  /**
   * The head's `.gitattributes` files that bear on the changed files (the top one, and those of
   * folders above a changed file), by repository path; `under` is where the change set's paths
   * start in the repository when not at its top (a scan of a subfolder). What they mark
   * `linguist-generated` or `linguist-vendored` is left out by default (src/generated.ts).
   */
  attributes?: { files: { path: string; text: string }[]; under?: string };
  /** The paths a scan was given, relative to its root: a folder they name does not leave out what is inside (src/generated.ts). */
  scanned?: string[];
}

// ---------------------------------------------------------------------------------------------
// Findings, review
// ---------------------------------------------------------------------------------------------

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
  /** Rules whose findings on the same target are reported with this one (the rule's `related`). */
  related?: string[];
  /**
   * The fingerprint the finding had before its file was renamed by the change: tracking issues and
   * inline comments made under it are the same risk's, moved (the fingerprint hashes the path).
   */
  previousFingerprint?: string;
  /** A suggestion GitHub can commit: replace lines [startLine, endLine] with `replacement`. */
  fix?: { startLine: number; endLine: number; replacement: string; choose: boolean };
}

/**
 * A finding the base had that the head does not: the change fixed it, or removed what it was on (a
 * deleted stack). Reported so that a change that makes things better says so; never counted by the
 * gate. Its lines are the base's; its path is the head's for a renamed file.
 */
export type FixedFinding = Omit<Finding, 'status'> & { status: 'fixed' };

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
  /** Left out by default (test data, vendored, generated: src/generated.ts): listed, but no reason for a neutral gate. */
  excluded?: true;
}

export interface Review {
  /** Version of the tool that made the review. */
  version: string;
  gate: { conclusion: Conclusion; reasons: string[] };
  scores: Record<Pillar, PillarScore>;
  /** Weighted mean of the assessed pillars (`pillars.<pillar>.weight`), head and base. */
  overall: PillarScore;
  findings: Finding[];
  /** Findings of the base the change removed, by path and line (none when absent). */
  fixed?: FixedFinding[];
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
