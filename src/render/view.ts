/**
 * View models: what the templates see. Everything a template would otherwise have to compute
 * (grouping, sorting, caps, counts, links, labels) is done here, so templates stay short and an
 * override only decides the layout. Repository values stay raw in the view (templates escape them
 * with `esc`/`code`); the view adds only our own text.
 */
import {
  PHASES,
  PILLARS,
  SEVERITIES,
  SEVERITY_RANK,
  type Finding,
  type FixedFinding,
  type Pillar,
  type Review,
  type Severity,
  type SuppressionProblem,
} from '../model.js';
import { kindPhrase } from '../formats/index.js';
import { DEFAULT_GROUP_FROM, reportItems, type ReportItem } from '../report-items.js';
import { displayPath } from '../display-path.js';
import { fenceFor, safeUrl } from './escape.js';
import {
  CONCLUSION_LABELS,
  LENS_HOME,
  PHASE_NAMES,
  PILLAR_NAMES,
  PILLAR_SHORT,
  SEVERITY_LABELS,
  formulaLine,
  plural,
  shortRef,
} from './labels.js';

/** Hidden marker of the sticky summary comment. */
export const SUMMARY_MARKER = '<!-- ml-lens:summary -->';

/** Hidden marker of an inline comment or an issue, keyed by the finding's fingerprint. */
export function fingerprintMarker(fingerprint: string): string {
  return `<!-- ml-lens:fingerprint=${fingerprintKey(fingerprint)} -->`;
}

/**
 * The fingerprint as written in a marker. Fingerprints are hex hashes, written unchanged; anything
 * that could end an HTML comment is replaced. Compare `parseFingerprintMarker(body)` with this.
 */
export function fingerprintKey(fingerprint: string): string {
  return markerValue(fingerprint);
}

/**
 * The fingerprint in a body written with `fingerprintMarker`, or null. Only the first line counts
 * (where the renderers put the marker), so text quoted further down can never pose as a marker.
 */
export function parseFingerprintMarker(body: string): string | null {
  const first = body.slice(0, body.indexOf('\n') === -1 ? body.length : body.indexOf('\n'));
  const m = /^<!-- ml-lens:fingerprint=([A-Za-z0-9._:/+=-]+) -->$/.exec(first.trim());
  return m ? m[1]! : null;
}

/** A value safe inside an HTML comment: no `--`, no `>`, no spaces. */
function markerValue(s: string): string {
  return s.replace(/[^A-Za-z0-9._:/+=-]/g, '_').replace(/-{2,}/g, '-').replace(/-$/, '_');
}

/** Builds a link to a file and line on the forge; `endLine` is given for ranges. */
export type FileUrl = (path: string, line: number, endLine?: number) => string;

export interface GateOptions {
  /** `gate.fail_on` of the configuration. */
  failOn: Severity;
  /** `gate.min_score` of the configuration. */
  minScore: number;
}

export interface FindingView extends Omit<Finding, 'suppression' | 'fix' | 'related' | 'status'> {
  status: Finding['status'] | FixedFinding['status'];
  /**
   * What is wrong, in short: the message up to its first clause (`aws_s3_bucket.data does not
   * default to a customer-managed KMS key (kms_master_key_id: absent)`), for lists where the title,
   * which names the goal, would read like a passing check.
   */
  brief: string;
  /** `path:line`, the text of a location link. */
  location: string;
  /** Link to the file and line, when the caller gave `fileUrl` and it produced an http(s) URL. */
  url: string | null;
  severityRank: number;
  suppression: { source: string; label: string; reason: string; until: string | null; line: number | null } | null;
  /** The fix, with `body` (a ```suggestion block) and `codeBlock` (a plain fenced block). */
  fix: { startLine: number; endLine: number; replacement: string; choose: boolean; fence: string; body: string; codeBlock: string } | null;
  /** The comment that suppresses this finding in its file, or null where the file has no comments (JSON). */
  ignoreHint: string | null;
  /**
   * Listed as a report item (src/report-items.ts): the further targets of the same rule in the file
   * (`total` 0 for a finding of one target; at most 10 listed), and the findings of related rules
   * on them, one entry a rule. `practices` then holds every practice of the item.
   */
  targets: Listed<{ location: string; url: string | null; address: string; line: number }>;
  related: { rule: string; title: string; severity: Severity; message: string; count: number }[];
  /** How many findings the item stands for (1 for a finding on its own). */
  findings: number;
}

/** Further targets named in a grouped item before "and N more". */
const TARGETS_LISTED = 10;

export interface Listed<T> {
  total: number;
  items: T[];
  /** How many are not listed (over the cap). */
  hidden: number;
}

/** Findings listed as report items: `total` and `hidden` count findings, `items` the items shown. */
export type ListedItems = Listed<FindingView>;

export interface PillarGroup {
  pillar: Pillar;
  name: string;
  /** Findings (not items) in the group. */
  total: number;
  items: FindingView[];
}

export interface ReportView {
  summaryMarker: string;
  version: string;
  conclusion: Review['gate']['conclusion'];
  verdict: { icon: string; label: string };
  reasons: string[];
  failOn: Severity;
  minScore: number;
  formula: string;
  lensUrl: string;
  counts: {
    new: number;
    existing: number;
    suppressed: number;
    /** Findings of the base the change removed. */
    fixed: number;
    /** `2 high, 1 medium` for the new findings. */
    newBySeverity: string;
    /** One line: `7 new findings (2 high, 5 medium) · 3 existing · 2 suppressed`. */
    line: string;
  };
  /** `moved`: why the score moved, `2 new · 1 fixed` (new and fixed findings of the pillar), or empty. */
  pillars: { id: Pillar; name: string; head: number | null; base: number | null; delta: number | null; assessed: boolean; moved: string }[];
  /** The weighted mean of the assessed pillars (plan weights), head and base. */
  overall: { head: number | null; base: number | null; delta: number | null };
  anyAssessed: boolean;
  chart: { axis: string; bars: string } | null;
  /** New findings as report items, most severe first, capped, then grouped by pillar in pillar order. */
  newFindings: ListedItems & { groups: PillarGroup[] };
  /** Existing findings as report items. */
  existing: ListedItems;
  /**
   * Findings of the base the change removed (their lines are the base's: `url` is null, since links
   * point at the head), most severe first, capped like the existing ones.
   */
  fixed: Listed<FindingView>;
  suppressed: Listed<FindingView>;
  /** Existing and suppressed together, for the collapsed section. */
  others: { total: number; summary: string };
  problems: Listed<SuppressionProblem & { location: string; url: string | null; label: string }>;
  /**
   * Changed files that look like artifacts but were not reviewed; `claimed` names the kind whose
   * path pattern claims the file (such a file can fail the gate), else null.
   */
  notReviewed: Listed<{ path: string; reason: string; claimed: string | null }>;
  /** `Read 14 of 17 changed ML and infrastructure files`: what the review covered of what it should have. */
  coverageLine: string;
  /** Findings left out of the reports by the caps (`limits`): one sentence, or null. */
  foldedNote: string | null;
  phases: { names: string[]; count: number; of: number; text: string };
  truncatedNote: string | null;
  stats: Review['stats'];
  meta: { source: string; base: string | null; head: string | null; title: string | null };
  filesLine: string;
  /** Surfaces the publisher could not post, each with why (the check run's summary); empty elsewhere. */
  unpublished: string[];
  /** Every finding, grouped by status, then by pillar (the Markdown report, the check's text). */
  all: { status: string; title: string; total: number; groups: PillarGroup[]; hidden: number }[];
}

export interface Caps {
  /** New findings listed in the summary. */
  newFindings: number;
  /** Existing and suppressed findings listed in the collapsed section (each). */
  others: number;
  /** Files not reviewed and suppression problems listed (each). */
  aux: number;
  /** Findings listed in full (the report's and the check text's "all findings"). */
  all: number;
  /** Draw the chart. */
  chart: boolean;
  /** One rule on this many targets of a file is listed as one item (`comments.group_from`; 0: never). */
  group: number;
}

export const DEFAULT_CAPS: Caps = { newFindings: 50, others: 50, aux: 50, all: Infinity, chart: true, group: DEFAULT_GROUP_FROM };

const PROBLEM_LABELS: Record<SuppressionProblem['problem'], string> = {
  expired: 'expired',
  'no-reason': 'no reason given',
  'unknown-rule': 'unknown rule',
  'bad-date': 'unreadable date',
};

/** Most severe first, then pillar order, path, line, rule. */
export function bySeverity(a: Finding | FixedFinding, b: Finding | FixedFinding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    PILLARS.indexOf(a.pillar) - PILLARS.indexOf(b.pillar) ||
    byLocation(a, b)
  );
}

/** Path, line, rule (then address and fingerprint, so the order is total). */
export function byLocation(a: Finding | FixedFinding, b: Finding | FixedFinding): number {
  return (
    cmp(a.path, b.path) ||
    a.startLine - b.startLine ||
    cmp(a.rule, b.rule) ||
    cmp(a.address, b.address) ||
    cmp(a.fingerprint, b.fingerprint)
  );
}

/** Code-unit order, independent of locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The suppression comment for a file, by its comment syntax; null for JSON (no comments). */
export function ignoreHint(path: string, rule: string): string | null {
  const p = path.toLowerCase();
  if (p.endsWith('.json')) return null;
  if (p.endsWith('.md') || p.endsWith('.markdown')) return `<!-- ml-lens:ignore ${rule} <reason> -->`;
  return `# ml-lens:ignore ${rule} <reason>`;
}

/** Shortest a brief is cut to: a clause shorter than this is not the statement, only its start. */
const BRIEF_MIN = 20;
const BRIEF_MAX = 200;

/**
 * A message's statement without its consequence: rule messages say what is wrong, then, after a
 * colon or a full stop, why it matters. Cut at the first colon or sentence end outside brackets
 * (so `(attribute: value)` stays), then at 200 characters on a word boundary.
 */
export function brief(message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  let depth = 0;
  let end = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (depth === 0 && (c === ':' || c === '.' || c === ';') && i >= BRIEF_MIN && (i + 1 === text.length || text[i + 1] === ' ')) {
      end = i;
      break;
    }
  }
  const cut = text.slice(0, end).trim();
  if (cut.length <= BRIEF_MAX) return cut;
  const space = cut.lastIndexOf(' ', BRIEF_MAX - 1);
  return `${cut.slice(0, space > BRIEF_MIN ? space : BRIEF_MAX - 1)}…`;
}

/** A ```suggestion block replacing the anchored lines with `replacement` (empty: delete them). */
export function suggestionBlock(replacement: string): { fence: string; body: string; codeBlock: string } {
  const text = replacement.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  const fence = fenceFor(text);
  return {
    fence,
    body: text === '' ? `${fence}suggestion\n${fence}` : `${fence}suggestion\n${text}\n${fence}`,
    codeBlock: `${fence}\n${text}\n${fence}`,
  };
}

export function findingView(f: Finding | FixedFinding, fileUrl?: FileUrl): FindingView {
  let url: string | null = null;
  if (fileUrl) {
    try {
      url = safeUrl(fileUrl(f.path, f.startLine, f.endLine > f.startLine ? f.endLine : undefined));
    } catch {
      url = null;
    }
  }
  const s = f.suppression;
  const fix = f.fix ? { ...f.fix, ...suggestionBlock(f.fix.replacement) } : null;
  return {
    rule: f.rule,
    title: f.title,
    practices: f.practices,
    pillar: f.pillar,
    phase: f.phase,
    severity: f.severity,
    status: f.status,
    path: displayPath(f.path),
    startLine: f.startLine,
    endLine: f.endLine,
    address: f.address,
    attribute: f.attribute,
    message: f.message,
    brief: brief(f.message),
    remediation: f.remediation,
    fingerprint: f.fingerprint,
    location: `${displayPath(f.path)}:${f.startLine}`,
    url,
    severityRank: SEVERITY_RANK[f.severity],
    suppression: s
      ? {
          source: s.source,
          label: s.source === 'inline' ? (s.line ? `suppressed in the file (line ${s.line})` : 'suppressed in the file') : 'suppressed by the configuration',
          reason: s.reason,
          until: s.until ?? null,
          line: s.line ?? null,
        }
      : null,
    fix,
    ignoreHint: ignoreHint(f.path, f.rule),
    targets: { total: 0, items: [], hidden: 0 },
    related: [],
    findings: 1,
  };
}

/** A report item: its lead's view, with the further targets and the related rules' findings. */
export function itemView(item: ReportItem, fileUrl?: FileUrl): FindingView {
  const lead = findingView(item.lead, fileUrl);
  if (item.findings.length === 1) return lead;
  const targets = listed(item.targets, TARGETS_LISTED, (f) => {
    const v = findingView(f, fileUrl);
    return { location: v.location, url: v.url, address: f.address, line: f.startLine };
  });
  const byRule = new Map<string, FindingView['related'][number]>();
  const practices = new Set(item.lead.practices);
  for (const f of item.related) {
    for (const p of f.practices) practices.add(p);
    const seen = byRule.get(f.rule);
    if (seen) seen.count++;
    else byRule.set(f.rule, { rule: f.rule, title: f.title, severity: f.severity, message: f.message, count: 1 });
  }
  return { ...lead, practices: [...practices], targets, related: [...byRule.values()], findings: item.findings.length };
}

function listed<T, U>(items: T[], cap: number, map: (t: T) => U): Listed<U> {
  const n = Math.max(0, Math.min(items.length, cap));
  return { total: items.length, items: items.slice(0, n).map(map), hidden: items.length - n };
}

/** Findings as report items, capped by items; `total` and `hidden` count findings. */
function listedItems(findings: Finding[], cap: number, groupFrom: number, fileUrl?: FileUrl): ListedItems {
  const items = reportItems(findings, groupFrom);
  const n = Math.max(0, Math.min(items.length, cap));
  const shown = items.slice(0, n);
  const shownFindings = shown.reduce((sum, i) => sum + i.findings.length, 0);
  return { total: findings.length, items: shown.map((i) => itemView(i, fileUrl)), hidden: findings.length - shownFindings };
}

function group(items: FindingView[]): PillarGroup[] {
  const out: PillarGroup[] = [];
  const total = (list: FindingView[]) => list.reduce((sum, f) => sum + f.findings, 0);
  for (const p of PILLARS) {
    const mine = items.filter((f) => f.pillar === p);
    if (mine.length > 0) out.push({ pillar: p, name: PILLAR_NAMES[p], total: total(mine), items: mine });
  }
  // A pillar we do not know (should not happen) still shows, after the six.
  const rest = items.filter((f) => !PILLARS.includes(f.pillar));
  if (rest.length > 0) out.push({ pillar: rest[0]!.pillar, name: 'Other', total: total(rest), items: rest });
  return out;
}

function severityBreakdown(findings: Finding[]): string {
  const parts: string[] = [];
  for (const s of SEVERITIES) {
    const n = findings.filter((f) => f.severity === s).length;
    if (n > 0) parts.push(`${n} ${s}`);
  }
  return parts.join(', ');
}

export function buildView(review: Review, gate: GateOptions & { unpublished?: string[] | undefined }, caps: Caps, fileUrl?: FileUrl): ReportView {
  const findings = [...review.findings].sort(bySeverity);
  const fresh = findings.filter((f) => f.status === 'new');
  const existing = findings.filter((f) => f.status === 'existing');
  const suppressed = findings.filter((f) => f.status === 'suppressed');
  const view = (f: Finding) => findingView(f, fileUrl);

  const pillars = PILLARS.map((p) => {
    const s = review.scores[p] ?? { head: null, base: null, delta: null };
    const moved = [
      ...[[fresh.filter((f) => f.pillar === p).length, 'new'] as const, [(review.fixed ?? []).filter((f) => f.pillar === p).length, 'fixed'] as const]
        .filter(([n]) => n > 0)
        .map(([n, what]) => `${n} ${what}`),
    ].join(' · ');
    return { id: p, name: PILLAR_NAMES[p], head: s.head, base: s.base, delta: s.delta, assessed: s.head !== null, moved: s.delta ? moved : '' };
  });
  const anyAssessed = pillars.some((p) => p.assessed || p.base !== null);
  const chart = caps.chart && anyAssessed
    ? {
        axis: pillars.map((p) => JSON.stringify(p.assessed ? PILLAR_SHORT[p.id] : `${PILLAR_SHORT[p.id]} (n/a)`)).join(', '),
        bars: pillars.map((p) => String(p.head === null ? 0 : Math.max(0, Math.min(100, Math.round(p.head))))).join(', '),
      }
    : null;

  const freshListed = listedItems(fresh, caps.newFindings, caps.group, fileUrl);
  const newBySeverity = severityBreakdown(fresh);
  const countParts = [fresh.length === 0 ? 'No new findings' : `${plural(fresh.length, 'new finding')} (${newBySeverity})`];
  if (existing.length > 0) countParts.push(`${existing.length} existing`);
  if (suppressed.length > 0) countParts.push(`${suppressed.length} suppressed`);
  const fixed = [...(review.fixed ?? [])].sort(bySeverity);
  if (fixed.length > 0) countParts.push(`${fixed.length} fixed`);

  const othersParts: string[] = [];
  if (existing.length > 0) othersParts.push(plural(existing.length, 'existing finding'));
  if (suppressed.length > 0) othersParts.push(`${suppressed.length} suppressed`);

  const problems = [...review.suppressionProblems].sort((a, b) => cmp(a.path, b.path) || a.line - b.line);
  const problemView = (p: SuppressionProblem) => {
    let url: string | null = null;
    if (fileUrl) {
      try {
        url = safeUrl(fileUrl(p.path, p.line));
      } catch {
        url = null;
      }
    }
    return { ...p, location: `${displayPath(p.path)}:${p.line}`, url, label: PROBLEM_LABELS[p.problem] ?? p.problem };
  };
  const notReviewed = [...review.stats.notReviewed].sort((a, b) => cmp(a.path, b.path));

  const touched = PHASES.filter((p) => review.phases.includes(p));
  const phaseNames = touched.map((p) => PHASE_NAMES[p]);

  const truncated = review.stats.truncated ?? 0;
  const meta = review.meta ?? { source: 'dir' };
  const s = review.stats;

  const all: ReportView['all'] = [];
  let budget = caps.all;
  for (const [status, title, list] of [
    ['new', 'New findings', fresh],
    ['existing', 'Existing findings', existing],
    ['suppressed', 'Suppressed findings', suppressed],
  ] as const) {
    if (list.length === 0) continue;
    const l = listed(list, budget, view);
    budget = Math.max(0, budget - l.items.length);
    all.push({ status, title, total: list.length, groups: group(l.items), hidden: l.hidden });
  }

  const conclusion = review.gate.conclusion;
  return {
    summaryMarker: SUMMARY_MARKER,
    version: review.version,
    conclusion,
    verdict: CONCLUSION_LABELS[conclusion] ?? { icon: '', label: String(conclusion) },
    reasons: review.gate.reasons,
    failOn: gate.failOn,
    minScore: gate.minScore,
    formula: formulaLine(gate.failOn, gate.minScore),
    lensUrl: LENS_HOME,
    counts: {
      new: fresh.length,
      existing: existing.length,
      suppressed: suppressed.length,
      fixed: fixed.length,
      newBySeverity,
      line: countParts.join(' · '),
    },
    pillars,
    overall: { head: review.overall.head, base: review.overall.base, delta: review.overall.delta },
    anyAssessed,
    chart,
    newFindings: { ...freshListed, groups: group(freshListed.items) },
    existing: listedItems(existing, caps.others, caps.group, fileUrl),
    // Listed with the existing ones in a summary, with every finding in a full listing (the check's text).
    fixed: listed(fixed, Math.max(caps.others, caps.all), (f) => findingView(f)),
    suppressed: listed(suppressed, caps.others, view),
    others: { total: existing.length + suppressed.length, summary: othersParts.join(' and ') },
    problems: listed(problems, caps.aux, problemView),
    coverageLine: coverageLine(review),
    notReviewed: listed(notReviewed, caps.aux, (n) => ({
      path: displayPath(n.path),
      reason: n.reason,
      claimed: n.claimedBy ? kindPhrase(n.claimedBy) : null,
    })),
    foldedNote: foldedNote(review.stats.folded),
    phases: {
      names: phaseNames,
      count: touched.length,
      of: PHASES.length,
      text: touched.length === 0 ? 'none' : `${phaseNames.join(', ')} (${touched.length} of ${PHASES.length})`,
    },
    truncatedNote:
      truncated > 0
        ? `The pull request has more files than GitHub lists (3000); ${plural(truncated, 'file')} ${truncated === 1 ? 'was' : 'were'} not reviewed.`
        : null,
    stats: s,
    meta: { source: meta.source, base: shortRef(meta.base), head: shortRef(meta.head), title: meta.title ?? null },
    filesLine: [
      plural(s.files, 'file'),
      plural(s.artifacts, 'artifact'),
      ...(s.parseErrors > 0 ? [plural(s.parseErrors, 'file') + ' that did not parse'] : []),
    ].join(', '),
    unpublished: [...(gate.unpublished ?? [])],
    all,
  };
}

/** `Read 14 of 17 changed ML and infrastructure files`: the artifacts read, of those and the files not reviewed. */
export function coverageLine(review: Review): string {
  const read = review.stats.artifacts;
  return `Read ${read} of ${plural(read + review.stats.notReviewed.length, 'changed ML and infrastructure file')}`;
}

/** `5,300 more findings are not listed (limits): 5,300 in cfn/minified.json.` */
export function foldedNote(folded: Review['stats']['folded']): string | null {
  if (folded.total === 0) return null;
  const where = folded.byPath
    .slice(0, 3)
    .map((f) => `${f.count} in ${displayPath(f.path)}`)
    .join(', ');
  const more = folded.byPath.length > 3 ? `, and ${folded.byPath.length - 3} more files` : '';
  return `${plural(folded.total, 'more finding')} ${folded.total === 1 ? 'is' : 'are'} not listed, to keep the report usable (limits.max_findings_per_file, limits.max_findings): ${where}${more}. The gate counted them all.`;
}

/** Severity labels, for surfaces that do not go through Handlebars. */
export { SEVERITY_LABELS };
