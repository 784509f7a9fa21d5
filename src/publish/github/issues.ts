/**
 * Tracking issues, reconciled: one issue per risk item (an unsuppressed finding at or above
 * `issues.min_severity`), keyed by the fingerprint marker on the first line of its body. Opened
 * when missing, updated when its title, body or labels changed, closed with a comment when the
 * finding is gone, reopened when it returns — except an issue a person closed as "not planned" (or
 * as a duplicate), which is left alone: that is how a risk is accepted.
 */
import { SEVERITY_RANK, type Finding, type Review, type Severity } from '../../model.js';
import { fingerprintKey, parseFingerprintMarker, renderIssue, type FileUrl } from '../../render/index.js';
import { esc } from '../../render/escape.js';
import { bySeverity } from '../../render/view.js';
import type { Config } from '../../config/schema.js';
import { ownersOf } from './codeowners.js';
import { Calls, blobUrl, commitUrl, listAll, sameText, statusOf, step, type GitHubTarget } from './common.js';

/** The label every tracking issue carries; issues are listed by it. */
export const ISSUE_LABEL = 'ml-lens';

export interface IssuesInput {
  review: Review;
  config: Config;
  defaultBranch: string;
  /** Commit the findings were found at: issue links point there. */
  sha: string;
  /**
   * Paths the review covered: an open issue whose finding is gone is closed only when its path is
   * among them (a review of some files says nothing about the others). `'**'` means every path.
   */
  scopePaths: string[];
  codeowners?: string | null;
  templates?: Record<string, string>;
}

interface SyncOptions extends IssuesInput {
  /** Only new findings get (or keep) an issue: a pull request's own risk items. */
  onlyNew?: boolean;
  /** Ignore `issues.create: never` (never used for it: a person asked). */
  force?: boolean;
}

interface ListedIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  labels: (string | { name?: string | null })[];
  user?: { type?: string | null } | null;
  pull_request?: unknown;
}

const LABEL_COLORS: Record<string, string> = {
  [ISSUE_LABEL]: '5319e7',
  'severity:critical': 'b60205',
  'severity:high': 'd93f0b',
  'severity:medium': 'fbca04',
  'severity:low': 'c2e0c6',
  'severity:info': 'ededed',
};

function labelColor(name: string): string {
  return LABEL_COLORS[name] ?? (name.startsWith('pillar:') ? '1d76db' : 'ededed');
}

function labelDescription(name: string): string {
  if (name === ISSUE_LABEL) return 'Risk item tracked by ML Lens Reviewer';
  if (name.startsWith('pillar:')) return `ML Lens pillar: ${name.slice('pillar:'.length)}`;
  if (name.startsWith('severity:')) return `ML Lens severity: ${name.slice('severity:'.length)}`;
  return 'Added by ML Lens Reviewer';
}

/** Labels of a finding's issue: `ml-lens`, the configured ones, `pillar:<name>`, `severity:<level>`. */
export function labelsFor(f: Finding, config: Config): string[] {
  return [...new Set([ISSUE_LABEL, ...config.issues.labels, `pillar:${f.pillar}`, `severity:${f.severity}`])];
}

/** Hidden marker carrying the path, so an issue whose finding is gone can be scoped. */
const PATH_MARKER = /<!-- ml-lens:path=([^\s>]*) -->/g;

function pathMarker(path: string): string {
  return `<!-- ml-lens:path=${encodeURIComponent(path).replace(/-/g, '%2D')} -->`;
}

/** The path an issue tracks: from its path marker, else from the link to the file. */
export function issuePath(body: string): string | null {
  const markers = [...body.matchAll(PATH_MARKER)];
  const last = markers[markers.length - 1];
  if (last) {
    try {
      return decodeURIComponent(last[1]!);
    } catch {
      return null;
    }
  }
  const link = /\/blob\/[0-9a-f]{40}\/([^#)\s]+)#L\d+/.exec(body);
  if (!link) return null;
  try {
    return link[1]!.split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
}

/** Title and body of a finding's issue (the body ends with the path marker). */
export function issueText(f: Finding, fileUrl: FileUrl, templates?: Record<string, string>): { title: string; body: string } {
  const { title, body } = renderIssue(f, { fileUrl, ...(templates ? { overrides: templates } : {}) });
  const marker = `\n\n${pathMarker(f.path)}`;
  const limit = 65536 - marker.length;
  return { title, body: (body.length > limit ? body.slice(0, limit) : body) + marker };
}

/** Links point at the commit of the run; a body that differs only in that commit is not changed. */
function sameBody(existing: string | null | undefined, desired: string): boolean {
  const norm = (s: string) => s.replace(/\/blob\/[0-9a-f]{40}\//g, '/blob/SHA/');
  return sameText(norm(existing ?? ''), norm(desired));
}

function labelNames(issue: ListedIssue): string[] {
  return issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);
}

/** The labels an existing issue should have: ours replace stale `pillar:`/`severity:` ones, others stay. */
function mergedLabels(current: string[], desired: string[]): string[] {
  const keep = current.filter((l) => !(l.startsWith('pillar:') || l.startsWith('severity:')) || desired.includes(l));
  return [...new Set([...keep, ...desired])];
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Labels known to exist, per repository, for the life of the process (they are created once). */
const knownLabels = new Map<string, Set<string>>();

/** For tests: forget which labels exist. */
export function resetLabelCache(): void {
  knownLabels.clear();
}

async function ensureLabels(gh: GitHubTarget, calls: Calls, names: Set<string>): Promise<void> {
  const key = `${gh.owner}/${gh.repo}`.toLowerCase();
  let known = knownLabels.get(key);
  if (known && [...names].every((n) => known!.has(n.toLowerCase()))) return;
  if (!known) {
    const listed = await step('listing the repository labels', () =>
      listAll<{ name: string }>(gh, calls, gh.octokit.rest.issues.listLabelsForRepo, { owner: gh.owner, repo: gh.repo }),
    );
    known = new Set(listed.map((l) => l.name.toLowerCase()));
    knownLabels.set(key, known);
  }
  for (const name of names) {
    if (known.has(name.toLowerCase())) continue;
    await step(`creating the label ${name}`, async () => {
      calls.n++;
      try {
        await gh.octokit.rest.issues.createLabel({ owner: gh.owner, repo: gh.repo, name, color: labelColor(name), description: labelDescription(name) });
      } catch (err) {
        // 422 already_exists: created meanwhile (another run, a person). Fine.
        if (statusOf(err) !== 422) throw err;
      }
    });
    known.add(name.toLowerCase());
  }
}

/** Findings that should have an open issue, most severe first, one per fingerprint. */
export function riskItems(review: Review, config: Config, onlyNew = false): Finding[] {
  const min = SEVERITY_RANK[config.issues.min_severity as Severity];
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

/**
 * Brings the repository's tracking issues in line with a review of the default branch. Requests:
 * the issue list (1 a hundred issues), plus writes only for what changed (and, the first time in a
 * process, the label list and the labels it lacks).
 */
export async function reconcileIssues(gh: GitHubTarget, input: IssuesInput): Promise<void> {
  await syncIssues(gh, new Calls(), input);
}

/** The reconcile loop behind `reconcileIssues` and the pull request paths. */
export async function syncIssues(gh: GitHubTarget, calls: Calls, input: SyncOptions): Promise<void> {
  const { review, config } = input;
  if (config.issues.create === 'never' && !input.force) return;
  const { owner, repo } = gh;
  const fileUrl = blobUrl(gh, input.sha);
  const desired = riskItems(review, config, input.onlyNew);
  const allScope = input.scopePaths.includes('**');
  const scope = new Set(input.scopePaths);
  const desiredKeys = new Set(desired.map((f) => fingerprintKey(f.fingerprint)));

  const listed = await step('listing the tracking issues', () =>
    listAll<ListedIssue>(gh, calls, gh.octokit.rest.issues.listForRepo, { owner, repo, labels: ISSUE_LABEL, state: 'all' }),
  );
  const byKey = new Map<string, ListedIssue[]>();
  for (const issue of listed) {
    if (issue.pull_request) continue;
    if (issue.user?.type && issue.user.type !== 'Bot') continue;
    const key = parseFingerprintMarker(issue.body ?? '');
    if (!key) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), issue]);
  }
  /** The issue that stands for a fingerprint: the oldest open one, else the newest. */
  const primary = (list: ListedIssue[]) =>
    [...list].filter((i) => i.state === 'open').sort((a, b) => a.number - b.number)[0] ?? [...list].sort((a, b) => b.number - a.number)[0]!;

  type Op =
    | { kind: 'create'; f: Finding; title: string; body: string; labels: string[] }
    | { kind: 'update'; issue: ListedIssue; title: string; body: string; labels: string[] | null }
    | { kind: 'reopen'; issue: ListedIssue; f: Finding; title: string; body: string; labels: string[] }
    | { kind: 'close'; issue: ListedIssue; comment: string; reason: 'completed' | 'duplicate' };
  const ops: Op[] = [];

  for (const f of desired) {
    const key = fingerprintKey(f.fingerprint);
    const { title, body } = issueText(f, fileUrl, input.templates);
    const labels = labelsFor(f, config);
    const list = byKey.get(key);
    if (!list) {
      ops.push({ kind: 'create', f, title, body, labels });
      continue;
    }
    const issue = primary(list);
    for (const dup of list) {
      if (dup !== issue && dup.state === 'open') {
        ops.push({ kind: 'close', issue: dup, comment: `Duplicate of #${issue.number}, which tracks the same finding.`, reason: 'duplicate' });
      }
    }
    if (issue.state === 'open') {
      const merged = mergedLabels(labelNames(issue), labels);
      const labelsChanged = !sameSet(merged, labelNames(issue));
      if (issue.title !== title || !sameBody(issue.body, body) || labelsChanged) {
        ops.push({ kind: 'update', issue, title, body, labels: labelsChanged ? merged : null });
      }
    } else if (issue.state_reason === 'not_planned' || issue.state_reason === 'duplicate') {
      // A person accepted the risk (or pointed elsewhere): leave it closed.
    } else {
      ops.push({ kind: 'reopen', issue, f, title, body, labels: mergedLabels(labelNames(issue), labels) });
    }
  }

  // Open issues whose finding is gone, within the reviewed paths.
  const suppressedByKey = new Map(review.findings.filter((f) => f.status === 'suppressed').map((f) => [fingerprintKey(f.fingerprint), f]));
  const presentByKey = new Map(review.findings.map((f) => [fingerprintKey(f.fingerprint), f]));
  for (const [key, list] of byKey) {
    if (desiredKeys.has(key)) continue;
    for (const issue of list) {
      if (issue.state !== 'open') continue;
      const path = presentByKey.get(key)?.path ?? issuePath(issue.body ?? '');
      if (path === null || !(allScope || scope.has(path))) continue;
      const link = `[\`${input.sha.slice(0, 7)}\`](${commitUrl(gh, input.sha)})`;
      const suppressed = suppressedByKey.get(key);
      const still = presentByKey.get(key);
      let comment: string;
      if (suppressed) {
        comment = `ML Lens closes this issue: the finding is suppressed at ${link}${suppressed.suppression ? ` (${suppressed.suppression.source === 'inline' ? 'inline' : 'configuration'}: ${esc(suppressed.suppression.reason, 300)})` : ''}. It is reopened if the suppression goes away or expires.`;
      } else if (still) {
        comment = `ML Lens closes this issue: the finding at ${link} is now below the severity that gets a tracking issue (\`issues.min_severity\`). It is reopened if that changes.`;
      } else {
        comment = `ML Lens closes this issue: the finding is no longer present at ${link}. It is reopened if it comes back.`;
      }
      ops.push({ kind: 'close', issue, comment, reason: 'completed' });
    }
  }

  const needed = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'create' || op.kind === 'reopen') op.labels.forEach((l) => needed.add(l));
    if (op.kind === 'update' && op.labels) op.labels.forEach((l) => needed.add(l));
  }
  if (needed.size) await ensureLabels(gh, calls, needed);

  for (const op of ops) {
    switch (op.kind) {
      case 'create': {
        const assignees = config.issues.assign_codeowners ? ownersOf(input.codeowners, op.f.path) : [];
        await step(`opening a tracking issue for ${op.f.rule} in ${op.f.path}`, async () => {
          calls.n++;
          try {
            await gh.octokit.rest.issues.create({ owner, repo, title: op.title, body: op.body, labels: op.labels, ...(assignees.length ? { assignees } : {}) });
          } catch (err) {
            // An owner who cannot be assigned (no access to the repository) fails the whole call.
            if (statusOf(err) !== 422 || assignees.length === 0) throw err;
            calls.n++;
            await gh.octokit.rest.issues.create({ owner, repo, title: op.title, body: op.body, labels: op.labels });
          }
        });
        break;
      }
      case 'update':
        await step(`updating tracking issue #${op.issue.number}`, () => {
          calls.n++;
          return gh.octokit.rest.issues.update({ owner, repo, issue_number: op.issue.number, title: op.title, body: op.body, ...(op.labels ? { labels: op.labels } : {}) });
        });
        break;
      case 'reopen':
        await step(`reopening tracking issue #${op.issue.number}`, async () => {
          calls.n++;
          await gh.octokit.rest.issues.update({ owner, repo, issue_number: op.issue.number, state: 'open', title: op.title, body: op.body, labels: op.labels });
          calls.n++;
          await gh.octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: op.issue.number,
            body: `ML Lens reopens this issue: the finding is present again at [\`${input.sha.slice(0, 7)}\`](${fileUrl(op.f.path, op.f.startLine, op.f.endLine)}).`,
          });
        });
        break;
      case 'close':
        await step(`closing tracking issue #${op.issue.number}`, async () => {
          calls.n++;
          await gh.octokit.rest.issues.createComment({ owner, repo, issue_number: op.issue.number, body: op.comment });
          calls.n++;
          await gh.octokit.rest.issues.update({ owner, repo, issue_number: op.issue.number, state: 'closed', state_reason: op.reason });
        });
        break;
    }
  }
}
