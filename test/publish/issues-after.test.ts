/**
 * `issuesAfter`: where each risk item's tracking issue stands once a plan is applied (the map the
 * history keeps): issues opened (with GitHub's number), updated under a new marker (a moved file),
 * closed, reopened, duplicates, and issues that are not ours.
 */
import { describe, expect, it } from 'vitest';
import { issuesAfter, type IssueOp, type IssuePlan, type ListedIssue } from '../../src/publish/github/issue-plan.js';
import { fingerprintMarker } from '../../src/render/index.js';
import { finding } from './helpers.js';

const body = (fp: string) => `${fingerprintMarker(fp)}\ntext`;
const listed = (number: number, fp: string, state = 'open', over: Partial<ListedIssue> = {}): ListedIssue => ({
  number,
  title: `issue ${number}`,
  body: body(fp),
  state,
  labels: ['ml-lens'],
  user: { type: 'Bot' },
  ...over,
});

describe('issuesAfter', () => {
  it('maps each fingerprint to its issue as the plan left it', () => {
    const create: IssueOp = { kind: 'create', finding: finding({ rule: 'r', fingerprint: 'fp-new' }), title: 't', body: body('fp-new'), labels: ['ml-lens'], assignees: [] };
    const createdUnknown: IssueOp = { kind: 'create', finding: finding({ rule: 'r', fingerprint: 'fp-lost' }), title: 't', body: body('fp-lost'), labels: ['ml-lens'], assignees: [] };
    const plan: IssuePlan = {
      ops: [
        create,
        createdUnknown,
        { kind: 'update', number: 2, title: 't', body: body('fp-moved-to'), labels: null },
        { kind: 'close', number: 3, comment: 'gone', reason: 'completed' },
        { kind: 'reopen', number: 4, title: 't', body: body('fp-back'), labels: ['ml-lens'], comment: 'back' },
        { kind: 'close', number: 6, comment: 'dup', reason: 'duplicate' },
      ],
      labels: [],
      left: [1],
    };
    const before = [
      listed(1, 'fp-same'),
      listed(2, 'fp-moved-from'),
      listed(3, 'fp-gone'),
      listed(4, 'fp-back', 'closed'),
      listed(5, 'fp-dup'),
      listed(6, 'fp-dup'),
      listed(7, 'fp-human', 'open', { user: { type: 'User' } }),
      listed(8, 'fp-pr', 'open', { pull_request: {} }),
    ];
    const after = issuesAfter(before, plan, new Map([[create, 31]]));
    expect(new Map(after.map((i) => [i.fingerprint, [i.number, i.state]]))).toEqual(
      new Map([
        ['fp-same', [1, 'open']],
        ['fp-moved-to', [2, 'open']],
        ['fp-gone', [3, 'closed']],
        ['fp-back', [4, 'open']],
        ['fp-dup', [5, 'open']],
        ['fp-new', [31, 'open']],
      ]),
    );
  });
});
