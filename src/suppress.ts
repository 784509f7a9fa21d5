/**
 * Suppressions: inline `ml-lens:ignore <rule-id> <reason> [until=YYYY-MM-DD]` comments and the
 * config's `ignore` entries. A reason is required; an expired or malformed suppression does not
 * apply and is reported, so nothing vanishes silently.
 */
import picomatch from 'picomatch';
import type { IgnoreEntry } from './config/schema.js';
import type { Kind, Suppression, SuppressionProblem } from './model.js';

const MARKER = 'ml-lens:ignore';

/** Comment openers per kind; JSON kinds have none (use the config's `ignore`). */
const COMMENT_OPENERS: Partial<Record<Kind, string[]>> = {
  terraform: ['#', '//', '/*'],
  cloudformation: ['#'],
  kubernetes: ['#'],
  'kubeflow-pipeline': ['#'],
  'argo-workflow': ['#'],
  'step-functions': ['#'],
  'github-workflow': ['#'],
  'gitlab-ci': ['#'],
  buildspec: ['#'],
  dvc: ['#'],
  'dvc-params': ['#'],
  'mlflow-project': ['#'],
  'model-card': ['<!--'],
};

export interface InlineSuppression {
  line: number;
  rule: string;
  reason: string;
  until?: string;
}

export interface InlineScan {
  suppressions: InlineSuppression[];
  problems: SuppressionProblem[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isValidDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * Finds the inline suppressions of one file. Only markers inside a comment of the file's kind
 * count, so a string value that happens to contain the marker is not a suppression.
 */
export function scanInline(kind: Kind, path: string, text: string, knownRules: Set<string>, today: string): InlineScan {
  const out: InlineScan = { suppressions: [], problems: [] };
  const openers = COMMENT_OPENERS[kind];
  if (!openers || !text.includes(MARKER)) return out;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const at = raw.indexOf(MARKER);
    if (at === -1) continue;
    const before = raw.slice(0, at);
    if (!openers.some((o) => before.includes(o))) continue;
    const line = i + 1;
    const rest = raw
      .slice(at + MARKER.length)
      .replace(/(-->|\*\/)\s*$/, '')
      .trim();
    const words = rest.split(/\s+/).filter(Boolean);
    const rule = words.shift() ?? null;
    let until: string | undefined;
    const reasonWords: string[] = [];
    for (const w of words) {
      if (w.startsWith('until=')) until = w.slice('until='.length);
      else reasonWords.push(w);
    }
    const reason = reasonWords.join(' ');
    const problem = (p: SuppressionProblem['problem'], message: string) =>
      out.problems.push({ path, line, rule, problem: p, message });
    if (!rule) {
      problem('unknown-rule', `${MARKER} names no rule`);
      continue;
    }
    if (!knownRules.has(rule)) {
      problem('unknown-rule', `${MARKER} names unknown rule "${rule}"`);
      continue;
    }
    if (!reason) {
      problem('no-reason', `${MARKER} ${rule} has no reason; a reason is required`);
      continue;
    }
    if (until !== undefined) {
      if (!isValidDate(until)) {
        problem('bad-date', `${MARKER} ${rule}: until=${until} is not a date (YYYY-MM-DD)`);
        continue;
      }
      if (until < today) {
        problem('expired', `${MARKER} ${rule} expired on ${until}: ${reason}`);
        continue;
      }
    }
    const s: InlineSuppression = { line, rule, reason };
    if (until) s.until = until;
    out.suppressions.push(s);
  }
  return out;
}

/**
 * The inline suppression covering a finding: on the line above the anchor, on the anchor's
 * lines, or on the line above / inside the head of the target block.
 */
export function inlineFor(
  suppressions: InlineSuppression[],
  rule: string,
  anchor: { startLine: number; endLine: number },
  target?: { startLine: number; endLine: number },
): Suppression | undefined {
  for (const s of suppressions) {
    if (s.rule !== rule) continue;
    const nearAnchor = s.line >= anchor.startLine - 1 && s.line <= anchor.endLine;
    const inTarget = target !== undefined && s.line >= target.startLine - 1 && s.line <= target.endLine;
    if (nearAnchor || inTarget) {
      const out: Suppression = { source: 'inline', reason: s.reason, line: s.line };
      if (s.until) out.until = s.until;
      return out;
    }
  }
  return undefined;
}

export interface ConfigIgnores {
  match(rule: string, path: string): Suppression | undefined;
  problems: SuppressionProblem[];
}

/** Compiles the config's `ignore` entries once; expired entries are reported and not applied. */
export function compileIgnores(entries: IgnoreEntry[], today: string, configPath = '.github/ml-lens.yml'): ConfigIgnores {
  const problems: SuppressionProblem[] = [];
  const active: { rule: string; test: (p: string) => boolean; s: Suppression }[] = [];
  entries.forEach((e, i) => {
    if (e.until && e.until < today) {
      problems.push({
        path: configPath,
        line: 0,
        rule: e.rule,
        problem: 'expired',
        message: `ignore[${i}] for ${e.rule} expired on ${e.until}: ${e.reason}`,
      });
      return;
    }
    const s: Suppression = { source: 'config', reason: e.reason };
    if (e.until) s.until = e.until;
    active.push({ rule: e.rule, test: picomatch(e.paths, { dot: true }), s });
  });
  return {
    problems,
    match(rule, path) {
      for (const a of active) if ((a.rule === '*' || a.rule === rule) && a.test(path)) return a.s;
      return undefined;
    },
  };
}
