/**
 * The plan of a check run's completion, pure: the updates to send, in order. The first completes
 * the run with the gate's conclusion, the rendered output, the buttons and up to 50 annotations
 * (GitHub's limit per request); each further update adds the next 50 (GitHub appends them).
 */
import { SEVERITY_RANK, type Conclusion, type Review } from '../../model.js';
import { renderCheckSummary, type FileUrl } from '../../render/index.js';
import type { PublishSettings } from '../../plan.js';
import { ANNOTATIONS_PER_REQUEST, annotationsFor, type Annotation } from './annotations.js';
import { chunk } from './common.js';

/**
 * The check run's buttons (GitHub allows 3; label ≤ 20 characters, description ≤ 40, identifier
 * ≤ 20). Pressing one sends `check_run.requested_action` with the identifier; see
 * `handleRequestedAction`. Buttons are offered only where they do something (see `actionsFor`).
 */
export const ACTIONS: { identifier: string; label: string; description: string }[] = [
  { identifier: 'open-issues', label: 'Open tracking issues', description: 'Open an issue for each new risk item' },
];

/**
 * The buttons for a completed review: "Open tracking issues" when issues are opened on merge (so a
 * reviewer may want them now) and some new finding would get one.
 */
export function actionsFor(review: Review, settings: PublishSettings): typeof ACTIONS {
  if (settings.issues.create !== 'on-merge') return [];
  const min = SEVERITY_RANK[settings.issues.min_severity];
  const any = review.findings.some((f) => f.status === 'new' && SEVERITY_RANK[f.severity] >= min);
  return any ? ACTIONS.filter((a) => a.identifier === 'open-issues') : [];
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: Annotation[];
}

export interface CheckRunUpdate {
  /** What the update does, for the error if GitHub refuses it. */
  step: string;
  /** Only on the first update: it completes the run. */
  complete?: { conclusion: Conclusion; actions: typeof ACTIONS };
  output: CheckRunOutput;
}

export interface CompletionInput {
  review: Review;
  settings: PublishSettings;
  fileUrl?: FileUrl | undefined;
  templates?: Record<string, string> | undefined;
  /** Surfaces that could not be published, each with why: the check run says so. */
  unpublished?: string[] | undefined;
}

export function planCheckCompletion(input: CompletionInput): CheckRunUpdate[] {
  const { review, settings } = input;
  const output = renderCheckSummary(review, {
    failOn: settings.gate.fail_on,
    minScore: settings.gate.min_score,
    groupFrom: settings.comments.group_from,
    ...(input.unpublished?.length ? { unpublished: input.unpublished } : {}),
    ...(input.fileUrl ? { fileUrl: input.fileUrl } : {}),
    ...(input.templates ? { overrides: input.templates } : {}),
  });
  // title and summary are required in every output; sending the text again keeps it.
  const base = { title: output.title, summary: output.summary, ...(output.text !== undefined ? { text: output.text } : {}) };
  const batches = chunk(annotationsFor(review, settings), ANNOTATIONS_PER_REQUEST);
  const [first = [], ...rest] = batches;
  return [
    {
      step: 'completing the check run',
      complete: { conclusion: review.gate.conclusion, actions: actionsFor(review, settings) },
      output: { ...base, annotations: first },
    },
    ...rest.map((annotations, i) => ({
      step: `adding annotations to the check run (batch ${i + 2} of ${batches.length})`,
      output: { ...base, annotations },
    })),
  ];
}
