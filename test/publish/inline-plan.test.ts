/**
 * The inline review's plan, from the review and what the PR already has (our comments, the review
 * threads): the review to post, if any, and the threads to resolve. Pure.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintMarker } from '../../src/render/index.js';
import { planInlineChanges, type InlineInput, type ListedThread } from '../../src/publish/github/inline-plan.js';
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
});
