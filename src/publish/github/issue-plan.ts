/**
 * The plan of the tracking issues, pure: from the review and the issues GitHub lists, what to open,
 * update, reopen (with a comment), close (with a comment) and leave. One issue per risk item (an
 * unsuppressed finding at or above `issues.min_severity`), keyed by the fingerprint marker on the
 * first line of its body. An issue a person closed as "not planned" (or as a duplicate) is left
 * closed: that is how a risk is accepted.
 */
import { SEVERITY_RANK, type Finding, type Review, type Severity } from '../../model.js';
import { fingerprintKey, parseFingerprintMarker, type FileUrl } from '../../render/index.js';
import { bySeverity } from '../../render/view.js';
import type { PublishSettings } from '../../plan.js';
import { ownersOf } from './codeowners.js';
import { issuePath, issueText, labelsFor, mergedLabels, sameBody } from './issue-text.js';
import { commitLink, issueClosedComment, issueReopenedComment, type IssueCloseReason } from './texts.js';

/** An issue as GitHub lists it. */
export interface ListedIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  labels: (string | { name?: string | null })[];
  user?: { type?: string | null } | null;
  pull_request?: unknown;
}

export interface IssuePlanInput {
  review: Review;
  settings: PublishSettings;
  /** Commit the findings were found at: issue links point there. */
  sha: string;
  /** Link to a file's lines at `sha`. */
  fileUrl: FileUrl;
  /** Link to the commit `sha`. */
  commitUrl: string;
  /**
   * Paths the review covered: an open issue whose finding is gone is closed only when its path is
   * among them (a review of some files says nothing about the others). `'**'` means every path.
   */
  scopePaths: string[];
  /** Only new findings get (or keep) an issue: a pull request's own risk items. */
  onlyNew?: boolean | undefined;
  codeowners?: string | null | undefined;
  templates?: Record<string, string> | undefined;
}

export type IssueOp =
  | { kind: 'create'; finding: Finding; title: string; body: string; labels: string[]; assignees: string[] }
  | { kind: 'update'; number: number; title: string; body: string; labels: string[] | null }
  | { kind: 'reopen'; number: number; title: string; body: string; labels: string[]; comment: string }
  | { kind: 'close'; number: number; comment: string; reason: 'completed' | 'duplicate' };

export interface IssuePlan {
  ops: IssueOp[];
  /** Labels the created, reopened and relabelled issues carry: they must exist first. */
  labels: string[];
  /** Issues of ours looked at and left as they are (up to date, or closed as not planned). */
  left: number[];
}

/** Findings that should have an open issue, most severe first, one per fingerprint. */
export function riskItems(review: Review, settings: PublishSettings, onlyNew = false): Finding[] {
  const min = SEVERITY_RANK[settings.issues.min_severity as Severity];
  const seen = new Set<string>();
  return review.findings
    .filter((f) => f.status !== 'suppressed' && (!onlyNew || f.status === 'new') && SEVERITY_RANK[f.severity] >= min)
    .sort(bySeverity)
    .filter((f) => {
      const k = fingerprintKey(f.fingerprint);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

function labelNames(issue: ListedIssue): string[] {
  return issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Our issues (a bot's, with a fingerprint marker; never a pull request) by fingerprint. */
function oursByKey(listed: ListedIssue[]): Map<string, ListedIssue[]> {
  const byKey = new Map<string, ListedIssue[]>();
  for (const issue of listed) {
    if (issue.pull_request) continue;
    if (issue.user?.type && issue.user.type !== 'Bot') continue;
    const key = parseFingerprintMarker(issue.body ?? '');
    if (!key) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), issue]);
  }
  return byKey;
}

/** The issue that stands for a fingerprint: the oldest open one, else the newest. */
function primary(list: ListedIssue[]): ListedIssue {
  return [...list].filter((i) => i.state === 'open').sort((a, b) => a.number - b.number)[0] ?? [...list].sort((a, b) => b.number - a.number)[0]!;
}

export function planIssues(listed: ListedIssue[], input: IssuePlanInput): IssuePlan {
  const { review, settings, fileUrl, templates } = input;
  const plan: IssuePlan = { ops: [], labels: [], left: [] };
  const commit = commitLink(input.sha, input.commitUrl);
  const close = (number: number, why: IssueCloseReason) =>
    plan.ops.push({ kind: 'close', number, comment: issueClosedComment(why, commit, fileUrl, templates), reason: why.why === 'duplicate' ? 'duplicate' : 'completed' });
  const byKey = oursByKey(listed);
  const desired = riskItems(review, settings, input.onlyNew);
  // Issues a finding stands for: under its fingerprint, or under the one it had before its file moved.
  const matched = new Set<string>();

  for (const f of desired) {
    const { title, body } = issueText(f, fileUrl, templates);
    const labels = labelsFor(f, settings);
    const key = fingerprintKey(f.fingerprint);
    const before = f.previousFingerprint !== undefined ? fingerprintKey(f.previousFingerprint) : undefined;
    const moved = !byKey.has(key) && before !== undefined && byKey.has(before);
    const list = byKey.get(key) ?? (moved ? byKey.get(before!) : undefined);
    matched.add(moved ? before! : key);
    if (!list) {
      const assignees = settings.issues.assign_codeowners ? ownersOf(input.codeowners, f.path) : [];
      plan.ops.push({ kind: 'create', finding: f, title, body, labels, assignees });
      continue;
    }
    const issue = primary(list);
    for (const dup of list) if (dup !== issue && dup.state === 'open') close(dup.number, { why: 'duplicate', duplicateOf: issue.number });
    const current = labelNames(issue);
    if (issue.state === 'open') {
      const merged = mergedLabels(current, labels);
      const labelsChanged = !sameSet(merged, current);
      if (issue.title !== title || !sameBody(issue.body, body) || labelsChanged) {
        plan.ops.push({ kind: 'update', number: issue.number, title, body, labels: labelsChanged ? merged : null });
      } else {
        plan.left.push(issue.number);
      }
    } else if (issue.state_reason === 'not_planned' || issue.state_reason === 'duplicate') {
      // A person accepted the risk (or pointed elsewhere): leave it closed. Moved with its file, it
      // takes the new marker and location, so that it is found again under them.
      if (moved) plan.ops.push({ kind: 'update', number: issue.number, title, body, labels: null });
      else plan.left.push(issue.number);
    } else {
      const comment = issueReopenedComment(f, commitLink(input.sha, fileUrl(f.path, f.startLine, f.endLine)), fileUrl, templates);
      plan.ops.push({ kind: 'reopen', number: issue.number, title, body, labels: mergedLabels(current, labels), comment });
    }
  }

  // Open issues whose finding is gone (or suppressed, or now below the threshold), within the reviewed paths.
  const desiredKeys = new Set([...desired.map((f) => fingerprintKey(f.fingerprint)), ...matched]);
  // A finding is known under its fingerprint and, in a renamed file, the one it had before.
  const keysOf = (f: Finding) => [fingerprintKey(f.fingerprint), ...(f.previousFingerprint !== undefined ? [fingerprintKey(f.previousFingerprint)] : [])];
  const present = new Map(review.findings.flatMap((f) => keysOf(f).map((k) => [k, f] as const)));
  const suppressed = new Map(review.findings.filter((f) => f.status === 'suppressed').flatMap((f) => keysOf(f).map((k) => [k, f] as const)));
  const allScope = input.scopePaths.includes('**');
  const scope = new Set(input.scopePaths);
  for (const [key, list] of byKey) {
    if (desiredKeys.has(key)) continue;
    for (const issue of list) {
      if (issue.state !== 'open') continue;
      const still = present.get(key);
      const path = still?.path ?? issuePath(issue.body ?? '');
      if (path === null || !(allScope || scope.has(path))) continue;
      const hidden = suppressed.get(key);
      close(issue.number, hidden ? { why: 'suppressed', finding: hidden } : still ? { why: 'below-threshold', finding: still } : { why: 'gone' });
    }
  }

  const needed = new Set<string>();
  for (const op of plan.ops) if ((op.kind === 'create' || op.kind === 'reopen' || op.kind === 'update') && op.labels) op.labels.forEach((l) => needed.add(l));
  plan.labels = [...needed];
  return plan;
}

/** Where a risk item's tracking issue stands after a plan was applied: the map the history keeps. */
export interface TrackedIssue {
  /** The fingerprint key of the issue's marker. */
  fingerprint: string;
  number: number;
  state: 'open' | 'closed';
}

/**
 * The tracking issues as a plan left them, one per fingerprint (the issue that stands for it, as
 * `planIssues` picks it): the listed issues with the plan's edits, and the issues it opened
 * (`created`: their numbers, as GitHub answered; one without a number is left out).
 */
export function issuesAfter(listed: ListedIssue[], plan: IssuePlan, created: ReadonlyMap<IssueOp, number>): TrackedIssue[] {
  const after = new Map(listed.map((i) => [i.number, { ...i }]));
  for (const op of plan.ops) {
    if (op.kind === 'create') {
      const number = created.get(op);
      if (number !== undefined) after.set(number, { number, title: op.title, body: op.body, state: 'open', labels: op.labels, user: { type: 'Bot' } });
      continue;
    }
    const issue = after.get(op.number);
    if (!issue) continue;
    if (op.kind === 'update' || op.kind === 'reopen') issue.body = op.body;
    if (op.kind === 'reopen') issue.state = 'open';
    if (op.kind === 'close') issue.state = 'closed';
  }
  return [...oursByKey([...after.values()])].map(([fingerprint, list]) => {
    const issue = primary(list);
    return { fingerprint, number: issue.number, state: issue.state === 'open' ? 'open' : 'closed' };
  });
}
