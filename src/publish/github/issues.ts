/**
 * Tracking issues, reconciled: the issues labelled `ml-lens` are listed, `planIssues`
 * (issue-plan.ts, pure) decides what changes, and the plan is applied here — the labels it needs
 * created first (once per process), then each issue opened, updated, reopened or closed.
 */
import type { Review } from '../../model.js';
import type { PublishSettings } from '../../plan.js';
import { blobUrl, commitUrl, listAll, statusOf, step, type GitHubTarget } from './common.js';
import { issuesAfter, planIssues, type IssueOp, type IssuePlan, type ListedIssue, type TrackedIssue } from './issue-plan.js';
import { ISSUE_LABEL, labelColor, labelDescription } from './issue-text.js';
import { countRequests } from './request-count.js';

export interface IssuesInput {
  review: Review;
  settings: PublishSettings;
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

export interface SyncOptions extends IssuesInput {
  /** Only new findings get (or keep) an issue: a pull request's own risk items. */
  onlyNew?: boolean;
  /** Ignore `issues.create: never` (never used for it: a person asked). */
  force?: boolean;
}

/**
 * Labels known to exist, per repository, for `LABEL_CACHE_MS` after they were listed: a label
 * someone deletes is created again once the entry expires (GitHub would otherwise recreate it
 * bare, without our colour and description, when an issue names it).
 */
const knownLabels = new Map<string, { names: Set<string>; until: number }>();
export const LABEL_CACHE_MS = 10 * 60_000;

/** For tests: forget which labels exist. */
export function resetLabelCache(): void {
  knownLabels.clear();
}

async function ensureLabels(gh: GitHubTarget, names: string[], now = Date.now()): Promise<void> {
  const key = `${gh.owner}/${gh.repo}`.toLowerCase();
  let entry = knownLabels.get(key);
  if (entry && entry.until <= now) {
    knownLabels.delete(key);
    entry = undefined;
  }
  if (entry && names.every((n) => entry!.names.has(n.toLowerCase()))) return;
  if (!entry) {
    const listed = await step('listing the repository labels', () =>
      listAll<{ name: string }>(gh, gh.octokit.rest.issues.listLabelsForRepo, { owner: gh.owner, repo: gh.repo }),
    );
    entry = { names: new Set(listed.map((l) => l.name.toLowerCase())), until: now + LABEL_CACHE_MS };
    knownLabels.set(key, entry);
  }
  const known = entry.names;
  for (const name of names) {
    if (known.has(name.toLowerCase())) continue;
    await step(`creating the label ${name}`, async () => {
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

/** Applies one operation; for an issue opened, returns its number (when GitHub says it). */
async function applyOp(gh: GitHubTarget, op: IssueOp): Promise<number | undefined> {
  const { owner, repo } = gh;
  switch (op.kind) {
    case 'create':
      return step(`opening a tracking issue for ${op.finding.rule} in ${op.finding.path}`, async () => {
        const issue = { owner, repo, title: op.title, body: op.body, labels: op.labels };
        let created: { data?: { number?: unknown } };
        try {
          created = await gh.octokit.rest.issues.create({ ...issue, ...(op.assignees.length ? { assignees: op.assignees } : {}) });
        } catch (err) {
          // An owner who cannot be assigned (no access to the repository) fails the whole call.
          if (statusOf(err) !== 422 || op.assignees.length === 0) throw err;
          created = await gh.octokit.rest.issues.create(issue);
        }
        return typeof created.data?.number === 'number' ? created.data.number : undefined;
      });
    case 'update':
      await step(`updating tracking issue #${op.number}`, () =>
        gh.octokit.rest.issues.update({ owner, repo, issue_number: op.number, title: op.title, body: op.body, ...(op.labels ? { labels: op.labels } : {}) }),
      );
      return;
    case 'reopen':
      await step(`reopening tracking issue #${op.number}`, async () => {
        await gh.octokit.rest.issues.update({ owner, repo, issue_number: op.number, state: 'open', title: op.title, body: op.body, labels: op.labels });
        await gh.octokit.rest.issues.createComment({ owner, repo, issue_number: op.number, body: op.comment });
      });
      return;
    case 'close':
      await step(`closing tracking issue #${op.number}`, async () => {
        await gh.octokit.rest.issues.createComment({ owner, repo, issue_number: op.number, body: op.comment });
        await gh.octokit.rest.issues.update({ owner, repo, issue_number: op.number, state: 'closed', state_reason: op.reason });
      });
      return;
  }
}

/** Applies the plan; returns the numbers of the issues it opened. */
export async function applyIssuePlan(gh: GitHubTarget, plan: IssuePlan): Promise<Map<IssueOp, number>> {
  if (plan.labels.length) await ensureLabels(gh, plan.labels);
  const created = new Map<IssueOp, number>();
  for (const op of plan.ops) {
    const number = await applyOp(gh, op);
    if (number !== undefined) created.set(op, number);
  }
  return created;
}

export interface SyncResult {
  plan: IssuePlan;
  /** The tracking issues as the plan left them (for the history's fingerprint -> issue map). */
  issues: TrackedIssue[];
}

/** Lists the tracking issues, plans and applies: the loop behind `reconcileIssues` and the pull request paths. */
export async function syncIssues(gh: GitHubTarget, input: SyncOptions): Promise<SyncResult | null> {
  if (input.settings.issues.create === 'never' && !input.force) return null;
  const listed = await step('listing the tracking issues', () =>
    listAll<ListedIssue>(gh, gh.octokit.rest.issues.listForRepo, { owner: gh.owner, repo: gh.repo, labels: ISSUE_LABEL, state: 'all' }),
  );
  const plan = planIssues(listed, {
    review: input.review,
    settings: input.settings,
    sha: input.sha,
    fileUrl: blobUrl(gh, input.sha),
    commitUrl: commitUrl(gh, input.sha),
    scopePaths: input.scopePaths,
    onlyNew: input.onlyNew,
    codeowners: input.codeowners,
    templates: input.templates,
  });
  const created = await applyIssuePlan(gh, plan);
  return { plan, issues: issuesAfter(listed, plan, created) };
}

/**
 * Brings the repository's tracking issues in line with a review of the default branch. Requests:
 * the issue list (1 a hundred issues), plus writes only for what changed (and, the first time in a
 * process, the label list and the labels it lacks); `requests` counts them.
 */
export async function reconcileIssues(gh: GitHubTarget, input: IssuesInput): Promise<{ requests: number; issues: TrackedIssue[] }> {
  const { result, requests } = await countRequests(gh.octokit, () => syncIssues(gh, input));
  return { requests, issues: result?.issues ?? [] };
}
