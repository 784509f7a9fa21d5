/**
 * Markdown surfaces: the sticky PR comment, the check run's output, inline review comments,
 * tracking issues and the CLI's Markdown report. Pure: a Review (or a Finding) and options in, text
 * out. Text comes from the templates in `templates/` (see handlebars.ts); a repository's overrides
 * are passed in as texts.
 */
import type { Finding, Review } from '../model.js';
import type { ReportItem } from '../report-items.js';
import { plain } from './escape.js';
import { renderTemplate, type TemplateOverrides } from './handlebars.js';
import {
  DEFAULT_CAPS,
  SUMMARY_MARKER,
  buildView,
  findingView,
  fingerprintMarker,
  itemView,
  type Caps,
  type FileUrl,
  type GateOptions,
} from './view.js';

export { SUMMARY_MARKER, fingerprintKey, fingerprintMarker, parseFingerprintMarker } from './view.js';
export type { FileUrl, GateOptions } from './view.js';

/** GitHub's limit on a comment, review comment or issue body ("maximum is 65536 characters"). */
export const COMMENT_LIMIT = 65536;
/** GitHub's limit on a check run's output.summary and output.text. */
export const CHECK_OUTPUT_LIMIT = 65535;
/** New findings listed in the summary comment unless told otherwise. */
export const DEFAULT_MAX_FINDINGS = 50;

export interface SummaryOptions extends GateOptions {
  /** Template overrides of the repository, `{ name: text }` (e.g. `{ summary: '...' }`). */
  overrides?: TemplateOverrides;
  /** Link to a file at a line on the head commit; without it locations are shown unlinked. */
  fileUrl?: FileUrl;
  /** New findings listed before "…and N more" (default 50). Existing and suppressed: the same cap. */
  maxFindings?: number;
  /** One rule on this many targets of a file is listed once (`comments.group_from`, default 3; 0: never). */
  groupFrom?: number;
  /** Surfaces the publisher could not post, each with why (the check run's summary says so). */
  unpublished?: string[];
  /** Maximum length of the result (default: GitHub's 65536 for a comment). */
  limit?: number;
}

export interface InlineOptions {
  overrides?: TemplateOverrides;
  fileUrl?: FileUrl;
  /** Attach the ```suggestion block when the finding has a fix (default true; config `comments.suggestions`). */
  suggestions?: boolean;
}

export interface IssueOptions {
  overrides?: TemplateOverrides;
  /** Link to the file and line on the default branch: a URL, or a function as elsewhere. */
  fileUrl?: string | FileUrl;
}

export interface CheckOutput {
  /** Short line shown next to the check's name. */
  title: string;
  /** output.summary, at most 65535 characters. */
  summary: string;
  /** output.text: every finding in full, at most 65535 characters; absent when there is no finding. */
  text?: string;
}

/** Lengths are measured in UTF-16 code units, which is never less than GitHub's count of characters. */
function fits(text: string, limit: number): boolean {
  return text.length <= limit;
}

/**
 * The next, smaller set of caps, or null when nothing is left to shrink. The full list (`all`)
 * shrinks in proportion to the excess, so a review of thousands of findings takes a few renders.
 */
function shrink(c: Caps, listed: number, ratio: number): Caps | null {
  const half = (n: number) => Math.floor(n / 2);
  if (c.all > 0) {
    const shown = Number.isFinite(c.all) ? Math.min(c.all, listed) : listed;
    return { ...c, all: Math.max(0, Math.min(half(shown), Math.floor(shown * ratio * 0.9))) };
  }
  if (c.others > 0) return { ...c, others: half(c.others) };
  if (c.aux > 0) return { ...c, aux: half(c.aux) };
  if (c.newFindings > 0) return { ...c, newFindings: half(c.newFindings) };
  if (c.chart) return { ...c, chart: false };
  return null;
}

/** Puts the marker on the first line (an override may have moved or dropped it). */
function withMarker(text: string, marker: string | undefined): string {
  if (!marker || text.startsWith(marker + '\n')) return text;
  return marker + '\n' + text.split(marker).join('');
}

/**
 * Last resort when even the smallest rendering is too long (an override, a huge gate reason):
 * cut at a line break, close what the cut left open (a code fence, `<details>`, an HTML comment),
 * and say so. The marker is on the first line and is never cut.
 */
export function hardCut(text: string, limit: number, marker?: string): string {
  const notice = '\n\n_…the rest was cut: it was longer than GitHub allows._\n';
  const reserve = notice.length + 200;
  let cut = text.slice(0, Math.max(0, limit - reserve));
  const nl = cut.lastIndexOf('\n');
  if (nl > (marker?.length ?? 0)) cut = cut.slice(0, nl);
  const openComment = cut.lastIndexOf('<!--');
  if (openComment > cut.lastIndexOf('-->') && openComment >= (marker?.length ?? 0)) cut = cut.slice(0, openComment);
  let closers = '';
  let fence: string | null = null;
  for (const line of cut.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!m) continue;
    if (fence === null) fence = m[1]!;
    else if (m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = null;
  }
  if (fence !== null) closers += '\n' + fence;
  const opened = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < opened; i++) closers += '\n\n</details>';
  const out = withMarker(cut + closers + notice, marker);
  return out.length <= limit ? out : out.slice(0, limit);
}

/** Renders with ever smaller caps until the text fits; the marker stays on the first line. */
function fitted(render: (caps: Caps) => string, start: Caps, limit: number, listed: number, marker?: string): string {
  let caps: Caps | null = start;
  let text = '';
  for (let i = 0; caps && i < 200; i++) {
    text = withMarker(render(caps), marker);
    if (fits(text, limit)) return text;
    caps = shrink(caps, listed, limit / text.length);
  }
  return hardCut(text, limit, marker);
}

function startCaps(opts: Pick<SummaryOptions, 'maxFindings' | 'groupFrom'>): Caps {
  const n = opts.maxFindings === undefined ? DEFAULT_MAX_FINDINGS : Math.max(0, Math.floor(opts.maxFindings));
  return { ...DEFAULT_CAPS, newFindings: n, others: n, ...(opts.groupFrom !== undefined ? { group: opts.groupFrom } : {}) };
}

/**
 * The sticky summary comment: verdict and reasons, the pillar table, the formula, a chart, new
 * findings by pillar, existing and suppressed findings folded away, suppression problems, skipped
 * files, lifecycle phases. Always at most `limit` (65536) characters, first line the marker.
 */
export function renderSummary(review: Review, opts: SummaryOptions): string {
  const limit = opts.limit ?? COMMENT_LIMIT;
  const start: Caps = { ...startCaps(opts), all: 0 };
  return fitted(
    (caps) => renderTemplate('summary', buildView(review, opts, caps, opts.fileUrl), opts.overrides),
    start,
    limit,
    review.findings.length,
    SUMMARY_MARKER,
  );
}

/** The check run's output: a short title, the summary, and every finding in full as the text. */
export function renderCheckSummary(review: Review, opts: SummaryOptions): CheckOutput {
  const limit = Math.min(opts.limit ?? CHECK_OUTPUT_LIMIT, CHECK_OUTPUT_LIMIT);
  const summary = fitted(
    (caps) => renderTemplate('check-summary', buildView(review, opts, caps, opts.fileUrl), opts.overrides),
    { ...startCaps(opts), all: 0 },
    limit,
    review.findings.length,
  );
  const out: CheckOutput = { title: checkTitle(review), summary };
  if (review.findings.length > 0) {
    out.text = fitted(
      (caps) => renderTemplate('check-text', buildView(review, opts, caps, opts.fileUrl), opts.overrides),
      // No finding in full takes less than ~100 characters: start from what could fit at best, so
      // the work stays bounded however many findings there are.
      { ...DEFAULT_CAPS, newFindings: 0, others: 0, aux: 0, chart: false, all: Math.ceil(limit / 100) },
      limit,
      review.findings.length,
    );
  }
  return out;
}

/** `Failing · 7 new findings (2 high, 5 medium)`, `Passing · no new findings · 3 fixed`. */
export function checkTitle(review: Review): string {
  const v = buildView(review, { failOn: 'high', minScore: 0 }, { ...DEFAULT_CAPS, newFindings: 0, others: 0, aux: 0, all: 0, chart: false });
  const findings = v.counts.new === 0 ? 'no new findings' : `${v.counts.new} new finding${v.counts.new === 1 ? '' : 's'} (${v.counts.newBySeverity})`;
  return `${v.verdict.label} · ${findings}${v.counts.fixed > 0 ? ` · ${v.counts.fixed} fixed` : ''}`;
}

/**
 * One inline review comment for a finding, or for a report item (src/report-items.ts): the item's
 * lead told in full, its further targets and related rules' findings named. With a fix (and
 * `suggestions` not false) it carries a ```suggestion block that replaces the lead's lines
 * fix.startLine..fix.endLine: the publisher must anchor the comment on exactly those lines
 * (`start_line`/`line`, see `inlineAnchor`). The hidden marker holds the item's key.
 */
export function renderInline(subject: Finding | ReportItem, opts: InlineOptions = {}): string {
  const item: ReportItem = 'lead' in subject ? subject : { lead: subject, targets: [], related: [], findings: [subject], key: subject.fingerprint };
  const base = itemView(item, opts.fileUrl);
  const view = { ...base, marker: fingerprintMarker(item.key), fix: opts.suggestions === false ? null : base.fix };
  const marker = view.marker;
  let text = withMarker(renderTemplate('inline', view, opts.overrides), marker);
  if (!fits(text, COMMENT_LIMIT) && view.fix) {
    text = withMarker(renderTemplate('inline', { ...view, fix: null }, opts.overrides), marker);
  }
  return fits(text, COMMENT_LIMIT) ? text : hardCut(text, COMMENT_LIMIT, marker);
}

/** Lines an inline comment for `finding` must be anchored on (the fix's lines when it has one). */
export function inlineAnchor(finding: Finding, suggestions = true): { startLine: number; line: number } {
  const span = suggestions && finding.fix ? finding.fix : finding;
  return { startLine: span.startLine, line: Math.max(span.startLine, span.endLine) };
}

/** Title and body of a tracking issue for a finding. */
export function renderIssue(finding: Finding, opts: IssueOptions = {}): { title: string; body: string } {
  const fileUrl: FileUrl | undefined =
    typeof opts.fileUrl === 'string' ? () => opts.fileUrl as string : opts.fileUrl;
  const view = { ...findingView(finding, fileUrl), marker: fingerprintMarker(finding.fingerprint) };
  let body = withMarker(renderTemplate('issue', view, opts.overrides), view.marker);
  if (!fits(body, COMMENT_LIMIT)) body = hardCut(body, COMMENT_LIMIT, view.marker);
  return { title: issueTitle(finding), body };
}

/**
 * A tracking issue's title: plain text (titles are not Markdown), one line, at most 200
 * characters, with mentions and issue references broken by a zero-width space.
 */
export function issueTitle(finding: Finding): string {
  const address = plain(finding.address, 120);
  const title = `${plain(finding.title, 160)}${address ? ` (${address})` : ''}`;
  return plain(title, 200).replace(/@(?=[A-Za-z0-9])/g, '@\u200b').replace(/#(?=[0-9])/g, '#\u200b');
}

/** `ml-lens review --format markdown`: the summary, then every finding in full. No length cap. */
export function renderMarkdownReport(review: Review, opts: SummaryOptions): string {
  const caps: Caps = { ...startCaps(opts), newFindings: Infinity, others: Infinity, aux: Infinity, all: Infinity };
  return renderTemplate('report', buildView(review, opts, caps, opts.fileUrl), opts.overrides);
}
