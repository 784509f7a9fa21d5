/**
 * Caps on the findings a review reports (`limits` in the configuration): a minified template with
 * thousands of failing resources must not make every report, comment and check run carry them all.
 * What is left out is counted per file, never hidden; the gate has already seen every finding.
 * The most useful findings are kept: new before existing before suppressed, then most severe.
 */
import { SEVERITY_RANK, type Finding, type FindingStatus } from './model.js';

export interface Limits {
  max_findings_per_file: number;
  max_findings: number;
}

export interface Folded {
  total: number;
  byPath: { path: string; count: number }[];
}

const STATUS_RANK: Record<FindingStatus, number> = { new: 0, existing: 1, suppressed: 2 };

function priority(a: Finding, b: Finding): number {
  return STATUS_RANK[a.status] - STATUS_RANK[b.status] || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
}

/** The findings within the limits, in their original order, and what was folded. */
export function foldFindings(findings: readonly Finding[], limits: Limits): { kept: Finding[]; folded: Folded } {
  const byPath = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = byPath.get(f.path);
    if (!list) byPath.set(f.path, (list = []));
    list.push(f);
  }
  const keep = new Set<Finding>();
  let candidates: Finding[] = [];
  for (const list of byPath.values()) {
    // Array.prototype.sort is stable: equal priorities keep their location order.
    const ranked = list.length > limits.max_findings_per_file ? [...list].sort(priority).slice(0, limits.max_findings_per_file) : list;
    for (const f of ranked) candidates.push(f);
  }
  if (candidates.length > limits.max_findings) candidates = candidates.sort(priority).slice(0, limits.max_findings);
  for (const f of candidates) keep.add(f);
  if (keep.size === findings.length) return { kept: [...findings], folded: { total: 0, byPath: [] } };

  const kept: Finding[] = [];
  const counts = new Map<string, number>();
  for (const f of findings) {
    if (keep.has(f)) kept.push(f);
    else counts.set(f.path, (counts.get(f.path) ?? 0) + 1);
  }
  const folded = [...counts].map(([path, count]) => ({ path, count })).sort((a, b) => b.count - a.count || (a.path < b.path ? -1 : 1));
  return { kept, folded: { total: findings.length - kept.length, byPath: folded } };
}
