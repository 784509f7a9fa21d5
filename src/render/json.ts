/**
 * The JSON report (`ml-lens review --format json`): a stable shape for other tools.
 *
 * ```
 * {
 *   version,                                   // tool version of the review
 *   gate: { conclusion, reasons[] },           // success | neutral | failure
 *   scores: { <pillar>: { head, base, delta } },  // all six pillars, in lens order; null = not assessed
 *   overall: { head, base, delta },            // weighted mean of the assessed pillars (pillars.<p>.weight)
 *   findings: [ { rule, title, practices[], pillar, phase, severity, status, path, startLine, endLine,
 *                 address, attribute, message, remediation, fingerprint, extra? } ],   // by path, line, rule
 *   // status: new | existing | suppressed, then `fixed` (the base had it, the change removed it:
 *   // its lines are the base's), after the others
 *   stats: { files, artifacts, byKind, parseErrors, suppressed, notReviewed[], folded },
 *   extra: { phases[], suppressionProblems[], evaluations, truncated, meta }
 * }
 * ```
 *
 * Everything outside the fixed fields lives under `extra` (top level and per finding), so a
 * consumer reading the fixed fields never meets a surprise:
 * - `extra.phases`: lifecycle phases the change touches, in lifecycle order;
 * - `stats.notReviewed`: changed files that look like artifacts but were not reviewed
 *   `{ path, reason, claimedBy? }`, by path (`claimedBy`: the kind whose path pattern claims the
 *   file, which `gate.fail_on_unreviewed` fails on);
 * - `stats.folded`: `{ total, byPath: [{ path, count }] }`, findings left out by `limits`;
 * - `extra.suppressionProblems`: suppressions that did not apply `{ path, line, rule, problem, message }`;
 * - `extra.evaluations`, `extra.truncated`: counts from the review's stats;
 * - `extra.meta`: where the change came from `{ source, base?, head?, title? }`;
 * - finding `extra.suppression`: `{ source, reason, until?, line? }` for a suppressed finding;
 * - finding `extra.fix`: `{ startLine, endLine, replacement, choose }` when a suggestion exists.
 * A finding without either has no `extra` key.
 */
import { PHASES, PILLARS, type Finding, type FixedFinding, type Review } from '../model.js';
import { byLocation, cmp } from './view.js';

/** A finding as the JSON report has it: suppression and fix move under `extra`. */
export type JsonFinding = Omit<Finding, 'suppression' | 'fix' | 'related' | 'status'> & {
  status: Finding['status'] | FixedFinding['status'];
  extra?: { suppression?: NonNullable<Finding['suppression']>; fix?: NonNullable<Finding['fix']> };
};

export interface JsonReport {
  version: string;
  gate: { conclusion: Review['gate']['conclusion']; reasons: string[] };
  scores: Record<Finding['pillar'], { head: number | null; base: number | null; delta: number | null }>;
  overall: { head: number | null; base: number | null; delta: number | null };
  findings: JsonFinding[];
  stats: {
    files: number;
    artifacts: number;
    byKind: Record<string, number>;
    parseErrors: number;
    suppressed: number;
    notReviewed: Review['stats']['notReviewed'];
    folded: Review['stats']['folded'];
  };
  extra: {
    phases: Review['phases'];
    suppressionProblems: Review['suppressionProblems'];
    evaluations: number;
    truncated: number;
    meta: Review['meta'];
  };
}

function jsonFinding(f: Finding | FixedFinding): JsonFinding {
  const out: JsonFinding = {
    rule: f.rule,
    title: f.title,
    practices: [...f.practices],
    pillar: f.pillar,
    phase: f.phase,
    severity: f.severity,
    status: f.status,
    path: f.path,
    startLine: f.startLine,
    endLine: f.endLine,
    address: f.address,
    attribute: f.attribute ?? null,
    message: f.message,
    remediation: f.remediation,
    fingerprint: f.fingerprint,
  };
  const extra: NonNullable<JsonFinding['extra']> = {};
  if (f.suppression) {
    const s = f.suppression;
    extra.suppression = { source: s.source, reason: s.reason };
    if (s.until !== undefined) extra.suppression.until = s.until;
    if (s.line !== undefined) extra.suppression.line = s.line;
  }
  if (f.fix) extra.fix = { startLine: f.fix.startLine, endLine: f.fix.endLine, replacement: f.fix.replacement, choose: f.fix.choose };
  if (extra.suppression || extra.fix) out.extra = extra;
  return out;
}

export function toJsonReport(review: Review): JsonReport {
  const scores = {} as JsonReport['scores'];
  for (const p of PILLARS) {
    const s = review.scores[p];
    scores[p] = { head: s?.head ?? null, base: s?.base ?? null, delta: s?.delta ?? null };
  }
  const byKind: Record<string, number> = {};
  for (const k of Object.keys(review.stats.byKind).sort(cmp)) {
    const n = review.stats.byKind[k as keyof typeof review.stats.byKind];
    if (typeof n === 'number') byKind[k] = n;
  }
  const meta: Review['meta'] = { source: review.meta.source };
  if (review.meta.base !== undefined) meta.base = review.meta.base;
  if (review.meta.head !== undefined) meta.head = review.meta.head;
  if (review.meta.title !== undefined) meta.title = review.meta.title;
  return {
    version: review.version,
    gate: { conclusion: review.gate.conclusion, reasons: [...review.gate.reasons] },
    scores,
    overall: { head: review.overall.head, base: review.overall.base, delta: review.overall.delta },
    findings: [...[...review.findings].sort(byLocation).map(jsonFinding), ...[...(review.fixed ?? [])].sort(byLocation).map(jsonFinding)],
    stats: {
      files: review.stats.files,
      artifacts: review.stats.artifacts,
      byKind,
      parseErrors: review.stats.parseErrors,
      suppressed: review.stats.suppressed,
      notReviewed: [...review.stats.notReviewed]
        .sort((a, b) => cmp(a.path, b.path))
        .map((n) => (n.claimedBy ? { path: n.path, reason: n.reason, claimedBy: n.claimedBy } : { path: n.path, reason: n.reason })),
      folded: { total: review.stats.folded.total, byPath: review.stats.folded.byPath.map((f) => ({ path: f.path, count: f.count })) },
    },
    extra: {
      phases: PHASES.filter((p) => review.phases.includes(p)),
      suppressionProblems: [...review.suppressionProblems]
        .sort((a, b) => cmp(a.path, b.path) || a.line - b.line)
        .map((p) => ({ path: p.path, line: p.line, rule: p.rule, problem: p.problem, message: p.message })),
      evaluations: review.stats.evaluations,
      truncated: review.stats.truncated,
      meta,
    },
  };
}

/** The JSON report as stable, pretty text (two-space indent, trailing newline). */
export function renderJson(review: Review): string {
  return JSON.stringify(toJsonReport(review), null, 2) + '\n';
}
