/**
 * The tracking issues' plan, from the review and the issues GitHub lists: what to open, update,
 * reopen, close and leave. Pure.
 */
import { describe, expect, it } from 'vitest';
import { issueTitle } from '../../src/render/index.js';
import { planIssues, type IssuePlanInput, type ListedIssue } from '../../src/publish/github/issue-plan.js';
import { issueText } from '../../src/publish/github/issue-text.js';
import { BOT, HEAD, HUMAN, config, finding, review, type Finding } from './helpers.js';

const OLD = 'c'.repeat(40);
const at = (sha: string) => (path: string, line: number, end?: number) => `https://github.com/acme/models/blob/${sha}/${path}#L${line}${end && end > line ? `-L${end}` : ''}`;
const f = (rule: string, over: Partial<Finding> = {}) =>
  finding({ rule, fingerprint: `fp-${rule}`, severity: 'high', pillar: 'security', path: 'infra/endpoint.tf', startLine: 3, endLine: 4, ...over });
const K = f('k');
const labels = ['ml-lens', 'pillar:security', 'severity:high'];

const input = (findings: Finding[], over: Partial<IssuePlanInput> = {}): IssuePlanInput => ({
  review: review({ findings }),
  settings: config(),
  sha: HEAD,
  fileUrl: at(HEAD),
  commitUrl: `https://github.com/acme/models/commit/${HEAD}`,
  scopePaths: ['infra/endpoint.tf'],
  codeowners: '/infra/ @infra-owner\n',
  ...over,
});

/** An issue of ours for `x` as an earlier run at OLD left it. */
function issue(number: number, x: Finding, over: Partial<ListedIssue> = {}): ListedIssue {
  return { number, title: issueTitle(x), body: issueText(x, at(OLD)).body, state: 'open', state_reason: null, labels: labels.map((name) => ({ name })), user: BOT, ...over };
}

describe('planIssues', () => {
  it('nothing there: opens an issue, labelled and assigned to the code owners, and asks for its labels', () => {
    const plan = planIssues([], input([K]));
    expect(plan.ops).toEqual([{ kind: 'create', finding: K, ...issueText(K, at(HEAD)), labels, assignees: ['infra-owner'] }]);
    expect(plan.labels).toEqual(labels);
  });

  it('the same issue already there (links at another commit only): no write', () => {
    const plan = planIssues([issue(5, K)], input([K]));
    expect(plan).toEqual({ ops: [], labels: [], left: [5] });
  });

  it('stale title and labels: updates the issue, keeping a person’s label', () => {
    const listed = issue(5, K, { title: 'old title', labels: ['ml-lens', 'pillar:security', 'severity:medium', 'triage'].map((name) => ({ name })) });
    const [op] = planIssues([listed], input([K])).ops;
    expect(op).toEqual({ kind: 'update', number: 5, title: issueTitle(K), body: issueText(K, at(HEAD)).body, labels: ['ml-lens', 'pillar:security', 'triage', 'severity:high'] });
  });

  it('a finding gone: closes its issue with a comment linking the reviewed commit', () => {
    const plan = planIssues([issue(5, K)], input([]));
    expect(plan.ops).toEqual([
      {
        kind: 'close',
        number: 5,
        reason: 'completed',
        comment: `ML Lens closes this issue: the finding is no longer present at [\`${HEAD.slice(0, 7)}\`](https://github.com/acme/models/commit/${HEAD}). It is reopened if it comes back.`,
      },
    ]);
  });

  it('a finding suppressed, or now below the threshold: closed, saying why', () => {
    const hidden = { ...K, status: 'suppressed' as const, suppression: { source: 'config' as const, reason: 'accepted by @security' } };
    expect(planIssues([issue(5, K)], input([hidden])).ops[0]).toMatchObject({
      kind: 'close',
      comment: expect.stringMatching(/suppressed at .* \(configuration: accepted by @&#8203;security\)\. It is reopened if the suppression goes away or expires\.$/),
    });
    expect(planIssues([issue(5, K)], input([{ ...K, severity: 'low' }])).ops[0]).toMatchObject({ kind: 'close', comment: expect.stringMatching(/now below the severity/) });
  });

  it('a finding gone outside the reviewed paths: its issue is left open', () => {
    expect(planIssues([issue(5, K)], input([], { scopePaths: ['other.tf'] })).ops).toEqual([]);
    expect(planIssues([issue(5, K)], input([], { scopePaths: ['**'] })).ops).toHaveLength(1);
  });

  it('a finding back: reopens the issue we closed, with a comment linking its lines; one closed as not planned stays closed', () => {
    const reopened = planIssues([issue(5, K, { state: 'closed', state_reason: 'completed' })], input([K])).ops[0];
    expect(reopened).toMatchObject({
      kind: 'reopen',
      number: 5,
      labels,
      comment: `ML Lens reopens this issue: the finding is present again at [\`${HEAD.slice(0, 7)}\`](${at(HEAD)('infra/endpoint.tf', 3, 4)}).`,
    });
    expect(planIssues([issue(5, K, { state: 'closed', state_reason: 'not_planned' })], input([K]))).toEqual({ ops: [], labels: [], left: [5] });
  });

  it('duplicates: the oldest open issue stands, the others are closed as duplicates of it', () => {
    const plan = planIssues([issue(9, K), issue(4, K)], input([K]));
    expect(plan.ops).toEqual([{ kind: 'close', number: 9, reason: 'duplicate', comment: 'Duplicate of #4, which tracks the same finding.' }]);
    expect(plan.left).toEqual([4]);
  });

  it('ignores a person’s issue, a pull request and issues without our marker', () => {
    const plan = planIssues(
      [issue(1, K, { user: HUMAN }), issue(2, K, { pull_request: { url: 'x' } }), { ...issue(3, K), body: 'no marker here' }],
      input([K]),
    );
    expect(plan.ops.map((o) => o.kind)).toEqual(['create']);
  });

  it('on a pull request (onlyNew): existing findings get no issue and keep theirs open', () => {
    const existing = { ...K, status: 'existing' as const };
    expect(planIssues([], input([existing], { onlyNew: true })).ops).toEqual([]);
    expect(planIssues([issue(5, K)], input([existing], { onlyNew: true, scopePaths: [] })).ops).toEqual([]);
  });

  describe('a file renamed: its risks keep their issues', () => {
    const before = f('k', { fingerprint: 'fp-k-old', path: 'infra/endpoint.tf' });
    const moved = f('k', { fingerprint: 'fp-k-new', previousFingerprint: 'fp-k-old', path: 'infra/serving/endpoint.tf', status: 'existing' });
    const scope = { scopePaths: ['infra/serving/endpoint.tf', 'infra/endpoint.tf'] };

    it('an open issue stays open: updated to the new location and marker, not closed and opened again', () => {
      const plan = planIssues([issue(5, before)], input([moved], scope));
      expect(plan.ops).toEqual([{ kind: 'update', number: 5, ...issueText(moved, at(HEAD)), labels: null }]);
      expect(plan.ops[0]!.kind === 'update' && plan.ops[0]!.body.split('\n')[0]).toBe('<!-- ml-lens:fingerprint=fp-k-new -->');
    });

    it('an accepted risk (closed as not planned) stays closed, and takes the new marker so it is found again', () => {
      const plan = planIssues([issue(5, before, { state: 'closed', state_reason: 'not_planned' })], input([moved], scope));
      expect(plan.ops).toEqual([{ kind: 'update', number: 5, ...issueText(moved, at(HEAD)), labels: null }]);
      expect(plan.ops.some((o) => o.kind === 'create' || o.kind === 'reopen' || o.kind === 'close')).toBe(false);
      // The next review, with no rename: the issue is found under the new marker and left as it is.
      const { previousFingerprint: _gone, ...after } = moved;
      const next = planIssues([issue(5, moved, { state: 'closed', state_reason: 'not_planned' })], input([after], scope));
      expect(next).toEqual({ ops: [], labels: [], left: [5] });
    });

    it('an issue under the new marker wins over one under the old; the old one is then closed as gone', () => {
      const plan = planIssues([issue(5, before), issue(6, moved)], input([moved], scope));
      expect(plan.ops.map((o) => [o.kind, 'number' in o ? o.number : null])).toEqual([['close', 5]]);
    });

    it('a moved finding now suppressed: its old issue is closed as suppressed, not as gone', () => {
      const hidden = { ...moved, status: 'suppressed' as const, suppression: { source: 'inline' as const, reason: 'dev only', line: 2 } };
      const [op] = planIssues([issue(5, before)], input([hidden], scope)).ops;
      expect(op).toMatchObject({ kind: 'close', number: 5 });
      expect(op!.kind === 'close' && op!.comment).toMatch(/suppressed/);
    });
  });
});
