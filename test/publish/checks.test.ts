import nock from 'nock';
import { INTERRUPTED_RESUMED } from '../../src/jobs/review-pull-request.js';
import { describe, expect, it } from 'vitest';
import type { Severity } from '../../src/model.js';
import {
  ACTIONS,
  CHECK_NAME,
  PublishError,
  annotationsFor,
  failCheckRun,
  neutralCheckRun,
  startCheckRun,
} from '../../src/publish/github/index.js';
import { completeCheckRun } from '../../src/publish/github/checks.js';
import { API, HEAD, REPO_PATH, capture, config, counting, finding, review, target, useGitHub } from './helpers.js';

const gh = useGitHub();
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function manyFindings(n: number) {
  return Array.from({ length: n }, (_, i) =>
    finding({
      rule: `rule-${i}`,
      path: `infra/f${i % 7}.tf`,
      address: `aws_thing.t${i}`,
      startLine: i + 1,
      endLine: i + 3,
      severity: SEVERITIES[i % 5]!,
      // every third one is already on the base branch, every tenth is suppressed
      status: i % 10 === 9 ? 'suppressed' : i % 3 === 0 ? 'existing' : 'new',
      ...(i % 10 === 9 ? { suppression: { source: 'config' as const, reason: 'accepted' } } : {}),
    }),
  );
}

describe('check run lifecycle', () => {
  it('starts in progress with an external id', async () => {
    const bodies: any[] = [];
    nock(API).post(`${REPO_PATH}/check-runs`, capture(bodies)).reply(201, { id: 42 });
    expect(await startCheckRun(target(), HEAD, { externalId: 'acme/models#7@' + HEAD })).toBe(42);
    expect(bodies[0]).toMatchObject({ name: CHECK_NAME, head_sha: HEAD, status: 'in_progress', external_id: 'acme/models#7@' + HEAD });
    expect(bodies[0].started_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(bodies[0].conclusion).toBeUndefined();
  });

  it('completes with 120 annotations in 3 calls: the first 50 with the conclusion, then 50 and 20', async () => {
    const findings = manyFindings(133); // 13 suppressed: 120 annotations
    const r = review({ findings, gate: { conclusion: 'failure', reasons: ['new high findings'] } });
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).times(3).reply(200, { id: 42 });
    const { requests } = await counting((gh) => completeCheckRun(gh, { checkRunId: 42, review: r, settings: config() }));
    expect(requests).toBe(3);
    expect(gh.rec().count()).toBe(3);
    const [first, second, third] = bodies;
    expect(first).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(first.completed_at).toMatch(/Z$/);
    expect(first.output.title).toMatch(/^Failing/);
    expect(first.output.summary.length).toBeGreaterThan(0);
    expect(first.output.text.length).toBeGreaterThan(0);
    expect(first.actions).toEqual(ACTIONS); // issues on merge + new high findings: the button is offered
    expect(first.output.annotations).toHaveLength(50);
    expect(second.output.annotations).toHaveLength(50);
    expect(third.output.annotations).toHaveLength(20);
    for (const later of [second, third]) {
      expect(later.conclusion).toBeUndefined();
      expect(later.status).toBeUndefined();
      expect(later.output.title).toBe(first.output.title);
    }
    const all = [...first.output.annotations, ...second.output.annotations, ...third.output.annotations];
    // new findings first (80 of them), then existing; most severe first within each
    const newCount = findings.filter((f) => f.status === 'new').length;
    expect(all.slice(0, newCount).every((a: any) => !a.message.includes('already on the base branch'))).toBe(true);
    expect(all.slice(newCount).every((a: any) => a.message.includes('already on the base branch'))).toBe(true);
    expect(all[0].annotation_level).toBe('failure');
    const byRule = new Map(all.map((a: any) => [a.title.match(/\((rule-\d+)\)$/)[1], a]));
    const level = (i: number) => byRule.get(`rule-${i}`)!.annotation_level;
    // rule-i has severity SEVERITIES[i % 5]: 1 high, 2 medium, 4 info, 5 critical
    expect([level(1), level(2), level(4), level(5)]).toEqual(['failure', 'warning', 'notice', 'failure']);
    expect(byRule.get('rule-8')!.annotation_level).toBe('notice'); // low
    const a1 = byRule.get('rule-1')!;
    expect(a1).toMatchObject({ path: 'infra/f1.tf', start_line: 2, end_line: 4 });
    expect(a1.raw_details).toContain('How to fix: Add it.');
    expect(byRule.has('rule-9')).toBe(false); // suppressed
  });

  it('caps annotations by checks.max_annotations and leaves them out when disabled', async () => {
    const r = review({ findings: manyFindings(120), gate: { conclusion: 'neutral', reasons: [] } });
    expect(annotationsFor(r, config({ checks: { max_annotations: 60 } }))).toHaveLength(60);
    expect(annotationsFor(r, config({ checks: { annotations: false } }))).toEqual([]);
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).reply(200, {});
    const { requests } = await counting((gh) =>
      completeCheckRun(gh, { checkRunId: 42, review: r, settings: config({ checks: { annotations: false }, issues: { create: 'never' } }) }),
    );
    expect(requests).toBe(1);
    expect(bodies[0]).toMatchObject({ conclusion: 'neutral', actions: [], output: { annotations: [] } });
  });

  it('completes a passing review in one call, without buttons', async () => {
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).reply(200, {});
    await completeCheckRun(target(), { checkRunId: 42, review: review(), settings: config() });
    expect(bodies[0]).toMatchObject({ conclusion: 'success', actions: [], output: { annotations: [] } });
    expect(bodies[0].output.text).toBeUndefined();
  });

  it('names the step, the status and the request id when GitHub refuses', async () => {
    nock(API).patch(`${REPO_PATH}/check-runs/42`).reply(403, { message: 'Resource not accessible by integration' }, { 'x-github-request-id': 'ABCD:1234' });
    const err = await completeCheckRun(target(), { checkRunId: 42, review: review(), settings: config() }).catch((e) => e);
    expect(err).toBeInstanceOf(PublishError);
    expect(err.message).toMatch(/completing the check run failed \(HTTP 403\): Resource not accessible by integration.*request id ABCD:1234/);
  });
});

describe('failCheckRun and neutralCheckRun', () => {
  it('ends the run as failure with the reason and the details, escaped', async () => {
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).reply(200, {});
    await failCheckRun(target(), 42, { reason: 'Invalid configuration in .github/ml-lens.yml', details: ['gate.fail_on: expected one of critical|high', '<img src=x> @everyone'] });
    expect(bodies[0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(bodies[0].output.title).toBe('Review failed: Invalid configuration in .github/ml-lens.yml');
    expect(bodies[0].output.summary).toContain('gate.fail_on');
    expect(bodies[0].output.summary).not.toContain('<img');
    expect(bodies[0].output.summary).not.toMatch(/(^|[^\w])@everyone/);
  });

  it('falls back to a minimal update, and never throws', async () => {
    const bodies: any[] = [];
    nock(API)
      .patch(`${REPO_PATH}/check-runs/42`, capture(bodies))
      .reply(500, { message: 'boom' })
      .patch(`${REPO_PATH}/check-runs/42`, capture(bodies))
      .reply(200, {});
    await failCheckRun(target(), 42, { reason: 'x'.repeat(100_000), details: Array.from({ length: 500 }, (_, i) => `detail ${i}`) });
    expect(bodies).toHaveLength(2);
    expect(bodies[0].output.summary.length).toBeLessThanOrEqual(65535);
    expect(bodies[0].output.summary).toContain('- detail 199\n- …and 300 more');
    expect(bodies[0].output.summary).not.toContain('detail 200');
    expect(bodies[1].output.summary).toBe('**ML Lens could not finish the review.** Push a new commit or press “Re-run” to try again.');
    expect(bodies[1].output.title).toBe(bodies[0].output.title);

    nock(API).patch(`${REPO_PATH}/check-runs/43`).times(2).reply(404, { message: 'Not Found' });
    await expect(failCheckRun(target(), 43, { reason: 'gone' })).resolves.toBeUndefined();
  });

  it('names the pressed button whose action failed', async () => {
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).reply(200, {});
    await failCheckRun(target(), 42, { reason: 'listing the tracking issues failed (HTTP 403)', action: 'open-issues' });
    expect(bodies[0].output.title).toBe('Review failed: The "open-issues" action failed: listing the tracking issues failed (HTTP 403)');
    expect(bodies[0].output.summary).toContain('The "open-issues" action failed: listing the tracking issues failed (HTTP 403)');
  });

  it('ends a superseded run as neutral, saying which commit replaced it', async () => {
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).times(2).reply(200, {});
    await neutralCheckRun(target(), 42, { why: 'superseded', headSha: 'a'.repeat(40), newHead: 'c'.repeat(40) });
    const moved = "Superseded: the pull request's head moved from aaaaaaa to ccccccc; the newer commit is reviewed instead.";
    expect(bodies[0]).toMatchObject({ status: 'completed', conclusion: 'neutral', output: { title: moved, summary: moved } });
    await neutralCheckRun(target(), 42, { why: 'superseded', headSha: 'a'.repeat(40) });
    expect(bodies[1].output.title).toBe('Superseded: a newer event for this pull request (a new commit or a new base) is reviewed instead of aaaaaaa.');
  });

  it('ends an interrupted run as neutral, asking for a re-run', async () => {
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).reply(200, {});
    await neutralCheckRun(target(), 42, { why: 'interrupted' });
    expect(bodies[0]).toMatchObject({ conclusion: 'neutral', output: { title: expect.stringMatching(/^Interrupted: .*re-run the check$/) } });
  });

  it('ends an interrupted run whose job went back to the shared queue as neutral, saying another reviewer takes it up', async () => {
    const bodies: any[] = [];
    nock(API).patch(`${REPO_PATH}/check-runs/42`, capture(bodies)).reply(200, {});
    await neutralCheckRun(target(), 42, { why: 'interrupted', resumed: true });
    expect(bodies[0]).toMatchObject({ conclusion: 'neutral', output: { title: INTERRUPTED_RESUMED, summary: INTERRUPTED_RESUMED } });
  });
});

describe('ACTIONS', () => {
  it('fit GitHub limits', () => {
    expect(ACTIONS.length).toBeLessThanOrEqual(3);
    for (const a of ACTIONS) {
      expect(a.label.length).toBeLessThanOrEqual(20);
      expect(a.description.length).toBeLessThanOrEqual(40);
      expect(a.identifier.length).toBeLessThanOrEqual(20);
    }
  });
});
