/**
 * The sentences the publishers post besides the report itself — the check run's texts while a
 * review runs and when it fails or is cut short, the inline review's body, the comments on
 * tracking issues — rendered from `templates/` so that wording lives in one place a repository
 * can see (and, where `BUILT_IN_ONLY` allows, override). Pure.
 */
import type { Finding } from '../../model.js';
import { plain } from '../../render/escape.js';
import { renderTemplate, type TemplateOverrides } from '../../render/handlebars.js';
import { CHECK_OUTPUT_LIMIT, COMMENT_LIMIT } from '../../render/index.js';
import { findingView, type FileUrl } from '../../render/view.js';
import { cut } from './common.js';

/** A check run's `output.title` and `output.summary`. */
export interface CheckText {
  title: string;
  summary: string;
}

/** GitHub shows a check run's title on one line; ours are cut well before its limit. */
const TITLE_MAX = 200;

/**
 * A check run template's output: its first line is the title (plain text, so it is cleaned rather
 * than escaped), the rest the summary; a template of one line is both.
 */
function titled(name: string, view: object): CheckText {
  const text = renderTemplate(name, view).trimEnd();
  const nl = text.indexOf('\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  const rest = nl === -1 ? '' : text.slice(nl + 1).replace(/^\n+/, '');
  return { title: plain(first, TITLE_MAX), summary: cut(rest || first, CHECK_OUTPUT_LIMIT) };
}

/** A comment's text: the template's output without the final newline, cut to GitHub's limit. */
function comment(name: string, view: object, overrides: TemplateOverrides | undefined): string {
  return cut(renderTemplate(name, view, overrides).trimEnd(), COMMENT_LIMIT);
}

export function checkStartedText(): CheckText {
  return titled('check-started', {});
}

/** Why a review could not finish: one line or more, the details (one problem each), the button pressed. */
export interface CheckFailure {
  reason: string;
  details?: string[] | undefined;
  /** The identifier of the check run button whose action failed. */
  action?: string | undefined;
}

/** Details listed in a failed run's summary; the rest are counted. */
const MAX_DETAILS = 200;

/** `brief`: only the fixed sentences, for a second attempt after GitHub refused the full text. */
export function checkFailedText(failure: CheckFailure, brief = false): CheckText {
  const reason = typeof failure.reason === 'string' ? failure.reason : String(failure.reason);
  const details = (Array.isArray(failure.details) ? failure.details : []).map(String).filter((d) => plain(d) !== '');
  return titled('check-failed', {
    brief,
    reason,
    reasonLine: reason.split('\n')[0] ?? '',
    action: failure.action ?? null,
    details: details.slice(0, MAX_DETAILS),
    moreDetails: Math.max(0, details.length - MAX_DETAILS),
  });
}

/** Why a run ends neutral: a newer head or event superseded it, or the reviewer is stopping. */
export type NeutralEnd =
  | { why: 'superseded'; headSha: string; newHead?: string | undefined }
  /** `resumed`: the job is back on a shared queue, and another process reviews the commit again. */
  | { why: 'interrupted'; resumed?: boolean | undefined };

const short = (sha: string): string => sha.slice(0, 7);

export function checkNeutralText(end: NeutralEnd): CheckText {
  if (end.why === 'interrupted') return titled('check-interrupted', { resumed: end.resumed === true });
  return titled('check-superseded', { headSha: short(end.headSha), newHead: end.newHead ? short(end.newHead) : null });
}

/** What the inline review's body says about the findings it does not comment on. */
export interface InlineReviewCounts {
  count: number;
  folded: number;
  outOfDiff: number;
  maxInline: number;
  summaryComment: boolean;
}

export function inlineReviewBody(counts: InlineReviewCounts, overrides?: TemplateOverrides): string {
  return comment('inline-review', counts, overrides);
}

/** A link to a commit, or to a finding's lines at it. */
export interface CommitLink {
  short: string;
  url: string;
}

export function commitLink(sha: string, url: string): CommitLink {
  return { short: short(sha), url };
}

export type IssueCloseReason =
  | { why: 'gone' }
  | { why: 'below-threshold'; finding: Finding }
  | { why: 'suppressed'; finding: Finding }
  | { why: 'duplicate'; duplicateOf: number };

/** The comment an issue gets as it is closed; `commit` is the reviewed commit. */
export function issueClosedComment(close: IssueCloseReason, commit: CommitLink, fileUrl: FileUrl, overrides?: TemplateOverrides): string {
  const finding = 'finding' in close ? close.finding : null;
  const s = finding?.suppression;
  return comment(
    'issue-closed',
    {
      why: close.why,
      commit,
      duplicateOf: close.why === 'duplicate' ? close.duplicateOf : null,
      suppression: close.why === 'suppressed' && s ? { inline: s.source === 'inline', reason: s.reason } : null,
      finding: finding ? findingView(finding, fileUrl) : null,
    },
    overrides,
  );
}

/** The comment an issue gets as it is reopened; `commit.url` links the finding's lines. */
export function issueReopenedComment(finding: Finding, commit: CommitLink, fileUrl: FileUrl, overrides?: TemplateOverrides): string {
  return comment('issue-reopened', { commit, finding: findingView(finding, fileUrl) }, overrides);
}
