/**
 * Names, icons and number formats shared by every surface (Markdown, check run, terminal, SARIF),
 * so a pillar or a score reads the same everywhere.
 */
import { SEVERITY_WEIGHT, SEVERITIES, type Conclusion, type Phase, type Pillar, type Severity } from '../model.js';
import { esc } from './escape.js';

export const PILLAR_NAMES: Record<Pillar, string> = {
  'operational-excellence': 'Operational excellence',
  security: 'Security',
  reliability: 'Reliability',
  'performance-efficiency': 'Performance efficiency',
  'cost-optimization': 'Cost optimization',
  sustainability: 'Sustainability',
};

/** Short names for chart axes. */
export const PILLAR_SHORT: Record<Pillar, string> = {
  'operational-excellence': 'Operations',
  security: 'Security',
  reliability: 'Reliability',
  'performance-efficiency': 'Performance',
  'cost-optimization': 'Cost',
  sustainability: 'Sustainability',
};

export const PHASE_NAMES: Record<Phase, string> = {
  'business-goal': 'Business goal',
  'problem-framing': 'Problem framing',
  'data-processing': 'Data processing',
  'model-development': 'Model development',
  deployment: 'Deployment',
  monitoring: 'Monitoring',
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/** One coloured mark per finding: meaningful, and never alone (the word always follows). */
export const SEVERITY_ICONS: Record<Severity, string> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
  info: '⚪',
};

export const CONCLUSION_LABELS: Record<Conclusion, { icon: string; label: string }> = {
  success: { icon: '✅', label: 'Passing' },
  neutral: { icon: '☑️', label: 'Passing with notes' },
  failure: { icon: '❌', label: 'Failing' },
};

function known<K extends string>(map: Record<K, string>, key: unknown): string {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(map, key) ? map[key as K] : esc(key);
}

export const pillarName = (p: unknown): string => known(PILLAR_NAMES, p);
export const phaseName = (p: unknown): string => known(PHASE_NAMES, p);
export const severityLabel = (s: unknown): string => known(SEVERITY_LABELS, s);
export const severityIcon = (s: unknown): string =>
  typeof s === 'string' && Object.prototype.hasOwnProperty.call(SEVERITY_ICONS, s) ? SEVERITY_ICONS[s as Severity] : '';

/** A score: the number, or "not assessed" for null (a pillar with no evaluation is never 100). */
export function scoreText(score: number | null | undefined): string {
  return typeof score === 'number' && Number.isFinite(score) ? String(Math.round(score)) : 'not assessed';
}

/** A change of score: `+3`, `−2` (a real minus sign), `±0`, or `n/a` when either side is not assessed. */
export function deltaText(delta: number | null | undefined): string {
  if (typeof delta !== 'number' || !Number.isFinite(delta)) return 'n/a';
  const d = Math.round(delta);
  if (d > 0) return `+${d}`;
  if (d < 0) return `\u2212${-d}`;
  return '±0';
}

const LENS_DOCS = 'https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens';
export const LENS_HOME = `${LENS_DOCS}/machine-learning-lens.html`;

/** The documentation page of an ML Lens 2025 practice ID (`MLSEC02-BP01`), or null for anything else. */
export function practiceUrl(id: unknown): string | null {
  if (typeof id !== 'string' || !/^ML[A-Z]{2,5}\d{2}-BP\d{2}$/.test(id)) return null;
  return `${LENS_DOCS}/${id.toLowerCase()}.html`;
}

/** `[MLSEC02-BP01](https://docs.aws.amazon.com/.../mlsec02-bp01.html)`; other IDs as escaped text. */
export function practiceLink(id: unknown): string {
  const url = practiceUrl(id);
  return url ? `[${id as string}](${url})` : esc(id);
}

/** `1 finding`, `3 findings`; `plural(2, 'match', 'matches')`. */
export function plural(n: number, one: string, many?: string): string {
  return `${n} ${n === 1 ? one : (many ?? one + 's')}`;
}

/** The one line that states how scores and the gate are computed. */
export function formulaLine(failOn: Severity, minScore: number): string {
  const weights = SEVERITIES.map((s) => `${s} ${SEVERITY_WEIGHT[s]}`).join(', ');
  return (
    'Pillar score = round(100 × passed weight ÷ evaluated weight); ' +
    `weights ${weights}; ` +
    `gate: failure on a new unsuppressed finding at or above ${failOn} or a pillar below ${minScore}`
  );
}

/** A commit SHA shortened to 7 characters; any other ref as given. */
export function shortRef(ref: string | undefined): string | null {
  if (!ref) return null;
  return /^[0-9a-f]{40}$/i.test(ref) ? ref.slice(0, 7) : ref;
}
