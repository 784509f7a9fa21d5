import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import type { Finding } from '../../src/model.js';
import { compareScores, decideGate, overallScore, pillarScores } from '../../src/scoring.js';

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
      { pillar: 'security', severity: 'critical', outcome: 'pass', suppressed: false },
      { pillar: 'security', severity: 'high', outcome: 'fail', suppressed: false },
      { pillar: 'security', severity: 'low', outcome: 'unknown', suppressed: false },
      { pillar: 'reliability', severity: 'medium', outcome: 'fail', suppressed: true },
      { pillar: 'sustainability', severity: 'info', outcome: 'fail', suppressed: false },
    ]);
    expect(s.security).toBe(67); // 10 / 15
    expect(s.reliability).toBeNull(); // only a suppressed failure
    expect(s.sustainability).toBe(100); // info weighs nothing
    expect(s['cost-optimization']).toBeNull();
  });

  it('compares head and base', () => {
    const head = pillarScores([{ pillar: 'security', severity: 'high', outcome: 'fail', suppressed: false }]);
    const base = pillarScores([{ pillar: 'security', severity: 'high', outcome: 'pass', suppressed: false }]);
    const c = compareScores(head, base);
    expect(c.security).toEqual({ head: 0, base: 100, delta: -100 });
    expect(c.reliability).toEqual({ head: null, base: null, delta: null });
    expect(overallScore(c, defaultConfig())).toBe(0);
  });
});

describe('gate', () => {
  const scores = compareScores(pillarScores([]), pillarScores([]));

  it('fails on a new unsuppressed finding at or above fail_on', () => {
    const g = decideGate([finding({ severity: 'high' })], scores, defaultConfig());
    expect(g.conclusion).toBe('failure');
    expect(g.reasons[0]).toContain('r (high) at main.tf:1');
  });

  it('is neutral on lesser findings and success on existing or suppressed ones', () => {
    const cfg = defaultConfig();
    expect(decideGate([finding({ severity: 'medium' })], scores, cfg).conclusion).toBe('neutral');
    expect(decideGate([finding({ status: 'existing' })], scores, cfg).conclusion).toBe('success');
    expect(decideGate([finding({ status: 'suppressed' })], scores, cfg).conclusion).toBe('success');
    expect(decideGate([finding({ severity: 'info' })], scores, cfg).conclusion).toBe('success');
  });

  it('counts existing findings when only_new is false', () => {
    const cfg = defaultConfig();
    cfg.gate.only_new = false;
    expect(decideGate([finding({ status: 'existing' })], scores, cfg).conclusion).toBe('failure');
  });

  it('applies per-path overrides', () => {
    const cfg = defaultConfig();
    cfg.overrides = [{ paths: ['services/scoring/**'], gate: { fail_on: 'critical' } }];
    expect(decideGate([finding({ path: 'services/scoring/main.tf' })], scores, cfg).conclusion).toBe('neutral');
    expect(decideGate([finding({ path: 'infra/main.tf' })], scores, cfg).conclusion).toBe('failure');
  });

  it('fails when a pillar scores below min_score', () => {
    const cfg = defaultConfig();
    cfg.gate.min_score = 80;
    const low = compareScores(
      pillarScores([{ pillar: 'reliability', severity: 'low', outcome: 'fail', suppressed: false }]),
      pillarScores([]),
    );
    const g = decideGate([], low, cfg);
    expect(g).toEqual({ conclusion: 'failure', reasons: ['reliability scores 0, below the minimum of 80'] });
  });
});
