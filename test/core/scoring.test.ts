import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { Finding, Pillar, PillarScore } from '../../src/model.js';
import { planReview } from '../../src/plan.js';
import { compareScores, decideGate, overallScore, pillarScores, scopedScores, type Gate, type Scored } from '../../src/scoring.js';

const planOf = (config: Config) => planReview({ config, catalogue: { rules: [], byId: new Map() }, today: '2026-11-28' });

/** The gate of a plan made of `config`, with the head's scored evaluations for the score floors. */
function gate(findings: Finding[], scores: Record<Pillar, PillarScore>, config: Config, scored: Scored[] = []): Gate {
  const plan = planOf(config);
  const head = Object.fromEntries(Object.entries(scores).map(([p, s]) => [p, s.head])) as Record<Pillar, number | null>;
  return decideGate(plan, { findings, scores, scoped: scopedScores(plan.gate.floors, scored, head) });
}

function finding(over: Partial<Finding>): Finding {
  return {
    rule: 'r',
    title: 't',
    practices: [],
    pillar: 'security',
    phase: 'deployment',
    severity: 'high',
    status: 'new',
    path: 'main.tf',
    startLine: 1,
    endLine: 1,
    address: 'a',
    attribute: null,
    message: 'm',
    remediation: 'fix',
    fingerprint: 'f',
    ...over,
  };
}

describe('pillar scores', () => {
  it('weights by severity and leaves unassessed pillars null', () => {
    const s = pillarScores([
      { pillar: 'security', severity: 'critical', outcome: 'pass', suppressed: false, path: 'main.tf' },
      { pillar: 'security', severity: 'high', outcome: 'fail', suppressed: false, path: 'main.tf' },
      { pillar: 'security', severity: 'low', outcome: 'unknown', suppressed: false, path: 'main.tf' },
      { pillar: 'reliability', severity: 'medium', outcome: 'fail', suppressed: true, path: 'main.tf' },
      { pillar: 'sustainability', severity: 'info', outcome: 'fail', suppressed: false, path: 'main.tf' },
    ]);
    expect(s.security).toBe(67); // 10 / 15
    expect(s.reliability).toBeNull(); // only a suppressed failure
    expect(s.sustainability).toBe(100); // info weighs nothing
    expect(s['cost-optimization']).toBeNull();
  });

  it('compares head and base', () => {
    const head = pillarScores([{ pillar: 'security', severity: 'high', outcome: 'fail', suppressed: false, path: 'main.tf' }]);
    const base = pillarScores([{ pillar: 'security', severity: 'high', outcome: 'pass', suppressed: false, path: 'main.tf' }]);
    const c = compareScores(head, base);
    expect(c.security).toEqual({ head: 0, base: 100, delta: -100 });
    expect(c.reliability).toEqual({ head: null, base: null, delta: null });
    expect(overallScore(c, planOf(defaultConfig()).weights)).toEqual({ head: 0, base: 100, delta: -100 });
  });
});

describe('gate', () => {
  const scores = compareScores(pillarScores([]), pillarScores([]));

  it('fails on a new unsuppressed finding at or above fail_on', () => {
    const g = gate([finding({ severity: 'high' })], scores, defaultConfig());
    expect(g.conclusion).toBe('failure');
    expect(g.reasons[0]).toContain('r (high) at main.tf:1');
  });

  it('is neutral on lesser findings and success on existing or suppressed ones', () => {
    const cfg = defaultConfig();
    expect(gate([finding({ severity: 'medium' })], scores, cfg).conclusion).toBe('neutral');
    expect(gate([finding({ status: 'existing' })], scores, cfg).conclusion).toBe('success');
    expect(gate([finding({ status: 'suppressed' })], scores, cfg).conclusion).toBe('success');
    expect(gate([finding({ severity: 'info' })], scores, cfg).conclusion).toBe('success');
  });

  it('counts existing findings when only_new is false', () => {
    const cfg = defaultConfig();
    cfg.gate.only_new = false;
    expect(gate([finding({ status: 'existing' })], scores, cfg).conclusion).toBe('failure');
  });

  it('applies per-path overrides', () => {
    const cfg = defaultConfig();
    cfg.overrides = [{ paths: ['services/scoring/**'], gate: { fail_on: 'critical' } }];
    expect(gate([finding({ path: 'services/scoring/main.tf' })], scores, cfg).conclusion).toBe('neutral');
    expect(gate([finding({ path: 'infra/main.tf' })], scores, cfg).conclusion).toBe('failure');
  });

  it('fails when a pillar scores below min_score', () => {
    const cfg = defaultConfig();
    cfg.gate.min_score = 80;
    const head: Scored[] = [{ pillar: 'reliability', severity: 'low', outcome: 'fail', suppressed: false, path: 'main.tf' }];
    const low = compareScores(pillarScores(head), pillarScores([]));
    const g = gate([], low, cfg, head);
    expect(g).toEqual({ conclusion: 'failure', reasons: ['reliability scores 0, below the minimum of 80'] });
  });

  it('holds an override\'s min_score to the scores of its paths only', () => {
    const cfg = defaultConfig();
    cfg.overrides = [{ paths: ['services/scoring/**'], gate: { min_score: 80 } }];
    const elsewhere: Scored[] = [{ pillar: 'reliability', severity: 'low', outcome: 'fail', suppressed: false, path: 'infra/main.tf' }];
    const low = compareScores(pillarScores(elsewhere), pillarScores([]));
    expect(gate([], low, cfg, elsewhere).conclusion).toBe('success');
    const inScope: Scored[] = [{ ...elsewhere[0]!, path: 'services/scoring/main.tf' }];
    expect(gate([], low, cfg, inScope)).toEqual({ conclusion: 'failure', reasons: ['reliability scores 0 in services/scoring/**, below the minimum of 80'] });
  });
});
