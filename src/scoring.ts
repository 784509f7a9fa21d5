/**
 * Pillar scores and the gate (DESIGN §5). A pillar with no evaluation is "not assessed" (null),
 * never 100. Unknown outcomes and suppressed failures carry no weight either way.
 */
import { displayPath } from './display-path.js';
import {
  PILLARS,
  SEVERITY_RANK,
  SEVERITY_WEIGHT,
  type Conclusion,
  type Finding,
  type NotReviewed,
  type Pillar,
  type PillarScore,
  type Severity,
} from './model.js';
import type { ReviewPlan, ScoreFloor } from './plan.js';

/** What scoring needs of an evaluation. */
export interface Scored {
  pillar: Pillar;
  severity: Severity;
  outcome: 'pass' | 'fail' | 'unknown';
  suppressed: boolean;
  /** The file evaluated, for floors on the scores of some paths. */
  path: string;
}

export function pillarScores(evaluations: Iterable<Scored>): Record<Pillar, number | null> {
  const passed = new Map<Pillar, number>();
  const total = new Map<Pillar, number>();
  const seen = new Set<Pillar>();
  for (const e of evaluations) {
    if (e.outcome === 'unknown' || e.suppressed) continue;
    seen.add(e.pillar);
    const w = SEVERITY_WEIGHT[e.severity];
    total.set(e.pillar, (total.get(e.pillar) ?? 0) + w);
    if (e.outcome === 'pass') passed.set(e.pillar, (passed.get(e.pillar) ?? 0) + w);
  }
  const out = {} as Record<Pillar, number | null>;
  for (const p of PILLARS) {
    const t = total.get(p) ?? 0;
    // A pillar evaluated only by info-weight rules has no weight: it is assessed and whole.
    out[p] = !seen.has(p) ? null : t === 0 ? 100 : Math.round((100 * (passed.get(p) ?? 0)) / t);
  }
  return out;
}

export function compareScores(
  head: Record<Pillar, number | null>,
  base: Record<Pillar, number | null>,
): Record<Pillar, PillarScore> {
  const out = {} as Record<Pillar, PillarScore>;
  for (const p of PILLARS) {
    const h = head[p];
    const b = base[p];
    out[p] = { head: h, base: b, delta: h !== null && b !== null ? h - b : null };
  }
  return out;
}

/** Weighted mean of the assessed pillars (`pillars.<name>.weight`, default 1), head and base. */
export function overallScore(scores: Record<Pillar, PillarScore>, weights: Readonly<Record<Pillar, number>>): PillarScore {
  const mean = (side: 'head' | 'base'): number | null => {
    let sum = 0;
    let total = 0;
    for (const p of PILLARS) {
      const s = scores[p][side];
      const w = weights[p];
      if (s === null || w === 0) continue;
      sum += s * w;
      total += w;
    }
    return total === 0 ? null : Math.round(sum / total);
  };
  const head = mean('head');
  const base = mean('base');
  return { head, base, delta: head !== null && base !== null ? head - base : null };
}

export interface Gate {
  conclusion: Conclusion;
  reasons: string[];
}

/** The pillar scores of the head within each floor's paths. */
export interface ScopedScores {
  floor: ScoreFloor;
  scores: Record<Pillar, number | null>;
}

/**
 * The head's pillar scores counted over the evaluations of each floor's paths only; the global
 * floor takes `all`, the scores over every path, rather than counting them again.
 */
export function scopedScores(floors: readonly ScoreFloor[], head: readonly Scored[], all: Record<Pillar, number | null>): ScopedScores[] {
  return floors.map((floor) => ({ floor, scores: floor.everywhere ? all : pillarScores(head.filter((e) => floor.test(e.path))) }));
}

export interface GateInput {
  findings: readonly Finding[];
  scores: Record<Pillar, PillarScore>;
  /** Scores within the plan's floors (`scopedScores`). */
  scoped: readonly ScopedScores[];
  notReviewed?: readonly NotReviewed[];
  /** Changed files the source could not even list (over GitHub's 3000-file cap). */
  unlisted?: number;
}

function describe(f: Finding): string {
  return `${f.rule} (${f.severity}) at ${displayPath(f.path)}:${f.startLine}`;
}

export function decideGate(plan: Pick<ReviewPlan, 'gate'>, input: GateInput): Gate {
  const { findings, unlisted = 0 } = input;
  // Files left out by default (test data, generated) are listed, not a reason for a neutral gate.
  const notReviewed = (input.notReviewed ?? []).filter((n) => !n.excluded);
  const settings = plan.gate.at;
  const global = plan.gate.global;
  const blocking: Finding[] = [];
  const lesser: Finding[] = [];
  for (const f of findings) {
    if (f.status === 'suppressed') continue;
    const g = settings(f.path);
    if (g.only_new && f.status !== 'new') continue;
    if (SEVERITY_RANK[f.severity] >= SEVERITY_RANK[g.fail_on]) blocking.push(f);
    else if (f.severity !== 'info') lesser.push(f);
  }
  // A file the gate cannot vouch for never yields a bare success; one that a kind's path claims
  // fails it (unless the configuration says otherwise for its path).
  const unreviewedBlocking = notReviewed.filter((n) => n.claimedBy !== undefined && settings(n.path).fail_on_unreviewed);
  const reasons: string[] = [];
  const scope = global.only_new ? 'new ' : '';
  if (blocking.length > 0) {
    const shown = blocking.slice(0, 5).map(describe).join('; ');
    const more = blocking.length > 5 ? `; and ${blocking.length - 5} more` : '';
    reasons.push(`${blocking.length} ${scope}finding${blocking.length === 1 ? '' : 's'} at or above the gate's severity: ${shown}${more}`);
  }
  if (unreviewedBlocking.length > 0) {
    reasons.push(listUnreviewed(unreviewedBlocking, 'whose path claims an artifact kind could not be reviewed (gate.fail_on_unreviewed)'));
  }
  for (const { floor, scores } of input.scoped) {
    const where = floor.paths.length === 1 && floor.paths[0] === '**' ? '' : ` in ${floor.paths.join(', ')}`;
    for (const p of PILLARS) {
      const h = scores[p];
      if (h !== null && h < floor.min) reasons.push(`${p} scores ${h}${where}, below the minimum of ${floor.min}`);
    }
  }
  if (reasons.length > 0) return { conclusion: 'failure', reasons };
  const neutral: string[] = [];
  if (lesser.length > 0) {
    neutral.push(`${lesser.length} ${scope}finding${lesser.length === 1 ? '' : 's'} below the gate's severity (${global.fail_on})`);
  }
  if (unlisted > 0) neutral.push(`${unlisted} changed file${unlisted === 1 ? ' was' : 's were'} not listed by GitHub (over its 3000-file cap) and not reviewed`);
  if (notReviewed.length > 0) {
    neutral.push(listUnreviewed(notReviewed, notReviewed.length === 1 ? 'that looks like an artifact was not reviewed' : 'that look like artifacts were not reviewed'));
  }
  if (neutral.length > 0) return { conclusion: 'neutral', reasons: neutral };
  return { conclusion: 'success', reasons: [`no ${scope}findings to act on`] };
}

/** `2 files <what>: a.tf (binary file); b.yml (larger than 1 MB (1.2 MB))`. */
function listUnreviewed(files: readonly NotReviewed[], what: string): string {
  const shown = files
    .slice(0, 3)
    .map((n) => `${displayPath(n.path)} (${n.reason})`)
    .join('; ');
  const more = files.length > 3 ? `; and ${files.length - 3} more` : '';
  return `${files.length} file${files.length === 1 ? '' : 's'} ${what}: ${shown}${more}`;
}
