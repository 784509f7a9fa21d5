/**
 * The plan of a run's inline review comments, pure: which new findings get a comment and where
 * (anchors checked against the patch first: one bad anchor makes GitHub reject the whole review),
 * which are already commented (by the fingerprint marker of our comments on the PR), which are
 * left to the summary (over the cap, or off the diff), and which review threads of ours to resolve
 * because their finding is gone.
 */
import type { Finding, Review } from '../../model.js';
import { fingerprintKey, inlineAnchor, parseFingerprintMarker, renderInline, type FileUrl } from '../../render/index.js';
import { bySeverity } from '../../render/view.js';
import type { PublishSettings } from '../../plan.js';
import { groupKey, ledBy, reportItems, type ReportItem } from '../../report-items.js';
import { canAnchor, parsePatch, type PatchLines } from './patch.js';
import { inlineReviewBody } from './texts.js';

export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT';
  start_line?: number;
  start_side?: 'RIGHT';
  body: string;
}

export interface PlannedComment {
  /** The finding the comment is anchored on and told by. */
  finding: Finding;
  /** Every finding the comment stands for (a report item: src/report-items.ts). */
  findings: Finding[];
  comment: ReviewComment;
  /** Whether the comment carries a suggestion block. */
  suggestion: boolean;
}

export interface InlinePlan {
  comments: PlannedComment[];
  /** Fit the diff but over `comments.max_inline`: left to the summary. */
  folded: Finding[];
  /** Not on a line the diff shows: left to the summary. */
  outOfDiff: Finding[];
  /** Already commented on an earlier run. */
  alreadyPosted: Finding[];
}

export interface InlineInput {
  review: Review;
  settings: PublishSettings;
  pullNumber: number;
  headSha: string;
  /** Unified diff of each changed file, by head path. */
  patches: Map<string, string>;
  fileUrl?: FileUrl;
  templates?: Record<string, string>;
}

/** A review comment as GitHub lists it. */
export interface ListedReviewComment {
  id: number;
  body?: string | null;
  user?: { type?: string | null } | null;
}

/** A review thread as the threads query returns it: its first comment tells whose it is. */
export interface ListedThread {
  id: string;
  isResolved: boolean;
  first: { body: string; authorType: string | null } | null;
}

/** What GitHub already has on the PR. `threads` is read only when `comments` holds some of ours. */
export interface InlineState {
  comments: ListedReviewComment[];
  threads: ListedThread[];
}

export interface InlineChanges extends InlinePlan {
  /** The review to post, or null when there is nothing new to comment. */
  review: { body: string; comments: ReviewComment[] } | null;
  /** Ids of unresolved threads of ours whose finding is gone. */
  resolve: string[];
}

/** Fingerprint of a comment of ours, or null (a person's comment, or one without our marker). */
export function oursFingerprint(body: string | null | undefined, authorType: string | null | undefined): string | null {
  if (authorType && authorType !== 'Bot') return null;
  return parseFingerprintMarker(body ?? '');
}

/** The fingerprints (as written in markers) our comments on the PR carry. */
export function postedFingerprints(comments: ListedReviewComment[]): Set<string> {
  const posted = new Set<string>();
  for (const c of comments) {
    const fp = oursFingerprint(c.body, c.user?.type);
    if (fp) posted.add(fp);
  }
  return posted;
}

/** Where to anchor a finding's comment, or null when the diff does not show its lines. */
export function anchorFor(f: Finding, lines: PatchLines, suggestions: boolean): { startLine: number; line: number; suggestion: boolean } | null {
  if (suggestions && f.fix) {
    const a = inlineAnchor(f, true);
    if (canAnchor(lines, a.startLine, a.line)) return { ...a, suggestion: true };
  }
  const a = inlineAnchor(f, false);
  if (canAnchor(lines, a.startLine, a.line)) return { ...a, suggestion: false };
  // The whole span is not in one hunk: its first line, or its last, alone.
  if (canAnchor(lines, a.startLine, a.startLine)) return { startLine: a.startLine, line: a.startLine, suggestion: false };
  if (canAnchor(lines, a.line, a.line)) return { startLine: a.line, line: a.line, suggestion: false };
  return null;
}

/**
 * Which findings get an inline comment this run, and where. Findings are commented as report items
 * (src/report-items.ts): one comment for related rules on one target, and one for a rule on
 * `comments.group_from` targets or more of a file, anchored on the first target the diff shows.
 * `posted` holds the keys already commented on the PR: an item is commented once, under its key,
 * or already was when every finding of it has a comment of its own (from before it was grouped).
 * At most `comments.max_inline` current items have a comment at any time: those already commented
 * count against it.
 */
export function planInline(input: InlineInput, posted: Set<string>): InlinePlan {
  const { review, settings } = input;
  const plan: InlinePlan = { comments: [], folded: [], outOfDiff: [], alreadyPosted: [] };
  const parsed = new Map<string, PatchLines>();
  const linesOf = (path: string) => {
    let p = parsed.get(path);
    if (!p) parsed.set(path, (p = parsePatch(input.patches.get(path))));
    return p;
  };
  const seen = new Set<string>();
  const fresh = dedupe(review.findings.filter((f) => f.status === 'new').sort(bySeverity));
  const items = reportItems(fresh, settings.comments.group_from);
  const commented = (f: Finding) => posted.has(fingerprintKey(f.fingerprint)) || (f.previousFingerprint !== undefined && posted.has(fingerprintKey(f.previousFingerprint)));
  const isPosted = (item: ReportItem) =>
    posted.has(fingerprintKey(item.key)) || posted.has(fingerprintKey(groupKey(item.lead.rule, item.lead.path))) || item.findings.every(commented);
  // The cap counts the comments already on the PR for current items, so a second run with the
  // same findings posts nothing, and a fixed finding frees its place for the next one.
  const onPr = items.filter(isPosted).length;
  const budget = Math.max(0, settings.comments.max_inline - onPr);
  for (const item of items) {
    if (seen.has(item.key)) continue;
    seen.add(item.key);
    if (isPosted(item)) {
      plan.alreadyPosted.push(...item.findings);
      continue;
    }
    const placed = anchorItem(item, linesOf(item.lead.path), settings.comments.suggestions);
    if (!placed) {
      plan.outOfDiff.push(...item.findings);
      continue;
    }
    if (plan.comments.length >= budget) {
      plan.folded.push(...item.findings);
      continue;
    }
    const { anchor } = placed;
    const comment: ReviewComment = {
      path: item.lead.path,
      line: anchor.line,
      side: 'RIGHT',
      ...(anchor.startLine < anchor.line ? { start_line: anchor.startLine, start_side: 'RIGHT' as const } : {}),
      body: renderInline(placed.item, {
        suggestions: anchor.suggestion,
        ...(input.fileUrl ? { fileUrl: input.fileUrl } : {}),
        ...(input.templates ? { overrides: input.templates } : {}),
      }),
    };
    plan.comments.push({ finding: placed.item.lead, findings: item.findings, comment, suggestion: anchor.suggestion });
  }
  return plan;
}

/** One finding a fingerprint: a fingerprint is commented once. */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = fingerprintKey(f.fingerprint);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The item told by the first of its targets the diff shows, and where; null when it shows none. */
function anchorItem(item: ReportItem, lines: PatchLines, suggestions: boolean): { item: ReportItem; anchor: NonNullable<ReturnType<typeof anchorFor>> } | null {
  for (const target of [item.lead, ...item.targets]) {
    const anchor = anchorFor(target, lines, suggestions);
    if (anchor) return { item: ledBy(item, target), anchor };
  }
  return null;
}

/** The body of the review that carries the comments. */
export function reviewBody(plan: InlinePlan, settings: PublishSettings, templates?: Record<string, string>): string {
  return inlineReviewBody(
    {
      count: plan.comments.reduce((n, c) => n + c.findings.length, 0),
      folded: plan.folded.length,
      outOfDiff: plan.outOfDiff.length,
      maxInline: settings.comments.max_inline,
      summaryComment: settings.comments.summary,
    },
    templates,
  );
}

/**
 * Unresolved threads of ours whose first comment's finding is no longer a new finding of the
 * review: a comment stands while any finding it could stand for is new (its fingerprint, or, for a
 * grouped comment, its rule in its file).
 */
export function staleThreads(threads: ListedThread[], review: Review): string[] {
  const current = new Set<string>();
  for (const f of review.findings) {
    if (f.status !== 'new') continue;
    current.add(fingerprintKey(f.fingerprint));
    current.add(fingerprintKey(groupKey(f.rule, f.path)));
    // A comment made before the file was renamed is the same finding's.
    if (f.previousFingerprint !== undefined) current.add(fingerprintKey(f.previousFingerprint));
  }
  return threads
    .filter((t) => {
      if (t.isResolved || !t.first) return false;
      const fp = oursFingerprint(t.first.body, t.first.authorType);
      return fp !== null && !current.has(fp);
    })
    .map((t) => t.id);
}

/** The whole plan: the review to post (if any) and the threads to resolve. */
export function planInlineChanges(input: InlineInput, state: InlineState): InlineChanges {
  const plan = planInline(input, postedFingerprints(state.comments));
  const review = plan.comments.length > 0 ? { body: reviewBody(plan, input.settings, input.templates), comments: plan.comments.map((c) => c.comment) } : null;
  return { ...plan, review, resolve: staleThreads(state.threads, input.review) };
}
