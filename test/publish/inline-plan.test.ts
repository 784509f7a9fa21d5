/**
 * The inline review's plan, from the review and what the PR already has (our comments, the review
 * threads): the review to post, if any, and the threads to resolve. Pure.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintMarker } from '../../src/render/index.js';
import { planInlineChanges, type InlineInput, type ListedThread } from '../../src/publish/github/inline-plan.js';
import { groupKey } from '../../src/report-items.js';
import { BOT, HEAD, HUMAN, config, finding, review, type Finding } from './helpers.js';

const PATCH = ['@@ -0,0 +1,10 @@', ...Array.from({ length: 10 }, (_, i) => `+line ${i + 1}`)].join('\n');
const f = (rule: string, line: number, over: Partial<Finding> = {}) =>
  finding({ rule, fingerprint: `fp-${rule}`, severity: 'high', path: 'infra/a.tf', startLine: line, endLine: line, ...over });
const A = f('a', 2);
const B = f('b', 5);
const OFF = f('off', 50);

const input = (findings: Finding[], over: Partial<InlineInput> = {}): InlineInput => ({
  review: review({ findings }),
  settings: config(),
  pullNumber: 7,
  headSha: HEAD,
  patches: new Map([['infra/a.tf', PATCH]]),
  ...over,
});
const comment = (id: number, x: Finding, user = BOT) => ({ id, body: `${fingerprintMarker(x.fingerprint)}\nold`, user });
const thread = (id: string, x: Finding, over: Partial<ListedThread> = {}): ListedThread => ({
  id,
  isResolved: false,
  first: { body: `${fingerprintMarker(x.fingerprint)}\nold`, authorType: 'Bot' },
  ...over,
});

describe('planInlineChanges', () => {
  it('nothing on the PR: one review with a comment per new finding on the diff, nothing to resolve', () => {
    const plan = planInlineChanges(input([A, B, OFF]), { comments: [], threads: [] });
    expect(plan.review!.comments.map((c) => [c.path, c.line])).toEqual([
      ['infra/a.tf', 2],
      ['infra/a.tf', 5],
    ]);
    expect(plan.review!.body).toBe('**ML Lens** · 2 new findings on changed lines, commented below.\n\n1 new finding is on lines this diff does not show: see the summary comment.');
    expect(plan.outOfDiff).toEqual([OFF]);
    expect(plan.resolve).toEqual([]);
  });

  it('the same findings already commented: no review, no thread resolved', () => {
    const plan = planInlineChanges(input([A, B]), { comments: [comment(1, A), comment(2, B)], threads: [thread('T1', A), thread('T2', B)] });
    expect(plan.review).toBeNull();
    expect(plan.alreadyPosted).toEqual([A, B]);
    expect(plan.resolve).toEqual([]);
  });

  it('a finding fixed: its thread is resolved, a new one is commented; people’s and resolved threads are left alone', () => {
    const plan = planInlineChanges(input([B]), {
      comments: [comment(1, A)],
      threads: [thread('T-fixed', A), thread('T-done', A, { isResolved: true }), thread('T-person', A, { first: { body: `${fingerprintMarker(A.fingerprint)}\nquoted`, authorType: 'User' } }), thread('T-empty', A, { first: null })],
    });
    expect(plan.review!.comments.map((c) => c.line)).toEqual([5]);
    expect(plan.resolve).toEqual(['T-fixed']);
  });

  it('a finding that is now existing or suppressed no longer keeps its thread open', () => {
    const plan = planInlineChanges(input([{ ...A, status: 'existing' }]), { comments: [comment(1, A)], threads: [thread('T1', A)] });
    expect(plan.review).toBeNull();
    expect(plan.resolve).toEqual(['T1']);
  });

  it('a person quoting our marker is not a comment of ours: the finding is still commented', () => {
    const plan = planInlineChanges(input([A]), { comments: [comment(1, A, HUMAN)], threads: [] });
    expect(plan.review!.comments).toHaveLength(1);
  });

  it('over the cap: the rest is folded and the body says where to look', () => {
    const plan = planInlineChanges(input([A, B], { settings: config({ comments: { max_inline: 1, summary: false } }) }), { comments: [], threads: [] });
    expect(plan.folded).toEqual([B]);
    expect(plan.review!.body).toBe(
      '**ML Lens** · 1 new finding on changed lines, commented below.\n\n1 more new finding is not commented inline (at most 1 inline comments on a pull request): see the check run.',
    );
  });

  describe('grouped and related findings', () => {
    const LONG = ['@@ -0,0 +1,60 @@', ...Array.from({ length: 60 }, (_, i) => `+line ${i + 1}`)].join('\n');
    const bucket = (n: number, over: Partial<Finding> = {}) =>
      f('s3-bucket-versioning', n * 10, { fingerprint: `fp-bucket-${n}`, address: `aws_s3_bucket.b${n}`, ...over });
    const buckets = [1, 2, 3, 4].map((n) => bucket(n));
    const long = (findings: Finding[], over: Partial<InlineInput> = {}) => input(findings, { patches: new Map([['infra/a.tf', LONG]]), ...over });
    const KEY = groupKey('s3-bucket-versioning', 'infra/a.tf');
    const groupComment = (id: number) => ({ id, body: `${fingerprintMarker(KEY)}\nold`, user: BOT });

    it('one rule on four targets of a file: one comment on the first, naming the other three, under the group key', () => {
      const plan = planInlineChanges(long(buckets), { comments: [], threads: [] });
      expect(plan.review!.comments).toHaveLength(1);
      const c = plan.review!.comments[0]!;
      expect(c.line).toBe(10);
      expect(c.body.split('\n')[0]).toBe(fingerprintMarker(KEY));
      expect(c.body).toContain('The same on 3 more targets in this file: `aws_s3_bucket.b2` (line 20), `aws_s3_bucket.b3` (line 30), `aws_s3_bucket.b4` (line 40).');
      expect(plan.review!.body).toBe('**ML Lens** · 4 new findings on changed lines, commented below.');
    });

    it('the first target off the diff: the comment is anchored on the first one the diff shows', () => {
      const plan = planInlineChanges(long([bucket(9), ...buckets.slice(1)]), { comments: [], threads: [] });
      const c = plan.review!.comments[0]!;
      expect(c.line).toBe(20);
      expect(c.body).toContain('`aws_s3_bucket.b9` (line 90)');
    });

    it('already commented under the group key: nothing new, even when targets come and go or fall below group_from', () => {
      for (const findings of [buckets, [...buckets, bucket(5)], buckets.slice(0, 2)]) {
        const plan = planInlineChanges(long(findings), { comments: [groupComment(1)], threads: [] });
        expect(plan.review).toBeNull();
        expect(plan.alreadyPosted).toHaveLength(findings.length);
      }
    });

    it('every target already commented one by one (before they were grouped): nothing new', () => {
      const plan = planInlineChanges(long(buckets.slice(0, 3)), { comments: buckets.slice(0, 3).map((b, i) => comment(i + 1, b)), threads: [] });
      expect(plan.review).toBeNull();
    });

    it('the group thread stays open while the rule still fails in the file, and is resolved when none does', () => {
      const t = { id: 'T-group', isResolved: false, first: { body: `${fingerprintMarker(KEY)}\nold`, authorType: 'Bot' } };
      expect(planInlineChanges(long([bucket(4)]), { comments: [groupComment(1)], threads: [t] }).resolve).toEqual([]);
      expect(planInlineChanges(long([f('other', 2)]), { comments: [groupComment(1)], threads: [t] }).resolve).toEqual(['T-group']);
    });

    it('a group counts once against max_inline', () => {
      const plan = planInlineChanges(long([...buckets, A], { settings: config({ comments: { max_inline: 2 } }) }), { comments: [], threads: [] });
      expect(plan.review!.comments).toHaveLength(2);
      expect(plan.folded).toEqual([]);
    });

    it('group_from 0: a comment a target', () => {
      const plan = planInlineChanges(long(buckets, { settings: config({ comments: { group_from: 0 } }) }), { comments: [], threads: [] });
      expect(plan.review!.comments.map((c) => c.line)).toEqual([10, 20, 30, 40]);
    });

    it('related rules on one target: one comment naming both, under the first one\'s fingerprint', () => {
      const vpc = f('sagemaker-model-vpc', 3, { address: 'aws_sagemaker_model.m', title: 'Model containers run in your VPC or with network isolation', related: ['sagemaker-model-network-isolation'] });
      const iso = f('sagemaker-model-network-isolation', 3, { address: 'aws_sagemaker_model.m', severity: 'medium', title: 'Model containers run with network isolation', message: 'm lets the model container make outbound calls.', practices: ['MLSEC05-BP01'] });
      const plan = planInlineChanges(input([vpc, iso]), { comments: [], threads: [] });
      expect(plan.review!.comments).toHaveLength(1);
      const body = plan.review!.comments[0]!.body;
      expect(body.split('\n')[0]).toBe(fingerprintMarker(vpc.fingerprint));
      expect(body).toContain('Also on this target:');
      expect(body).toContain('Model containers run with network isolation: m lets the model container make outbound calls. (rule `sagemaker-model-network-isolation`)');
      expect(body).toContain('MLSEC05-BP01');
      expect(plan.review!.body).toBe('**ML Lens** · 2 new findings on changed lines, commented below.');
    });
  });

  it('a file renamed with its finding: the comment made under the old path stands for it (not posted again, not resolved)', () => {
    const movedA = { ...A, fingerprint: 'fp-a-moved', previousFingerprint: A.fingerprint };
    const plan = planInlineChanges(input([movedA]), { comments: [comment(1, A)], threads: [thread('T1', A)] });
    expect(plan.review).toBeNull();
    expect(plan.alreadyPosted).toEqual([movedA]);
    expect(plan.resolve).toEqual([]);
  });
});
