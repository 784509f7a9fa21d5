/**
 * Check run annotations: one per unsuppressed finding, on its lines, new findings first, capped by
 * `checks.max_annotations`. Plain text (GitHub does not render Markdown in annotations), cut to
 * GitHub's limits. Pure.
 */
import { SEVERITY_RANK, type Finding, type Review, type Severity } from '../../model.js';
import { plain } from '../../render/escape.js';
import { bySeverity } from '../../render/view.js';
import type { PublishSettings } from '../../plan.js';
import { cut } from './common.js';

/** Annotations GitHub takes per request. */
export const ANNOTATIONS_PER_REQUEST = 50;

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
export function annotationsFor(review: Review, settings: PublishSettings): Annotation[] {
  if (!settings.checks.annotations) return [];
  return review.findings
    .filter((f) => f.status !== 'suppressed')
    .sort((a, b) => Number(a.status !== 'new') - Number(b.status !== 'new') || bySeverity(a, b))
    .slice(0, settings.checks.max_annotations)
    .map(toAnnotation);
}
