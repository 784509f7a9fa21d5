/** The check run's completion plan: which updates, in which order, carrying what. Pure. */
import { describe, expect, it } from 'vitest';
import { ACTIONS, planCheckCompletion } from '../../src/publish/github/check-plan.js';
import { config, finding, review } from './helpers.js';

const many = (n: number) => Array.from({ length: n }, (_, i) => finding({ rule: `rule-${i}`, severity: 'high', startLine: i + 1, endLine: i + 1 }));

describe('planCheckCompletion', () => {
  it('a passing review: one update that completes the run, no annotations, no buttons, no text', () => {
    const plan = planCheckCompletion({ review: review(), settings: config() });
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ step: 'completing the check run', complete: { conclusion: 'success', actions: [] }, output: { annotations: [] } });
    expect(plan[0]!.output.title).toMatch(/^Passing/);
    expect(plan[0]!.output.text).toBeUndefined();
  });

  it('120 annotations: the completing update with 50, then 50 and 20, each repeating the output', () => {
    const r = review({ findings: many(120), gate: { conclusion: 'failure', reasons: ['new high findings'] } });
    const plan = planCheckCompletion({ review: r, settings: config() });
    expect(plan.map((u) => [u.step, u.complete?.conclusion, u.output.annotations.length])).toEqual([
      ['completing the check run', 'failure', 50],
      ['adding annotations to the check run (batch 2 of 3)', undefined, 50],
      ['adding annotations to the check run (batch 3 of 3)', undefined, 20],
    ]);
    expect(plan[0]!.complete!.actions).toEqual(ACTIONS); // issues on merge + new high findings
    for (const u of plan.slice(1)) expect([u.output.title, u.output.summary, u.output.text]).toEqual([plan[0]!.output.title, plan[0]!.output.summary, plan[0]!.output.text]);
  });

  it('no button when issues are opened on the pull request already', () => {
    const r = review({ findings: many(1), gate: { conclusion: 'failure', reasons: [] } });
    expect(planCheckCompletion({ review: r, settings: config({ issues: { create: 'on-pr' } }) })[0]!.complete!.actions).toEqual([]);
  });
});
