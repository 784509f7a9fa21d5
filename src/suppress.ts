/**
 * Suppressions: inline `ml-lens:ignore <rule-id> <reason> [until=YYYY-MM-DD]` comments and the
 * config's `ignore` entries. A reason is required; an expired or malformed suppression does not
 * apply and is reported, so nothing vanishes silently.
 */
import { commentsOf } from './comments.js';
import type { IgnoreEntry } from './config/schema.js';
import { isValidDate } from './dates.js';
import { compileGlobs } from './glob.js';
import type { CommentSyntax, Suppression, SuppressionProblem } from './model.js';

const MARKER = 'ml-lens:ignore';

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


/**
 * Finds the inline suppressions of one file. Only markers inside a real comment of the file's kind
 * count (comments.ts), so a string, heredoc, block scalar or code block that holds the marker is
 * not a suppression: otherwise any value a contributor controls could switch a rule off. JSON kinds
 * have no comments and use the config's `ignore`.
 */
export function scanInline(syntax: CommentSyntax, path: string, text: string, knownRules: ReadonlySet<string>, today: string): InlineScan {
  const out: InlineScan = { suppressions: [], problems: [] };
  // Most files have no marker: they are not lexed at all.
  if (!text.includes(MARKER)) return out;
  for (const comment of commentsOf(syntax, text)) {
    const at = comment.text.indexOf(MARKER);
    if (at === -1) continue;
    const line = comment.line;
    const rest = comment.text.slice(at + MARKER.length).trim();
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

/**
 * Compiles the config's `ignore` entries once. Entries naming a rule that is not known (a typo
 * would otherwise leave the finding in place without a word) and expired entries are reported and
 * not applied, as inline ones are.
 */
export function compileIgnores(
  entries: IgnoreEntry[],
  knownRules: ReadonlySet<string>,
  today: string,
  configPath = '.github/ml-lens.yml',
): ConfigIgnores {
  const problems: SuppressionProblem[] = [];
  const active: { rule: string; test: (p: string) => boolean; s: Suppression }[] = [];
  const suggest = suggester(knownRules);
  entries.forEach((e, i) => {
    if (e.rule !== '*' && !knownRules.has(e.rule)) {
      problems.push({
        path: configPath,
        line: 0,
        rule: e.rule,
        problem: 'unknown-rule',
        message: `ignore[${i}] names unknown rule "${e.rule}"${suggest(e.rule)}`,
      });
      return;
    }
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
    active.push({ rule: e.rule, test: compileGlobs(e.paths), s });
  });
  return {
    problems,
    match(rule, path) {
      for (const a of active) if ((a.rule === '*' || a.rule === rule) && a.test(path)) return a.s;
      return undefined;
    },
  };
}

/**
 * `; did you mean "x"?` when a known rule id is within a few edits of `name`, else ''. Ids whose
 * length alone rules them out are not compared, so a long name costs nothing.
 */
function suggester(known: ReadonlySet<string>): (name: string) => string {
  const ids = [...known];
  const cache = new Map<string, string>();
  return (name) => {
    let hint = cache.get(name);
    if (hint !== undefined) return hint;
    const limit = Math.max(2, Math.floor(name.length / 4));
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const id of ids) {
      if (Math.abs(id.length - name.length) >= bestDistance) continue;
      const d = editDistance(name, id, bestDistance);
      if (d < bestDistance) {
        best = id;
        bestDistance = d;
      }
    }
    hint = best === undefined ? '' : `; did you mean "${best}"?`;
    cache.set(name, hint);
    return hint;
  };
}

/** Levenshtein distance, or `bound` as soon as it is certain to reach it. */
function editDistance(a: string, b: string, bound: number): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    let min = i;
    for (let j = 1; j <= b.length; j++) {
      const d = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      next.push(d);
      if (d < min) min = d;
    }
    if (min >= bound) return bound;
    row = next;
  }
  return Math.min(row[b.length]!, bound);
}
