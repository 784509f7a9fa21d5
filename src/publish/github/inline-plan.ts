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
  finding: Finding;
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
 * Which findings get an inline comment this run, and where. `posted` holds the fingerprints
 * already commented on the PR. At most `comments.max_inline` current findings have a comment at
 * any time: those already commented count against it.
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
  const findings = review.findings.filter((f) => f.status === 'new').sort(bySeverity);
  // The cap counts the comments already on the PR for current findings, so a second run with the
  // same findings posts nothing, and a fixed finding frees its place for the next one.
  const onPr = new Set(findings.map((f) => fingerprintKey(f.fingerprint)).filter((k) => posted.has(k))).size;
  const budget = Math.max(0, settings.comments.max_inline - onPr);
  for (const f of findings) {
    const key = fingerprintKey(f.fingerprint);
    if (seen.has(key)) continue;
    seen.add(key);
    if (posted.has(key)) {
      plan.alreadyPosted.push(f);
      continue;
    }
    const anchor = anchorFor(f, linesOf(f.path), settings.comments.suggestions);
    if (!anchor) {
      plan.outOfDiff.push(f);
      continue;
    }
    if (plan.comments.length >= budget) {
      plan.folded.push(f);
      continue;
    }
    const comment: ReviewComment = {
      path: f.path,
      line: anchor.line,
      side: 'RIGHT',
      ...(anchor.startLine < anchor.line ? { start_line: anchor.startLine, start_side: 'RIGHT' as const } : {}),
      body: renderInline(f, {
        suggestions: anchor.suggestion,
        ...(input.fileUrl ? { fileUrl: input.fileUrl } : {}),
        ...(input.templates ? { overrides: input.templates } : {}),
      }),
    };
    plan.comments.push({ finding: f, comment, suggestion: anchor.suggestion });
  }
  return plan;
}

/** The body of the review that carries the comments. */
export function reviewBody(plan: InlinePlan, settings: PublishSettings, templates?: Record<string, string>): string {
  return inlineReviewBody(
    {
      count: plan.comments.length,
      folded: plan.folded.length,
      outOfDiff: plan.outOfDiff.length,
      maxInline: settings.comments.max_inline,
      summaryComment: settings.comments.summary,
    },
    templates,
  );
}

/** Unresolved threads of ours whose first comment's finding is no longer a new finding of the review. */
export function staleThreads(threads: ListedThread[], review: Review): string[] {
  const current = new Set(review.findings.filter((f) => f.status === 'new').map((f) => fingerprintKey(f.fingerprint)));
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
