/**
 * GitLab Code Quality report (`ml-lens review --format gitlab`, `ml-lens scan --format gitlab`): the
 * JSON array GitLab CI reads from `artifacts: reports: codequality:` and shows in the merge request
 * widget, the pipeline's Code Quality tab and (Ultimate) beside the lines of the diff. GitLab reads a
 * subset of the Code Climate issue format, and only these fields of it:
 *
 * ```
 * [ { description, check_name, fingerprint, severity, location: { path, lines: { begin, end } } } ]
 * ```
 *
 * Choices:
 * - `check_name` is the rule id (what `ml-lens explain` takes); `description` is one line of plain
 *   text saying what is wrong on which target: the message's statement without its consequence
 *   (`brief`, as the summary comment lists findings: `aws_sagemaker_endpoint_configuration.scoring
 *   stores model artefacts on volumes without a customer-managed key`), else the rule's title and
 *   the target's address. GitLab shows the description as text, so nothing is Markdown-escaped;
 *   control characters and line breaks are removed. Credentials in review findings (address,
 *   message) are already redacted (src/redact-review.ts).
 * - `fingerprint` is the finding's own: it hashes the rule, the path and the logical target, never a
 *   line, so GitLab, which compares the merge request's report with the target branch's by
 *   fingerprint, tells new from fixed even when lines move. GitLab shows entries with the same
 *   fingerprint as one, so a repeated fingerprint (a review never has one) gets a hash of itself and
 *   its rank, and every entry of a report has its own.
 * - Severities, one for one and in order (GitLab has five, as we do): critical → `blocker`,
 *   high → `critical`, medium → `major`, low → `minor`, info → `info`. With the default
 *   `gate.fail_on: high`, what fails the gate is `critical` or `blocker` in GitLab.
 * - Which findings: `new` and `existing` ones, which GitLab should show; not `suppressed` ones (an
 *   accepted risk: a finding suppressed on the merge request that the target branch's report has is
 *   then listed by GitLab as resolved, which is what accepting it means). Fixed findings are left
 *   out: GitLab computes what was fixed itself, from the target branch's report. That comparison
 *   needs both reports to cover the same files: a review's covers the changed files only, so the
 *   CI recipe writes the report GitLab compares with `scan .` on both sides and gates with
 *   `review` (test/cli/ci-recipes.test.ts).
 * - Files that could not be reviewed are entries too (`check_name: not-reviewed`, line 1), as the
 *   other outputs list them: `major` where an artifact kind's path pattern claims the file (it can
 *   fail the gate), `minor` otherwise. Generated and vendored files left out by default are not.
 * - `location.path` is the finding's path as the review has it (relative to the repository for
 *   `review`, to the scan root for `scan`), with `/` separators and no leading `./` or `/`; GitLab
 *   wants it relative to the repository, so run `scan .` from the repository's top.
 * - Entries are ordered by path, line and rule (findings), then the files not reviewed, by path.
 *   No byte order mark (GitLab's parser refuses one): JSON.stringify never writes one.
 */
import { createHash } from 'node:crypto';
import { KINDS, type Finding, type Review, type Severity } from '../model.js';
import { plain } from './escape.js';
import { brief, byLocation, cmp } from './view.js';

export type GitLabSeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

/** One Code Quality entry (the fields GitLab reads, plus `lines.end` of the Code Climate format). */
export interface GitLabIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: GitLabSeverity;
  location: { path: string; lines: { begin: number; end: number } };
}

export const GITLAB_SEVERITY: Readonly<Record<Severity, GitLabSeverity>> = {
  critical: 'blocker',
  high: 'critical',
  medium: 'major',
  low: 'minor',
  info: 'info',
};

export function gitlabSeverity(s: Severity): GitLabSeverity {
  return GITLAB_SEVERITY[s] ?? 'info';
}

/** A path as GitLab's `location.path`: `/` separators, relative (no leading `./` or `/`). */
export function gitlabPath(path: string): string {
  let p = path.replace(/\\/g, '/');
  for (;;) {
    const next = p.replace(/^\/+/, '').replace(/^(?:\.\/)+/, '');
    if (next === p) break;
    p = next;
  }
  return p;
}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}

const DESCRIPTION_MAX = 500;

/** Addresses that name no target but the whole file or repository: the description leaves them out. */
const NO_TARGET: ReadonlySet<string> = new Set<string>(['repository', ...KINDS]);

function description(f: Finding): string {
  // What is wrong on which target (the message's first clause names it), as the summary says it;
  // the title names the goal, which reads like a passing check in a list of problems.
  const said = plain(brief(f.message), DESCRIPTION_MAX);
  if (said) return said;
  const title = plain(f.title, 300) || plain(f.rule, 200);
  const address = plain(f.address, 200);
  return plain(address && !NO_TARGET.has(address) ? `${title} (${address})` : title, DESCRIPTION_MAX);
}

/** The findings GitLab should show: new and existing (not suppressed; fixed ones are never in `findings`). */
export function gitlabFindings(review: Review): Finding[] {
  return review.findings.filter((f) => f.status === 'new' || f.status === 'existing');
}

export function toGitLab(review: Review): GitLabIssue[] {
  const issues: GitLabIssue[] = [];
  const seen = new Set<string>();
  const unique = (fp: string): string => {
    let out = fp;
    for (let n = 2; out === '' || seen.has(out); n++) out = hash(fp, String(n));
    seen.add(out);
    return out;
  };
  for (const f of [...gitlabFindings(review)].sort(byLocation)) {
    const begin = Math.max(1, Math.floor(f.startLine) || 1);
    const end = Math.max(begin, Math.floor(f.endLine) || begin);
    issues.push({
      description: description(f),
      check_name: f.rule,
      fingerprint: unique(f.fingerprint || hash(f.rule, f.path, f.address)),
      severity: gitlabSeverity(f.severity),
      location: { path: gitlabPath(f.path), lines: { begin, end } },
    });
  }
  const notReviewed = review.stats.notReviewed.filter((n) => !n.excluded).sort((a, b) => cmp(a.path, b.path));
  for (const n of notReviewed) {
    issues.push({
      description: plain(`Not reviewed: ${plain(n.reason, 300)}`, DESCRIPTION_MAX),
      check_name: 'not-reviewed',
      fingerprint: unique(hash('not-reviewed', n.path)),
      severity: n.claimedBy ? 'major' : 'minor',
      location: { path: gitlabPath(n.path), lines: { begin: 1, end: 1 } },
    });
  }
  return issues;
}

/** The Code Quality report as stable, pretty text (two-space indent, trailing newline). */
export function renderGitLab(review: Review): string {
  return JSON.stringify(toGitLab(review), null, 2) + '\n';
}
