import { describe, expect, it } from 'vitest';
import { PILLARS } from '../../src/model.js';
import { renderJson, toJsonReport } from '../../src/render/json.js';
import { failingReview, hostileReview, passingReview, review, scores } from './fixtures.js';

describe('JSON report', () => {
  it('has exactly the documented shape', () => {
    const j = toJsonReport(failingReview());
    expect(Object.keys(j)).toEqual(['version', 'gate', 'scores', 'overall', 'findings', 'stats', 'extra']);
    expect(Object.keys(j.gate)).toEqual(['conclusion', 'reasons']);
    expect(Object.keys(j.scores)).toEqual([...PILLARS]);
    for (const p of PILLARS) expect(Object.keys(j.scores[p])).toEqual(['head', 'base', 'delta']);
    expect(Object.keys(j.stats)).toEqual(['files', 'artifacts', 'byKind', 'parseErrors', 'suppressed', 'notReviewed', 'folded']);
    expect(Object.keys(j.extra)).toEqual(['phases', 'suppressionProblems', 'evaluations', 'truncated', 'meta']);
    const fixed = ['rule', 'title', 'practices', 'pillar', 'phase', 'severity', 'status', 'path', 'startLine', 'endLine', 'address', 'attribute', 'message', 'remediation', 'fingerprint'];
    for (const f of j.findings) {
      const keys = Object.keys(f);
      expect(keys.slice(0, fixed.length)).toEqual(fixed);
      expect(keys.length === fixed.length || (keys.length === fixed.length + 1 && keys[fixed.length] === 'extra')).toBe(true);
    }
  });

  it('keeps all six pillars, null when not assessed', () => {
    const j = toJsonReport(review({ scores: scores({ security: [null, 80] }) }));
    expect(j.scores.security).toEqual({ head: 80, base: null, delta: null });
    expect(j.scores.sustainability).toEqual({ head: null, base: null, delta: null });
  });

  it('sorts findings by path, line, rule; the fixed ones after the others, sorted the same way', () => {
    const j = toJsonReport(failingReview());
    const sortedKeys = (list: typeof j.findings) => {
      const keys = list.map((f) => [f.path, f.startLine, f.rule] as const);
      return [keys, [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)))];
    };
    const current = j.findings.filter((f) => f.status !== 'fixed');
    const fixed = j.findings.filter((f) => f.status === 'fixed');
    expect(j.findings).toEqual([...current, ...fixed]);
    expect(fixed.map((f) => f.rule)).toEqual(['ecr-image-scanning', 'sagemaker-endpoint-kms']);
    const [a, b] = sortedKeys(current);
    expect(a).toEqual(b);
  });

  it('puts suppression and fix under extra', () => {
    const j = toJsonReport(failingReview());
    const sup = j.findings.find((f) => f.status === 'suppressed' && f.extra?.suppression?.source === 'config')!;
    expect(sup.extra).toEqual({ suppression: { source: 'config', reason: 'dev endpoints are throw-away', until: '2027-01-31' } });
    expect(j.findings.find((f) => f.rule === 'sagemaker-endpoint-kms')!.extra!.fix!.choose).toBe(false);
    expect(j.findings.find((f) => f.rule === 'sagemaker-training-vpc')!.extra).toBeUndefined();
  });

  it('is stable and keeps values raw (JSON is not Markdown)', () => {
    const a = renderJson(hostileReview());
    expect(renderJson(hostileReview())).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
    expect(JSON.parse(a).findings.some((f: { address: string }) => f.address === 'aws_s3_bucket.@acme/security-team')).toBe(true);
    expect(JSON.parse(renderJson(passingReview())).gate.conclusion).toBe('success');
  });
});
