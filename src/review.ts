/**
 * The pipeline as one pure function: (ChangeSet, ReviewPlan) -> Review. No network, no
 * environment, no configuration: the plan (plan.ts) has taken every decision the configuration
 * makes, and today's date with it. Parsers must have been started: call it through the engine
 * (engine.ts), which does that once.
 *
 * Head and base versions of each changed file are classified, parsed and evaluated alike
 * (parse-change.ts, which also lists the changed files that look like artifacts but could not be
 * reviewed: the gate never passes over them); a finding is `new` when its fingerprint is not among
 * the base's, `existing` otherwise, and `suppressed` when an inline comment or a config entry
 * covers it. The gate sees every finding; the report keeps those within `limits` (fold.ts), and
 * every text that can quote a file has its credentials redacted (redact-review.ts).
 */
import { FingerprintAllocator } from './fingerprint.js';
import { suggestFix } from './fixes.js';
import { foldFindings } from './fold.js';
import { commentSyntaxOf, formatOf } from './formats/index.js';
import type { ParseNote } from './formats/problem.js';
import {
  PHASES,
  type ChangeSet,
  type Document,
  type Evaluation,
  type Finding,
  type FixedFinding,
  type Kind,
  type ParseError,
  type Phase,
  type Review,
  type Rule,
  type SuppressionProblem,
} from './model.js';
import { contextIndex, type ContextIndex } from './context-index.js';
import type { EnvironmentOf } from './environments.js';
import { generatedContext } from './generated.js';
import type { LearntFact } from './parse-cache.js';
import { parseChange, type Side, type Step } from './parse-change.js';
import type { ReviewPlan } from './plan.js';
import { redactReview } from './redact-review.js';
import { TIME_BUDGET_RULE } from './rules/builtin.js';
import { mlUsage } from './ml-usage.js';
import { appliedRule, evaluateDocument, evaluateRepository, formatMessage, REPOSITORY_ADDRESS } from './rules/evaluate.js';
import { compareScores, decideGate, overallScore, pillarScores, scopedScores, type Scored } from './scoring.js';
import { inlineFor, scanInline, type InlineSuppression } from './suppress.js';

/**
 * A unit of a review a caller can watch: a file's parse or evaluation (with the file's head path),
 * then the repository rules and the rest of the review (with an empty path).
 */
export type ReviewStep = Step | 'repository' | 'finish';
export type ReviewWatch = (path: string, step: ReviewStep) => void;

export interface ReviewOptions {
  /** The tool's version, reported as the review's `version`. */
  toolVersion?: string | undefined;
  /**
   * Called before each file is parsed and before its document is evaluated (with its head path),
   * so that a caller running the review in a worker can hold every file to a time budget.
   */
  watch?: ReviewWatch | undefined;
  /**
   * Files a previous attempt could not review within the time budget, with the reason: they are
   * not read again, are listed as not reviewed and get a `time-budget` finding each.
   */
  overBudget?: ReadonlyMap<string, string> | undefined;
  /**
   * Takes what the review learnt of the context files its source gave a blob id (their documents,
   * or the types they do not name), for the parse cache (parse-cache.ts).
   */
  learn?: ((facts: LearntFact[]) => void) | undefined;
}

interface SideInput {
  tree: readonly string[];
  context: ContextIndex;
  unanchored?: ReadonlySet<string>;
  /** The plan's: rules scoped to some environments meet only their targets. */
  environmentOf: EnvironmentOf;
}

function evaluateSide(rules: readonly Rule[], side: Side, input: SideInput, watch?: ReviewWatch): Evaluation[] {
  const docRules = rules.filter((r) => r.match.some((m) => m.kind !== 'repository'));
  const repoRules = rules.filter((r) => r.match.some((m) => m.kind === 'repository'));
  const out: Evaluation[] = [];
  // A file's embedded documents (a pipeline built in Python) are evaluated as documents of their kind.
  const documents = side.documents.flatMap((d) => (d.embedded ? [d, ...d.embedded] : [d]));
  for (const doc of documents) {
    watch?.(doc.path, 'evaluate');
    // A loop, not push(...): a large file has more evaluations than a call may have arguments.
    for (const e of evaluateDocument(docRules, doc, input.environmentOf)) out.push(e);
  }
  if (repoRules.length > 0) {
    watch?.('', 'repository');
    const evaluations = evaluateRepository(repoRules, {
      tree: input.tree,
      context: input.context,
      changed: documents,
      contextComplete: input.context.complete,
      unanchored: input.unanchored,
      environmentOf: input.environmentOf,
    });
    for (const e of evaluations) out.push(e);
  }
  // A bucket the ML workload of this side does not use gets the rule's generic wording, one severity lower.
  const usage = mlUsage(side.documents, side.texts);
  for (const e of out) if (e.rule.generic && usage(e.path, e.address) === false) e.generic = true;
  return out;
}

/** Rules the head evaluated on the whole repository without an anchor type: the base must answer them too. */
function repositoryWide(evaluations: readonly Evaluation[]): Set<string> {
  const out = new Set<string>();
  for (const e of evaluations) {
    if (e.address !== REPOSITORY_ADDRESS) continue;
    if (e.rule.match.some((m) => m.kind === 'repository' && !m.resource && !m.anchor)) out.add(e.rule.id);
  }
  return out;
}

/** A finding-to-be: an evaluation or parse error with everything but its status. */
interface Candidate {
  rule: Rule;
  path: string;
  address: string;
  attribute: string | null;
  startLine: number;
  endLine: number;
  targetSpan?: { startLine: number; endLine: number };
  message: string;
  evaluation?: Evaluation;
  kind?: Kind;
}

function candidates(rules: ReadonlyMap<string, Rule>, evaluations: Evaluation[], errors: ParseError[], documents: readonly Document[]): Candidate[] {
  const out: Candidate[] = [];
  for (const ev of evaluations) {
    if (ev.outcome !== 'fail') continue;
    const rule = appliedRule(rules.get(ev.rule.id) ?? ev.rule, ev);
    const c: Candidate = {
      rule,
      path: ev.path,
      address: ev.address,
      attribute: ev.attribute ?? null,
      startLine: ev.startLine,
      endLine: ev.endLine,
      message: formatMessage(rule, ev, {}),
      evaluation: ev,
    };
    if (ev.targetSpan) c.targetSpan = ev.targetSpan;
    out.push(c);
  }
  // What a parser read past: a key set twice, a document of a stream that does not parse.
  for (const d of documents) {
    const notes = d.meta?.['parseNotes'] as ParseNote[] | undefined;
    for (const n of notes ?? []) {
      const rule = rules.get(n.note === 'duplicate-key' ? 'duplicate-key' : 'parse-error');
      if (!rule) continue;
      const actual = n.note === 'broken-document' ? `line ${n.line}: ${n.message} (the stream's other documents are read)` : n.message;
      const ev: Evaluation = { rule, path: d.path, address: d.kind, outcome: 'fail', startLine: n.line, endLine: n.line, actual };
      out.push({ rule, path: d.path, address: d.kind, attribute: null, startLine: n.line, endLine: n.line, message: formatMessage(rule, ev, {}), evaluation: ev, kind: d.kind });
    }
  }
  const parseRule = rules.get('parse-error');
  if (parseRule) {
    for (const e of errors) {
      const ev: Evaluation = {
        rule: parseRule,
        path: e.path,
        address: e.kind,
        outcome: 'fail',
        startLine: e.line,
        endLine: e.line,
        actual: `line ${e.line}: ${e.message}`,
      };
      out.push({
        rule: parseRule,
        path: e.path,
        address: e.kind,
        attribute: null,
        startLine: e.line,
        endLine: e.line,
        message: formatMessage(parseRule, ev, {}),
        evaluation: ev,
        kind: e.kind,
      });
    }
  }
  return out;
}

/** Fingerprints of a side's candidates, in a stable order so duplicates number the same way. */
function fingerprintAll(cands: Candidate[], pathOf: (p: string) => string): string[] {
  const alloc = new FingerprintAllocator();
  // A finding about the whole repository is anchored on whichever artifact the change touched
  // first; its identity must not depend on that file.
  return cands.map((c) => alloc.next(c.rule.id, c.address === REPOSITORY_ADDRESS ? '.' : pathOf(c.path), c.address));
}

function sortCandidates(c: Candidate[]): Candidate[] {
  return c.sort(
    (a, b) =>
      a.path.localeCompare(b.path) ||
      a.rule.id.localeCompare(b.rule.id) ||
      a.address.localeCompare(b.address) ||
      a.startLine - b.startLine,
  );
}

export function review(changeSet: ChangeSet, plan: ReviewPlan, options: ReviewOptions = {}): Review {
  const rules = plan.rules.effective;
  const ruleById = plan.rules.byId;
  const watch = options.watch;

  // Left out by default: by path and first lines, and by the change's `.gitattributes` (src/generated.ts).
  const excluding = generatedContext(changeSet);
  const generated = (path: string, text?: string | null) => plan.generated(path, text, excluding);
  const parsed = parseChange(changeSet, { wanted: plan.wanted, generated, watch, overBudget: options.overBudget });
  const { files, head, base, headPathOf } = parsed;
  const changedPaths = new Set(changeSet.files.map((f) => f.path));
  // Unchanged files are the same on both sides: each side reads the same context, in its own tree,
  // and a context file is parsed only when a repository rule asks for what it may hold.
  const changedDocs = [...head.documents, ...base.documents];
  const changedKinds = new Set(changedDocs.map((d) => d.kind));
  // A stack read in part (its L2 constructs are not) may hold the resource a repository rule looks for.
  const partlyRead = changedDocs.some((d) => formatOf(d.kind).context === false && d.meta?.['unread'] !== undefined);
  const context = contextIndex(changeSet, changedPaths, { wanted: (p) => plan.wanted(p) && generated(p) === undefined, kinds: plan.context.kinds, types: plan.context.types, watch, overBudget: options.overBudget, changedKinds, partlyRead });

  const watchEvaluation: ReviewWatch | undefined = watch ? (path, step) => watch(headPathOf.get(path) ?? path, step) : undefined;
  const { environmentOf } = plan;
  const headEvals = evaluateSide(rules, head, { tree: changeSet.trees.head, context, environmentOf }, watchEvaluation);
  const baseEvals = evaluateSide(rules, base, { tree: changeSet.trees.base, context, unanchored: repositoryWide(headEvals), environmentOf }, watchEvaluation);

  watch?.('', 'finish');
  if (options.learn) options.learn(context.learnt());
  const headCands = sortCandidates([...candidates(ruleById, headEvals, head.errors, head.documents), ...overBudgetCandidates(options.overBudget, changedPaths)]);
  const baseCands = sortCandidates(candidates(ruleById, baseEvals, base.errors, base.documents));
  const headFps = fingerprintAll(headCands, (p) => p);
  // Under the paths the base had: a renamed file's findings keep their issues and comments.
  const previousPath = new Map<string, string>();
  for (const [from, to] of headPathOf) if (from !== to) previousPath.set(to, from);
  const previousFps = previousPath.size > 0 ? fingerprintAll(headCands, (p) => previousPath.get(p) ?? p) : headFps;
  const baseFpList = fingerprintAll(baseCands, (p) => headPathOf.get(p) ?? p);
  const baseFps = new Set(baseFpList);

  // Suppressions: inline ones in each file's comments, and the config's `ignore` entries.
  const problems: SuppressionProblem[] = [];
  const inline = new Map<string, InlineSuppression[]>();
  const kindOf = new Map<string, Kind>();
  for (const d of head.documents) kindOf.set(d.path, d.kind);
  for (const e of head.errors) kindOf.set(e.path, e.kind);
  for (const [path, text] of head.texts) {
    const kind = kindOf.get(path);
    if (kind === undefined) continue;
    const scan = scanInline(commentSyntaxOf(kind, path), path, text, plan.rules.known, plan.today);
    inline.set(path, scan.suppressions);
    for (const p of scan.problems) problems.push(p);
  }
  const ignores = plan.ignores;
  for (const p of ignores.problems) problems.push(p);

  const docByPath = new Map(head.documents.map((d) => [d.path, d]));
  const linesByPath = new Map<string, string[]>();
  const linesOf = (path: string) => {
    let l = linesByPath.get(path);
    if (!l) {
      l = (head.texts.get(path) ?? '').split('\n');
      linesByPath.set(path, l);
    }
    return l;
  };

  const findings: Finding[] = [];
  const suppressedEval = new Set<Evaluation>();
  headCands.forEach((c, i) => {
    const fp = headFps[i]!;
    const suppression =
      inlineFor(inline.get(c.path) ?? [], c.rule.id, c, c.targetSpan) ?? ignores.match(c.rule.id, c.path);
    const f: Finding = findingOf(c, suppression ? 'suppressed' : baseFps.has(fp) ? 'existing' : 'new', c.path, fp);
    if (c.rule.related) f.related = c.rule.related;
    if (previousFps[i] !== fp) f.previousFingerprint = previousFps[i]!;
    if (suppression) {
      f.suppression = suppression;
      if (c.evaluation) suppressedEval.add(c.evaluation);
    }
    const doc = docByPath.get(c.path);
    if (c.evaluation && doc) {
      const fix = suggestFix(c.rule, c.evaluation, doc, linesOf(c.path));
      if (fix) f.fix = fix;
    }
    findings.push(f);
  });

  const scored = (evs: Evaluation[], suppressed: Set<Evaluation>): Scored[] =>
    evs.map((e) => ({
      pillar: e.rule.pillar,
      severity: appliedRule(ruleById.get(e.rule.id) ?? e.rule, e).severity,
      outcome: e.outcome,
      suppressed: suppressed.has(e),
      path: e.path,
    }));
  const headScored = scored(headEvals, suppressedEval);
  const headScores = pillarScores(headScored);
  const scores = compareScores(headScores, pillarScores(scored(baseEvals, new Set())));
  // The gate sees every finding; the caps only bound what is reported.
  const gate = decideGate(plan, {
    findings,
    scores,
    scoped: scopedScores(plan.gate.floors, headScored, headScores),
    notReviewed: parsed.notReviewed,
    unlisted: changeSet.truncated ?? 0,
  });
  const { kept, folded } = foldFindings(findings, plan.limits);
  // A head the review could not read (too large, unparseable, over the time budget...) says nothing of what it fixed.
  const unread = new Set([...parsed.notReviewed.map((n) => n.path), ...head.errors.map((e) => e.path)]);
  const fixed = fixedFindings(baseCands, baseFpList, new Set(headFps), (c) => headPathOf.get(c.path) ?? c.path, ignores, unread);

  const touched = new Set<Phase>();
  for (const e of headEvals) touched.add(e.rule.phase);
  const byKind: Review['stats']['byKind'] = {};
  for (const d of head.documents) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;

  // Credentials the files hold are never echoed, whichever output the review goes to.
  return redactReview({
    version: options.toolVersion ?? 'unknown',
    gate,
    scores,
    overall: overallScore(scores, plan.weights),
    findings: kept,
    ...(fixed.length > 0 ? { fixed } : {}),
    phases: PHASES.filter((p) => touched.has(p)),
    suppressionProblems: problems,
    stats: {
      files: files.length + parsed.unread,
      artifacts: head.documents.length + head.errors.length,
      byKind,
      parseErrors: head.errors.length,
      suppressed: findings.filter((f) => f.status === 'suppressed').length,
      evaluations: headEvals.length,
      truncated: changeSet.truncated ?? 0,
      notReviewed: parsed.notReviewed,
      folded,
    },
    meta: changeSet.meta,
  });
}

/** A candidate as a finding of `status`, at `path` (the head's, for a base candidate of a renamed file). */
function findingOf<S extends Finding['status'] | FixedFinding['status']>(c: Candidate, status: S, path: string, fingerprint: string) {
  return {
    rule: c.rule.id,
    title: c.rule.title,
    practices: c.rule.practices,
    pillar: c.rule.pillar,
    phase: c.rule.phase,
    severity: c.rule.severity,
    status,
    path,
    startLine: c.startLine,
    endLine: c.endLine,
    address: c.address,
    attribute: c.attribute,
    message: c.message,
    remediation: c.rule.remediation,
    fingerprint,
  };
}

/**
 * What the base had and the head does not: findings the change fixed, or whose target it removed.
 * One the configuration ignores on the head's path was never reported, so it is not news either;
 * a time-budget finding says nothing about the file, so its end is not a fix; and a file whose
 * head could not be read (`unread`: listed as not reviewed, or not parsed) fixed nothing we know of.
 */
function fixedFindings(
  baseCands: readonly Candidate[],
  baseFps: readonly string[],
  headFps: ReadonlySet<string>,
  headPath: (c: Candidate) => string,
  ignores: ReviewPlan['ignores'],
  unread: ReadonlySet<string>,
): FixedFinding[] {
  const out: FixedFinding[] = [];
  baseCands.forEach((c, i) => {
    const fp = baseFps[i]!;
    const path = headPath(c);
    if (headFps.has(fp) || c.rule.id === TIME_BUDGET_RULE.id || unread.has(path) || ignores.match(c.rule.id, path)) return;
    out.push(findingOf(c, 'fixed', path, fp));
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.startLine - b.startLine || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)));
}

/** One `time-budget` finding, on line 1, per file a previous attempt gave up on. */
function overBudgetCandidates(overBudget: ReadonlyMap<string, string> | undefined, changed: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  for (const [path, reason] of overBudget ?? []) {
    if (!changed.has(path)) continue; // a context file: left out of the context, not a finding
    const ev: Evaluation = { rule: TIME_BUDGET_RULE, path, address: 'file', outcome: 'fail', startLine: 1, endLine: 1, actual: reason };
    out.push({ rule: TIME_BUDGET_RULE, path, address: 'file', attribute: null, startLine: 1, endLine: 1, message: formatMessage(TIME_BUDGET_RULE, ev, {}), evaluation: ev });
  }
  return out;
}
