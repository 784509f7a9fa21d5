/**
 * What a reviewer reads as one point, made of findings. Reports used to give every finding a line
 * and a comment of its own, and a stack of 81 buckets missing the same four settings flooded the
 * summary and the review with 324 of them. Two merges, in this order:
 *
 * - related rules on one target (a model with neither a VPC nor network isolation fails
 *   `sagemaker-model-vpc` and `sagemaker-model-network-isolation`: rules declare `related`) are one
 *   item, told by the most severe, naming the others and all their practices;
 * - one rule on `groupFrom` targets or more of one file is one item listing the targets.
 *
 * Only the summary's lists and the inline review are told in items. The gate, the scores, the check
 * run's annotations, the full report, JSON, SARIF and tracking issues keep every finding: each one
 * is still a risk of its own that can be suppressed, fixed or tracked on its own.
 */
import { createHash } from 'node:crypto';
import type { Finding } from './model.js';

/** A rule on this many targets of one file is listed once, unless the configuration says otherwise. */
export const DEFAULT_GROUP_FROM = 3;

export interface ReportItem {
  /** The finding the item is told by: the first of `targets`. */
  lead: Finding;
  /** Findings of the lead's rule on further targets of the same file (grouped), in report order. */
  targets: Finding[];
  /** Findings of related rules on the item's targets, reported with them. */
  related: Finding[];
  /** Every finding the item stands for: the lead, the targets, the related ones. */
  findings: Finding[];
  /**
   * The item's identity in the hidden marker of its inline comment: the lead's fingerprint for one
   * target, else a key of the rule and the file, so the comment stays the same while targets come
   * and go (see `groupKey`).
   */
  key: string;
}

/** The identity of a rule's grouped comment in one file. */
export function groupKey(rule: string, path: string): string {
  return `group-${createHash('sha256').update(`${rule}\u0000${path}`).digest('hex').slice(0, 24)}`;
}

/**
 * The findings as report items, in the order of their first finding. `findings` should already be
 * in report order (most severe first); findings of different statuses never share an item.
 * `groupFrom` 0 turns grouping by rule off; related rules are merged regardless.
 */
export function reportItems(findings: readonly Finding[], groupFrom: number = DEFAULT_GROUP_FROM): ReportItem[] {
  const single = mergeRelated(findings);
  if (groupFrom < 2) return single;
  const byRule = new Map<string, ReportItem[]>();
  for (const item of single) {
    const k = `${item.lead.status}\u0000${item.lead.rule}\u0000${item.lead.path}`;
    let list = byRule.get(k);
    if (!list) byRule.set(k, (list = []));
    list.push(item);
  }
  const out: ReportItem[] = [];
  const placed = new Set<string>();
  for (const item of single) {
    const k = `${item.lead.status}\u0000${item.lead.rule}\u0000${item.lead.path}`;
    const same = byRule.get(k)!;
    if (same.length < groupFrom) {
      out.push(item);
      continue;
    }
    if (placed.has(k)) continue;
    placed.add(k);
    out.push(grouped(same));
  }
  return out;
}

/** The item told by another of its targets (the one an inline comment can be anchored on). */
export function ledBy(item: ReportItem, lead: Finding): ReportItem {
  if (lead === item.lead) return item;
  const all = [item.lead, ...item.targets];
  return { ...item, lead, targets: all.filter((f) => f !== lead) };
}

/** Findings of related rules on one target join the item of the first (most severe) of them. */
function mergeRelated(findings: readonly Finding[]): ReportItem[] {
  const items: ReportItem[] = [];
  const onTarget = new Map<string, ReportItem[]>();
  for (const f of findings) {
    const k = `${f.status}\u0000${f.path}\u0000${f.address}`;
    const here = onTarget.get(k);
    const host = here?.find((i) => i.findings.some((g) => related(g, f)));
    if (host) {
      host.related.push(f);
      host.findings.push(f);
      continue;
    }
    const item: ReportItem = { lead: f, targets: [], related: [], findings: [f], key: f.fingerprint };
    items.push(item);
    if (here) here.push(item);
    else onTarget.set(k, [item]);
  }
  return items;
}

function related(a: Finding, b: Finding): boolean {
  return a.rule !== b.rule && ((a.related?.includes(b.rule) ?? false) || (b.related?.includes(a.rule) ?? false));
}

function grouped(items: ReportItem[]): ReportItem {
  const first = items[0]!;
  return {
    lead: first.lead,
    targets: items.slice(1).map((i) => i.lead),
    related: items.flatMap((i) => i.related),
    findings: items.flatMap((i) => i.findings),
    key: groupKey(first.lead.rule, first.lead.path),
  };
}
