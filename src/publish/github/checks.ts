/**
 * The check run: created `in_progress` when a review starts, completed with the gate's conclusion
 * (the merge gate a required status check enforces), the rendered summary and text, and line
 * annotations in batches of 50 (GitHub's limit per request). Errors and superseded runs end the run
 * too, so it never stays `in_progress`.
 */
import { SEVERITY_RANK, type Finding, type Review, type Severity } from '../../model.js';
import { CHECK_OUTPUT_LIMIT, renderCheckSummary, type FileUrl } from '../../render/index.js';
import { esc, plain } from '../../render/escape.js';
import { bySeverity } from '../../render/view.js';
import type { Config } from '../../config/schema.js';
import { Calls, chunk, cut, step, type GitHubTarget } from './common.js';

export const CHECK_NAME = 'ML Lens';

/** Annotations GitHub takes per request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/**
 * The check run's buttons (GitHub allows 3; label ≤ 20 characters, description ≤ 40, identifier
 * ≤ 20). Pressing one sends `check_run.requested_action` with the identifier; see
 * `handleRequestedAction`. Buttons are offered only where they do something (see `actionsFor`).
 */
export const ACTIONS: { identifier: string; label: string; description: string }[] = [
  { identifier: 'open-issues', label: 'Open tracking issues', description: 'Open an issue for each new risk item' },
];

export type AnnotationLevel = 'notice' | 'warning' | 'failure';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  title: string;
  message: string;
  raw_details?: string;
}

/** GitHub's limits on annotation fields. */
const TITLE_MAX = 255;
const TEXT_MAX = 64 * 1024 - 1;

export function annotationLevel(severity: Severity): AnnotationLevel {
  if (SEVERITY_RANK[severity] >= SEVERITY_RANK.high) return 'failure';
  if (severity === 'medium') return 'warning';
  return 'notice';
}

export function toAnnotation(f: Finding): Annotation {
  const start = Math.max(1, f.startLine);
  const details = [`How to fix: ${f.remediation}`];
  if (f.fix) {
    const lines = f.fix.endLine > f.fix.startLine ? `lines ${f.fix.startLine}-${f.fix.endLine}` : `line ${f.fix.startLine}`;
    details.push('', `Suggested change (replacing ${lines}${f.fix.choose ? '; replace the value marked <…> with yours' : ''}):`, f.fix.replacement);
  }
  details.push('', `Rule: ${f.rule}${f.practices.length ? ` · ML Lens practices: ${f.practices.join(', ')}` : ''}`);
  return {
    path: f.path,
    start_line: start,
    end_line: Math.max(start, f.endLine),
    annotation_level: annotationLevel(f.severity),
    title: plain(`${f.title} (${f.rule})`, TITLE_MAX),
    message: cut(f.status === 'existing' ? `${f.message} (already on the base branch)` : f.message, TEXT_MAX),
    raw_details: cut(details.join('\n'), TEXT_MAX),
  };
}

/**
 * The annotations of a review: unsuppressed findings, new ones first, then by severity, capped by
 * `checks.max_annotations`; none when `checks.annotations` is false.
 */
export function annotationsFor(review: Review, config: Config): Annotation[] {
  if (!config.checks.annotations) return [];
  return review.findings
    .filter((f) => f.status !== 'suppressed')
    .sort((a, b) => Number(a.status !== 'new') - Number(b.status !== 'new') || bySeverity(a, b))
    .slice(0, config.checks.max_annotations)
    .map(toAnnotation);
}

/**
 * The buttons for a completed review: "Open tracking issues" when issues are opened on merge (so a
 * reviewer may want them now) and some new finding would get one.
 */
export function actionsFor(review: Review, config: Config): typeof ACTIONS {
  if (config.issues.create !== 'on-merge') return [];
  const min = SEVERITY_RANK[config.issues.min_severity];
  const any = review.findings.some((f) => f.status === 'new' && SEVERITY_RANK[f.severity] >= min);
  return any ? ACTIONS.filter((a) => a.identifier === 'open-issues') : [];
}

export async function startCheckRun(gh: GitHubTarget, headSha: string, opts: { externalId?: string } = {}): Promise<number> {
  const { data } = await step('creating the check run', () =>
    gh.octokit.rest.checks.create({
      owner: gh.owner,
      repo: gh.repo,
      name: CHECK_NAME,
      head_sha: headSha,
      status: 'in_progress',
      started_at: new Date().toISOString(),
      ...(opts.externalId ? { external_id: opts.externalId } : {}),
      output: {
        title: 'Reviewing…',
        summary: 'ML Lens is reviewing the changed files against the AWS Well-Architected Machine Learning Lens.',
      },
    }),
  );
  return data.id;
}

export interface CompleteInput {
  checkRunId: number;
  review: Review;
  config: Config;
  fileUrl?: FileUrl;
  templates?: Record<string, string>;
}

/**
 * Completes the run: the first (up to) 50 annotations with the completing update, the rest in
 * further updates (GitHub appends them). Requests are counted in `calls`.
 */
export async function completeCheckRun(gh: GitHubTarget, calls: Calls, input: CompleteInput): Promise<void> {
  const { review, config } = input;
  const output = renderCheckSummary(review, {
    failOn: config.gate.fail_on,
    minScore: config.gate.min_score,
    ...(input.fileUrl ? { fileUrl: input.fileUrl } : {}),
    ...(input.templates ? { overrides: input.templates } : {}),
  });
  const base = { title: output.title, summary: output.summary, ...(output.text !== undefined ? { text: output.text } : {}) };
  const batches = chunk(annotationsFor(review, config), ANNOTATIONS_PER_REQUEST);
  const [first = [], ...rest] = batches;
  await step('completing the check run', () => {
    calls.n++;
    return gh.octokit.rest.checks.update({
      owner: gh.owner,
      repo: gh.repo,
      check_run_id: input.checkRunId,
      status: 'completed',
      conclusion: review.gate.conclusion,
      completed_at: new Date().toISOString(),
      output: { ...base, annotations: first },
      actions: actionsFor(review, config),
    });
  });
  for (const [i, batch] of rest.entries()) {
    await step(`adding annotations to the check run (batch ${i + 2} of ${batches.length})`, () => {
      calls.n++;
      // title and summary are required in every output; sending the text again keeps it.
      return gh.octokit.rest.checks.update({ owner: gh.owner, repo: gh.repo, check_run_id: input.checkRunId, output: { ...base, annotations: batch } });
    });
  }
}

function failureSummary(reason: string, details: string[] | undefined): string {
  const lines = [`**ML Lens could not finish the review.**`, '', esc(reason, 2000) || 'An unexpected error happened.'];
  const list = (details ?? []).map((d) => esc(String(d), 2000)).filter(Boolean);
  if (list.length) lines.push('', ...list.slice(0, 200).map((d) => `- ${d}`));
  if (list.length > 200) lines.push(`- …and ${list.length - 200} more`);
  lines.push('', 'Push a new commit or press “Re-run” to try again.');
  return cut(lines.join('\n'), CHECK_OUTPUT_LIMIT);
}

/**
 * Ends a run as `failure` with the reason (and details, one per line). Never throws: when the full
 * update fails it tries a minimal one, and gives up quietly after that (it is called on the error
 * path, where a second error would only hide the first).
 */
export async function failCheckRun(gh: GitHubTarget, checkRunId: number, reason: string, details?: string[]): Promise<void> {
  const reasonText = typeof reason === 'string' ? reason : String(reason);
  const title = plain(`Review failed: ${reasonText.split('\n')[0] ?? ''}`, 200) || 'Review failed';
  const attempts = [
    () => failureSummary(reasonText, Array.isArray(details) ? details : undefined),
    () => '**ML Lens could not finish the review.** Push a new commit or press “Re-run” to try again.',
  ];
  for (const summary of attempts) {
    try {
      await gh.octokit.rest.checks.update({
        owner: gh.owner,
        repo: gh.repo,
        check_run_id: checkRunId,
        status: 'completed',
        conclusion: 'failure',
        completed_at: new Date().toISOString(),
        output: { title, summary: summary() },
      });
      return;
    } catch {
      // try the next, smaller update
    }
  }
}

/** Ends a run as `neutral` (never blocks a merge), e.g. when a newer commit superseded it. */
export async function neutralCheckRun(gh: GitHubTarget, checkRunId: number, reason: string): Promise<void> {
  await step('ending the check run', () =>
    gh.octokit.rest.checks.update({
      owner: gh.owner,
      repo: gh.repo,
      check_run_id: checkRunId,
      status: 'completed',
      conclusion: 'neutral',
      completed_at: new Date().toISOString(),
      output: { title: plain(reason, 200) || 'Skipped', summary: esc(reason, 4000) || 'Skipped.' },
    }),
  );
}
