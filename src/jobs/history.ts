/**
 * What a job remembers of a review (issue 13): the record of the review, the findings it saw or
 * saw fixed, and the tracking issues it left, as one store operation (with a fresh record id, so a
 * retried write is recorded once). The worker (jobs/index.ts) writes it to the store after publishing.
 */
import { randomUUID } from 'node:crypto';
import { PILLARS, SEVERITIES, type ChangeSet, type Review } from '../model.js';
import type { FindingObservation, RepositoryRef, StoreOp, TrackedIssue } from '../store/index.js';

export interface ReviewFacts {
  repository: RepositoryRef;
  kind: 'pr' | 'push';
  /** The pull request; null for a push. */
  number: number | null;
  /** Where the findings were seen: `refs/pull/<n>/head`, or the default branch's ref. */
  ref: string;
  headSha: string;
  baseSha: string | null;
  /** Paths the review covered: a finding recorded there that it did not see is fixed. */
  paths: readonly string[];
  durationMs: number | null;
  apiCalls: number | null;
  toolVersion: string;
  at: Date;
}

/** The changed files the review read (a renamed file's old path too): what its findings cover. */
export function coveredPaths(changeSet: ChangeSet): string[] {
  return changeSet.files.filter((f) => f.skipped === undefined).flatMap((f) => (f.previousPath !== undefined ? [f.path, f.previousPath] : [f.path]));
}

export const pullRef = (n: number): string => `refs/pull/${n}/head`;
export const branchRef = (branch: string): string => `refs/heads/${branch}`;

function scoresOf(review: Review, side: 'head' | 'base'): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const p of PILLARS) out[p] = review.scores[p]?.[side] ?? null;
  out['overall'] = review.overall[side];
  return out;
}

/**
 * The covered paths whose findings the review saw in full: not those it could not read (their
 * findings are unknown, not fixed), nor those whose findings the caps folded away.
 */
function seenPaths(review: Review, paths: readonly string[]): string[] {
  const partial = new Set([...review.stats.notReviewed.map((n) => n.path), ...review.stats.folded.byPath.map((f) => f.path)]);
  return [...new Set(paths)].filter((p) => !partial.has(p));
}

export function reviewOp(review: Review, facts: ReviewFacts, issues?: TrackedIssue[]): StoreOp {
  const byStatus: Record<string, number> = { new: 0, existing: 0, suppressed: 0, fixed: review.fixed?.length ?? 0, folded: review.stats.folded.total };
  const bySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  for (const f of review.findings) {
    byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
    if (f.status !== 'suppressed') bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  }
  const observe = (f: { fingerprint: string; rule: string; path: string; address: string; severity: string; previousFingerprint?: string }, status: FindingObservation['status']) => ({
    fingerprint: f.fingerprint,
    rule: f.rule,
    path: f.path,
    address: f.address,
    severity: f.severity,
    status,
    // A renamed file's finding: its state moves to the new fingerprint instead of being fixed.
    ...(f.previousFingerprint ? { previousFingerprint: f.previousFingerprint } : {}),
  });
  return {
    type: 'review',
    review: {
      recordId: randomUUID(),
      repository: facts.repository,
      kind: facts.kind,
      number: facts.number,
      ref: facts.ref,
      headSha: facts.headSha,
      baseSha: facts.baseSha,
      scoresHead: scoresOf(review, 'head'),
      scoresBase: scoresOf(review, 'base'),
      conclusion: review.gate.conclusion,
      gateReasons: review.gate.reasons,
      countsByStatus: byStatus,
      countsBySeverity: bySeverity,
      filesRead: review.stats.files,
      notReviewed: review.stats.notReviewed.map((n) => ({
        path: n.path,
        reason: n.reason,
        ...(n.claimedBy ? { kind: n.claimedBy } : {}),
        ...(n.excluded ? { excluded: true } : {}),
      })),
      durationMs: facts.durationMs,
      apiCalls: facts.apiCalls,
      toolVersion: facts.toolVersion,
      createdAt: facts.at,
    },
    findings: [...review.findings.map((f) => observe(f, f.status)), ...(review.fixed ?? []).map((f) => observe(f, 'fixed'))],
    paths: seenPaths(review, facts.paths),
    ...(issues ? { issues } : {}),
  };
}
