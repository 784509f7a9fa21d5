/**
 * The terminal report (`ml-lens review`, the default format): the verdict, the pillar table, and
 * findings grouped by file, each starting with `path:line` (most terminals and editors make that
 * clickable). Colour only when asked; with `color: false` the text holds no escape sequence at all,
 * and every repository value is stripped of control characters whatever the setting (a file name
 * must not be able to drive the terminal).
 */
import { displayPath } from '../display-path.js';
import { kindPhrase } from '../formats/index.js';
import { PHASES, PILLARS, SEVERITY_RANK, type Finding, type PillarScore, type Review, type Severity } from '../model.js';
import { plain } from './escape.js';
import { PHASE_NAMES, PILLAR_NAMES, deltaText, formulaLine, plural, scoreText } from './labels.js';
import { cmp, coverageLine, foldedNote } from './view.js';

export interface TerminalOptions {
  color: boolean;
  /** Columns to wrap at (default 100, at least 40). */
  width?: number;
  /** Gate settings, for the formula line; without them the line is left out. */
  failOn?: Severity;
  minScore?: number;
}

/** What `shouldUseColor` needs of a stream. */
export interface ColorStream {
  isTTY?: boolean;
}

/**
 * Whether to colour output for `stream`:
 * 1. `NO_COLOR` set to any non-empty value: never (https://no-color.org), even with FORCE_COLOR;
 * 2. `FORCE_COLOR`: `0` or `false` never; any other value (also empty) always;
 * 3. `TERM=dumb`: never;
 * 4. otherwise only when the stream is a TTY.
 */
export function shouldUseColor(stream: ColorStream | undefined, env: Record<string, string | undefined>): boolean {
  const no = env.NO_COLOR;
  if (no !== undefined && no !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (env.TERM === 'dumb') return false;
  return stream?.isTTY === true;
}

type Paint = (s: string) => string;
interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  yellow: Paint;
  green: Paint;
  cyan: Paint;
  magenta: Paint;
}

const sgr = (open: number, close: number): Paint => (s) => (s === '' ? s : `\u001b[${open}m${s}\u001b[${close}m`);
const COLORS: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
  magenta: sgr(35, 39),
};
const id: Paint = (s) => s;
const NONE: Palette = { bold: id, dim: id, red: id, yellow: id, green: id, cyan: id, magenta: id };

function severityPaint(p: Palette, s: Severity): Paint {
  switch (s) {
    case 'critical':
      return (x) => p.bold(p.magenta(x));
    case 'high':
      return p.red;
    case 'medium':
      return p.yellow;
    case 'low':
      return p.cyan;
    default:
      return p.dim;
  }
}

/** Words of `text` in lines of at most `width` columns (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines.length > 0 ? lines : [''];
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;

/**
 * `lead` (kept whole: a `path:line` must stay clickable) followed by `text` wrapped to `width`;
 * continuation lines start with `indent`.
 */
function hang(lead: string, text: string, width: number, indent: string, paint: Paint = (x) => x): string[] {
  const out: string[] = [];
  let line = lead;
  let len = visible(lead);
  let first = true;
  for (const word of text.split(' ')) {
    if (word === '') continue;
    const sep = first && (lead === '' || lead.endsWith(' ')) ? '' : ' ';
    if (len + sep.length + word.length > width && len > indent.length) {
      out.push(line.trimEnd());
      line = indent + paint(word);
      len = indent.length + word.length;
    } else {
      line += sep + paint(word);
      len += sep.length + word.length;
    }
    first = false;
  }
  out.push(line);
  return out;
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));
const padLeft = (s: string, n: number) => ' '.repeat(Math.max(0, n - s.length)) + s;

export function renderTerminal(review: Review, opts: TerminalOptions): string {
  const p = opts.color ? COLORS : NONE;
  const width = Math.max(40, Math.floor(opts.width ?? 100));
  const out: string[] = [];

  // Verdict
  const c = review.gate.conclusion;
  const verdict =
    c === 'failure' ? p.bold(p.red('✗ ML Lens review: failing')) : c === 'neutral' ? p.bold(p.yellow('! ML Lens review: passing with notes')) : p.bold(p.green('✓ ML Lens review: passing'));
  out.push(verdict);
  for (const r of review.gate.reasons) for (const [i, l] of wrap(plain(r), width - 4).entries()) out.push((i === 0 ? '  - ' : '    ') + l);
  out.push('');

  // Pillar table
  const nameW = Math.max(...PILLARS.map((x) => PILLAR_NAMES[x].length), 'Overall (weighted)'.length);
  const numW = 'not assessed'.length;
  out.push(p.bold(`${pad('Pillar', nameW)}  ${padLeft('Base', numW)}  ${padLeft('Head', numW)}  ${padLeft('Change', 6)}`));
  const row = (name: string, s: PillarScore): string => {
    const delta = deltaText(s.delta);
    const d = s.delta !== null && s.delta < 0 ? p.red(padLeft(delta, 6)) : s.delta !== null && s.delta > 0 ? p.green(padLeft(delta, 6)) : padLeft(delta, 6);
    const head = s.head === null ? p.dim(padLeft(scoreText(null), numW)) : padLeft(scoreText(s.head), numW);
    const base = s.base === null ? p.dim(padLeft(scoreText(null), numW)) : padLeft(scoreText(s.base), numW);
    return `${pad(name, nameW)}  ${base}  ${head}  ${d}`;
  };
  for (const pillar of PILLARS) out.push(row(PILLAR_NAMES[pillar], review.scores[pillar] ?? { head: null, base: null, delta: null }));
  // The weighted mean (pillars.<pillar>.weight).
  out.push(p.bold(row('Overall (weighted)', review.overall)));
  if (opts.failOn !== undefined) {
    for (const l of wrap(formulaLine(opts.failOn, opts.minScore ?? 0), width)) out.push(p.dim(l));
  }
  out.push('');

  // Counts
  const fresh = review.findings.filter((f) => f.status === 'new');
  const existing = review.findings.filter((f) => f.status === 'existing');
  const suppressed = review.findings.filter((f) => f.status === 'suppressed');
  const parts = [fresh.length === 0 ? 'No new findings' : plural(fresh.length, 'new finding')];
  if (existing.length > 0) parts.push(`${existing.length} existing`);
  if (suppressed.length > 0) parts.push(`${suppressed.length} suppressed`);
  const fixed = review.fixed ?? [];
  if (fixed.length > 0) parts.push(`${fixed.length} fixed`);
  out.push(p.bold(parts.join(' · ')));

  // Findings by file
  const shown = [...fresh, ...existing].sort(
    (a, b) => cmp(a.path, b.path) || a.startLine - b.startLine || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || cmp(a.rule, b.rule),
  );
  let file: string | null = null;
  for (const f of shown) {
    if (f.path !== file) {
      file = f.path;
      const n = shown.filter((x) => x.path === file).length;
      out.push('');
      out.push(p.bold(displayPath(file)) + p.dim(`  (${plural(n, 'finding')})`));
    }
    out.push(...findingLines(f, p, width));
  }

  if (suppressed.length > 0) {
    out.push('');
    out.push(p.bold('Suppressed'));
    for (const f of [...suppressed].sort((a, b) => cmp(a.path, b.path) || a.startLine - b.startLine)) {
      const why = f.suppression ? `${f.suppression.source === 'inline' ? 'in the file' : 'by the configuration'}: ${plain(f.suppression.reason, 200)}` : '';
      out.push(...hang(`  ${displayPath(f.path)}:${f.startLine}  ${plain(f.rule)}  `, why, width, '      ', p.dim));
    }
  }

  if (fixed.length > 0) {
    out.push('');
    out.push(p.bold(p.green(`Fixed (${plural(fixed.length, 'finding')} of the base this change removed)`)));
    for (const f of fixed) out.push(...hang(`  ${displayPath(f.path)}  ${plain(f.rule)}  `, `${plain(f.address, 200)}: ${plain(f.title, 200)}`, width, '      ', p.dim));
  }

  if (review.suppressionProblems.length > 0) {
    out.push('');
    out.push(p.bold(p.yellow('Suppressions that did not apply')));
    for (const s of review.suppressionProblems) {
      out.push(...hang(`  ${displayPath(s.path)}:${s.line}  ${s.problem}: `, plain(s.message, 300), width, '      '));
    }
  }

  if (review.stats.truncated > 0) {
    out.push('');
    out.push(p.yellow(`${plural(review.stats.truncated, 'file')} over GitHub's 3000-file listing limit not reviewed.`));
  }

  const unreviewed = review.stats.notReviewed;
  if (unreviewed.length > 0) {
    out.push('');
    out.push(p.bold(p.yellow(`Not reviewed (${plural(unreviewed.length, 'file')}): no rule checked these`)));
    for (const l of wrap(`${coverageLine(review)}.`, width - 2)) out.push(`  ${l}`);
    for (const s of [...unreviewed].sort((a, b) => cmp(a.path, b.path))) {
      const claimed = s.claimedBy ? ` (${kindPhrase(s.claimedBy)} by its path)` : '';
      out.push(...hang(`  ${displayPath(s.path)}${claimed}  `, plain(s.reason, 200), width, '      ', p.dim));
    }
  }
  const folded = foldedNote(review.stats.folded);
  if (folded) {
    out.push('');
    out.push(...hang('', folded, width, '', p.yellow));
  }

  out.push('');
  const touched = PHASES.filter((x) => review.phases.includes(x)).map((x) => PHASE_NAMES[x]);
  out.push(...hang(p.dim('Lifecycle phases touched:') + ' ', touched.length > 0 ? touched.join(', ') : 'none', width, '  '));
  const st = review.stats;
  const footer = `${plural(st.files, 'file')}, ${plural(st.artifacts, 'artifact')}, ${plural(st.evaluations, 'evaluation')}${st.parseErrors > 0 ? `, ${plural(st.parseErrors, 'parse error')}` : ''} · ML Lens Reviewer ${plain(review.version, 40)}`;
  for (const l of wrap(footer, width)) out.push(p.dim(l));
  return out.join('\n') + '\n';
}

function findingLines(f: Finding, p: Palette, width: number): string[] {
  const paint = severityPaint(p, f.severity);
  const tag = f.status === 'existing' ? p.dim(' [existing]') : '';
  const indent = '      ';
  const w = width - indent.length;
  const lines = hang(`  ${displayPath(f.path)}:${f.startLine}  ${paint(f.severity.toUpperCase())}  `, plain(f.title, 200), width, indent);
  lines[lines.length - 1] += tag;
  const where = [plain(f.address, 200), f.attribute ? plain(f.attribute, 100) : null, plain(f.rule, 100), ...f.practices.map((x) => plain(x, 40))]
    .filter((x): x is string => !!x)
    .join(' · ');
  for (const l of wrap(where, w)) lines.push(indent + p.dim(l));
  for (const l of wrap(plain(f.message, 1000), w)) lines.push(indent + l);
  for (const [i, l] of wrap(plain(f.remediation, 1000), w - 2).entries()) lines.push(indent + (i === 0 ? p.green('→ ') : '  ') + l);
  return lines;
}
