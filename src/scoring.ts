/**
 * Pillar scores and the gate (DESIGN §5). A pillar with no evaluation is "not assessed" (null),
 * never 100. Unknown outcomes and suppressed failures carry no weight either way.
 */
import type { Config } from './config/schema.js';
import { displayPath } from './display-path.js';
import { compileGlobs } from './glob.js';
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

/** What scoring needs of an evaluation. */
export interface Scored {
  pillar: Pillar;
  severity: Severity;
  outcome: 'pass' | 'fail' | 'unknown';
  suppressed: boolean;
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

/** Weighted mean of the assessed pillars (config `pillars.<name>.weight`, default 1). */
export function overallScore(scores: Record<Pillar, PillarScore>, config: Config): number | null {
  let sum = 0;
  let weights = 0;
  for (const p of PILLARS) {
    const h = scores[p].head;
    const w = config.pillars[p]?.weight ?? 1;
    if (h === null || w === 0) continue;
    sum += h * w;
    weights += w;
  }
  return weights === 0 ? null : Math.round(sum / weights);
}

export interface Gate {
  conclusion: Conclusion;
  reasons: string[];
}

/** Gate settings for a path: the global ones, overridden by the last matching `overrides` entry. */
export function gateFor(config: Config): (path: string) => Config['gate'] {
  const rules = config.overrides.map((o) => ({ test: compileGlobs(o.paths), gate: o.gate }));
  return (path) => {
    let g = config.gate;
    for (const r of rules) {
      if (!r.test(path)) continue;
      const set = Object.fromEntries(Object.entries(r.gate).filter(([, v]) => v !== undefined));
      g = { ...g, ...set };
    }
    return g;
  };
}

function describe(f: Finding): string {
  return `${f.rule} (${f.severity}) at ${displayPath(f.path)}:${f.startLine}`;
}

export function decideGate(
  findings: Finding[],
  scores: Record<Pillar, PillarScore>,
  config: Config,
  notReviewed: readonly NotReviewed[] = [],
  /** Changed files the source could not even list (over GitHub's 3000-file cap). */
  unlisted = 0,
): Gate {
  const settings = gateFor(config);
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
  const scope = config.gate.only_new ? 'new ' : '';
  if (blocking.length > 0) {
    const shown = blocking.slice(0, 5).map(describe).join('; ');
    const more = blocking.length > 5 ? `; and ${blocking.length - 5} more` : '';
    reasons.push(`${blocking.length} ${scope}finding${blocking.length === 1 ? '' : 's'} at or above the gate's severity: ${shown}${more}`);
  }
  if (unreviewedBlocking.length > 0) {
    reasons.push(listUnreviewed(unreviewedBlocking, 'whose path claims an artifact kind could not be reviewed (gate.fail_on_unreviewed)'));
  }
  const min = config.gate.min_score;
  for (const p of PILLARS) {
    const h = scores[p].head;
    if (min > 0 && h !== null && h < min) reasons.push(`${p} scores ${h}, below the minimum of ${min}`);
  }
  if (reasons.length > 0) return { conclusion: 'failure', reasons };
  const neutral: string[] = [];
  if (lesser.length > 0) {
    neutral.push(`${lesser.length} ${scope}finding${lesser.length === 1 ? '' : 's'} below the gate's severity (${config.gate.fail_on})`);
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
