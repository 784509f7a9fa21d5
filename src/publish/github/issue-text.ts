/**
 * What a tracking issue is made of: its title and body (from the `issue` template, ending with a
 * hidden path marker), its labels, and how an existing issue is recognised and compared. Pure.
 */
import type { Finding } from '../../model.js';
import { renderIssue, type FileUrl } from '../../render/index.js';
import type { PublishSettings } from '../../plan.js';
import { sameText } from './common.js';

/** The label every tracking issue carries; issues are listed by it. */
export const ISSUE_LABEL = 'ml-lens';

const LABEL_COLORS: Record<string, string> = {
  [ISSUE_LABEL]: '5319e7',
  'severity:critical': 'b60205',
  'severity:high': 'd93f0b',
  'severity:medium': 'fbca04',
  'severity:low': 'c2e0c6',
  'severity:info': 'ededed',
};

export function labelColor(name: string): string {
  return LABEL_COLORS[name] ?? (name.startsWith('pillar:') ? '1d76db' : 'ededed');
}

export function labelDescription(name: string): string {
  if (name === ISSUE_LABEL) return 'Risk item tracked by ML Lens Reviewer';
  if (name.startsWith('pillar:')) return `ML Lens pillar: ${name.slice('pillar:'.length)}`;
  if (name.startsWith('severity:')) return `ML Lens severity: ${name.slice('severity:'.length)}`;
  return 'Added by ML Lens Reviewer';
}

/** Labels of a finding's issue: `ml-lens`, the configured ones, `pillar:<name>`, `severity:<level>`. */
export function labelsFor(f: Finding, settings: PublishSettings): string[] {
  return [...new Set([ISSUE_LABEL, ...settings.issues.labels, `pillar:${f.pillar}`, `severity:${f.severity}`])];
}

/** The labels an existing issue should have: ours replace stale `pillar:`/`severity:` ones, others stay. */
export function mergedLabels(current: string[], desired: string[]): string[] {
  const keep = current.filter((l) => !(l.startsWith('pillar:') || l.startsWith('severity:')) || desired.includes(l));
  return [...new Set([...keep, ...desired])];
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
export function sameBody(existing: string | null | undefined, desired: string): boolean {
  const norm = (s: string) => s.replace(/\/blob\/[0-9a-f]{40}\//g, '/blob/SHA/');
  return sameText(norm(existing ?? ''), norm(desired));
}
