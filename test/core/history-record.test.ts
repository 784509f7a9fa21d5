/**
 * What a job records of a review (src/jobs/history.ts): scores head and base with the overall,
 * counts by status and by severity (suppressed findings count by status only), the fixed
 * findings, and the covered paths — less those whose findings are not all known (not reviewed,
 * or folded by the caps), where an unseen finding is not a fixed one.
 */
import { describe, expect, it } from 'vitest';
import { coveredPaths, reviewOp } from '../../src/jobs/history.js';
import type { ChangeSet } from '../../src/model.js';
import { finding, review, scores } from '../render/fixtures.js';

const FACTS = {
  repository: { id: 1, fullName: 'acme/models', installationId: 2 },
  kind: 'pr' as const,
  number: 3,
  ref: 'refs/pull/3/head',
  headSha: 'h',
  baseSha: 'b',
  durationMs: 5,
  apiCalls: 6,
  toolVersion: '0.1.0',
  at: new Date('2026-11-28T12:00:00Z'),
};

describe('reviewOp', () => {
  it('records scores, counts, fixed findings and the paths whose findings it saw in full', () => {
    const r = review({
      scores: scores({ security: [80, 60] }),
      findings: [
        finding({ rule: 'a', severity: 'high', status: 'new', path: 'infra/a.tf' }),
        finding({ rule: 'b', severity: 'high', status: 'existing', path: 'infra/a.tf' }),
        finding({ rule: 'c', severity: 'low', status: 'suppressed', path: 'infra/a.tf' }),
      ],
      fixed: [{ ...finding({ rule: 'd', path: 'infra/a.tf' }), status: 'fixed' }],
      notReviewed: [{ path: 'infra/huge.tf', reason: 'too large', claimedBy: 'terraform' }],
      folded: { total: 4, byPath: [{ path: 'infra/many.tf', count: 4 }] },
    });
    const op = reviewOp(r, { ...FACTS, paths: ['infra/a.tf', 'infra/huge.tf', 'infra/many.tf', 'infra/clean.tf'] });
    if (op.type !== 'review') throw new Error('not a review op');
    expect(op.review.scoresHead).toMatchObject({ security: 60, reliability: null, overall: r.overall.head });
    expect(op.review.scoresBase).toMatchObject({ security: 80, overall: r.overall.base });
    expect(op.review.countsByStatus).toEqual({ new: 1, existing: 1, suppressed: 1, fixed: 1, folded: 4 });
    expect(op.review.countsBySeverity).toEqual({ critical: 0, high: 2, medium: 0, low: 0, info: 0 });
    expect(op.review.notReviewed).toEqual([{ path: 'infra/huge.tf', reason: 'too large', kind: 'terraform' }]);
    expect(op.findings.map((f) => [f.rule, f.status])).toEqual([
      ['a', 'new'],
      ['b', 'existing'],
      ['c', 'suppressed'],
      ['d', 'fixed'],
    ]);
    expect(op.paths).toEqual(['infra/a.tf', 'infra/clean.tf']);
    // Each record has an id of its own (a retried write of one record is one row).
    const again = reviewOp(r, { ...FACTS, paths: [] });
    expect(again.type === 'review' && again.review.recordId).not.toBe(op.review.recordId);
  });

  it('a renamed file\'s finding carries its old fingerprint, so its state moves instead of being fixed', () => {
    const moved = { ...finding({ rule: 'a', status: 'existing', path: 'infra/b.tf' }), previousFingerprint: 'before-the-move' };
    const op = reviewOp(review({ findings: [moved, finding({ rule: 'b', path: 'infra/b.tf' })] }), { ...FACTS, paths: ['infra/b.tf', 'infra/a.tf'] });
    if (op.type !== 'review') throw new Error('not a review op');
    expect(op.findings.map((f) => f.previousFingerprint)).toEqual(['before-the-move', undefined]);
  });

  it('covered paths: the files read, a renamed file under both paths, not a skipped one', () => {
    const files: ChangeSet['files'] = [
      { path: 'a.tf', status: 'modified', head: '', base: '' },
      { path: 'new/b.tf', previousPath: 'old/b.tf', status: 'renamed', head: '', base: '' },
      { path: 'big.tf', status: 'added', head: null, base: null, skipped: 'too large' },
    ];
    expect(coveredPaths({ files } as ChangeSet)).toEqual(['a.tf', 'new/b.tf', 'old/b.tf']);
  });
});
