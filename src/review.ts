/**
 * The pipeline as one pure function: (ChangeSet, Catalogue, Config) -> Review. No network, no
 * environment; the only outside input is `today`, for suppression expiry, which callers pass.
 *
 * Head and base versions of each changed file are classified, parsed and evaluated alike
 * (parse-change.ts, which also lists the changed files that look like artifacts but could not be
 * reviewed: the gate never passes over them); a finding is `new` when its fingerprint is not among
 * the base's, `existing` otherwise, and `suppressed` when an inline comment or a config entry
 * covers it. The gate sees every finding; the report keeps those within `limits` (fold.ts), and
 * every text that can quote a file has its credentials redacted (redact-review.ts).
 */
import type { Config } from './config/schema.js';
import { FingerprintAllocator } from './fingerprint.js';
import { suggestFix } from './fixes.js';
import { foldFindings } from './fold.js';
import {
  PHASES,
  type Catalogue,
  type ChangeSet,
  type Document,
  type Evaluation,
  type Finding,
  type Kind,
  type ParseError,
  type Phase,
  type Review,
  type Rule,
  type SuppressionProblem,
} from './model.js';
import { parseChange, parseContext, type Side, type Step } from './parse-change.js';
import { redactReview } from './redact-review.js';
import { TIME_BUDGET_RULE } from './rules/builtin.js';
import { pathFilter } from './sources/files.js';
import { evaluateDocument, evaluateRepository, formatMessage, REPOSITORY_ADDRESS } from './rules/evaluate.js';
import { compareScores, decideGate, pillarScores, type Scored } from './scoring.js';
import { compileIgnores, inlineFor, scanInline, type ConfigIgnores, type InlineSuppression } from './suppress.js';

/**
 * A unit of a review a caller can watch: a file's parse or evaluation (with the file's head path),
 * then the repository rules and the rest of the review (with an empty path).
 */
export type ReviewStep = Step | 'repository' | 'finish';
export type ReviewWatch = (path: string, step: ReviewStep) => void;

export interface ReviewOptions {
  /** Today's date (YYYY-MM-DD) for suppression expiry. */
  today?: string;
  /** Where the config came from, for messages about its `ignore` entries. */
  configPath?: string;
  /** The tool's version, reported as the review's `version`. */
  toolVersion?: string;
  /**
   * Called before each file is parsed and before its document is evaluated (with its head path),
   * so that a caller running the review in a worker can hold every file to a time budget.
   */
  watch?: ReviewWatch;
  /**
   * Files a previous attempt could not review within the time budget, with the reason: they are
   * not read again, are listed as not reviewed and get a `time-budget` finding each.
   */
  overBudget?: ReadonlyMap<string, string>;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Rules as the config wants them: disabled ones and disabled pillars dropped, severities overridden. */
export function effectiveRules(catalogue: Catalogue, config: Config): Rule[] {
  const disabled = new Set(config.rules.disable);
  const out: Rule[] = [];
  for (const r of catalogue.rules) {
    if (disabled.has(r.id)) continue;
    if (config.pillars[r.pillar]?.enabled === false) continue;
    const sev = config.rules.severity[r.id];
    out.push(sev && sev !== r.severity ? { ...r, severity: sev } : r);
  }
  return out;
}

function evaluateSide(
  rules: Rule[],
  side: Side,
  tree: string[],
  context: Document[],
  contextComplete: boolean,
  watch?: ReviewWatch,
): Evaluation[] {
  const docRules = rules.filter((r) => r.match.some((m) => m.kind !== 'repository'));
  const repoRules = rules.filter((r) => r.match.some((m) => m.kind === 'repository'));
  const out: Evaluation[] = [];
  for (const doc of side.documents) {
    watch?.(doc.path, 'evaluate');
    // A loop, not push(...): a large file has more evaluations than a call may have arguments.
    for (const e of evaluateDocument(docRules, doc)) out.push(e);
  }
  if (repoRules.length > 0) {
    watch?.('', 'repository');
    const evaluations = evaluateRepository(repoRules, { tree, documents: [...side.documents, ...context], changed: side.documents, contextComplete });
    for (const e of evaluations) out.push(e);
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

function candidates(rules: Map<string, Rule>, evaluations: Evaluation[], errors: ParseError[]): Candidate[] {
  const out: Candidate[] = [];
  for (const ev of evaluations) {
    if (ev.outcome !== 'fail') continue;
    const rule = rules.get(ev.rule.id) ?? ev.rule;
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

export function review(changeSet: ChangeSet, catalogue: Catalogue, config: Config, options: ReviewOptions = {}): Review {
  const day = options.today ?? today();
  const rules = effectiveRules(catalogue, config);
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const wanted = pathFilter(config);

  const parsed = parseChange(changeSet, { wanted, watch: options.watch, overBudget: options.overBudget });
  const { files, head, base, headPathOf } = parsed;
  const needsContext = rules.some((r) => r.match.some((m) => m.kind === 'repository'));
  const changedPaths = new Set(changeSet.files.map((f) => f.path));
  const context = needsContext
    ? parseContext(changeSet, changedPaths, { wanted, watch: options.watch, overBudget: options.overBudget })
    : { documents: [], complete: true };
  const contextComplete = changeSet.contextComplete && context.complete;

  const watch = options.watch;
  const watchEvaluation: ReviewWatch | undefined = watch ? (path, step) => watch(headPathOf.get(path) ?? path, step) : undefined;
  const headEvals = evaluateSide(rules, head, changeSet.tree, context.documents, contextComplete, watchEvaluation);
  const baseEvals = evaluateSide(rules, base, changeSet.tree, context.documents, contextComplete, watchEvaluation);

  watch?.('', 'finish');
  const headCands = sortCandidates([...candidates(ruleById, headEvals, head.errors), ...overBudgetCandidates(options.overBudget, changedPaths)]);
  const baseCands = sortCandidates(candidates(ruleById, baseEvals, base.errors));
  const headFps = fingerprintAll(headCands, (p) => p);
  const baseFps = new Set(fingerprintAll(baseCands, (p) => headPathOf.get(p) ?? p));

  // Suppressions.
  // Every rule of the catalogue: a suppression of a disabled rule is moot, not a mistake.
  const known = new Set([...catalogue.rules.map((r) => r.id), TIME_BUDGET_RULE.id]);
  const problems: SuppressionProblem[] = [];
  const inline = new Map<string, InlineSuppression[]>();
  const kindOf = new Map<string, Kind>();
  for (const d of head.documents) kindOf.set(d.path, d.kind);
  for (const e of head.errors) kindOf.set(e.path, e.kind);
  for (const [path, text] of head.texts) {
    const scan = scanInline(kindOf.get(path)!, path, text, known, day);
    inline.set(path, scan.suppressions);
    for (const p of scan.problems) problems.push(p);
  }
  const ignores: ConfigIgnores = compileIgnores(config.ignore, known, day, options.configPath);
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
    const f: Finding = {
      rule: c.rule.id,
      title: c.rule.title,
      practices: c.rule.practices,
      pillar: c.rule.pillar,
      phase: c.rule.phase,
      severity: c.rule.severity,
      status: suppression ? 'suppressed' : baseFps.has(fp) ? 'existing' : 'new',
      path: c.path,
      startLine: c.startLine,
      endLine: c.endLine,
      address: c.address,
      attribute: c.attribute,
      message: c.message,
      remediation: c.rule.remediation,
      fingerprint: fp,
    };
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
      severity: ruleById.get(e.rule.id)?.severity ?? e.rule.severity,
      outcome: e.outcome,
      suppressed: suppressed.has(e),
    }));
  const scores = compareScores(pillarScores(scored(headEvals, suppressedEval)), pillarScores(scored(baseEvals, new Set())));
  // The gate sees every finding; the caps only bound what is reported.
  const gate = decideGate(findings, scores, config, parsed.notReviewed, changeSet.truncated ?? 0);
  const { kept, folded } = foldFindings(findings, config.limits);

  const touched = new Set<Phase>();
  for (const e of headEvals) touched.add(e.rule.phase);
  const byKind: Review['stats']['byKind'] = {};
  for (const d of head.documents) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;

  // Credentials the files hold are never echoed, whichever output the review goes to.
  return redactReview({
    version: options.toolVersion ?? 'unknown',
    gate,
    scores,
    findings: kept,
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
