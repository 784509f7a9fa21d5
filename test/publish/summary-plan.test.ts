/** The summary comment's plan, from the comments GitHub lists: pure, no request. */
import { describe, expect, it } from 'vitest';
import { SUMMARY_MARKER } from '../../src/render/index.js';
import { planSummaryComment } from '../../src/publish/github/summary-comment.js';
import { BOT, HUMAN } from './helpers.js';

const body = (text: string) => `${SUMMARY_MARKER}\n${text}`;
const ours = (id: number, text: string) => ({ id, body: body(text), user: BOT });

describe('planSummaryComment', () => {
  it('nothing there: creates it (a person quoting our marker does not count)', () => {
    expect(planSummaryComment([{ id: 1, body: body('quoted'), user: HUMAN }], body('v1'))).toEqual({ outcome: 'created', create: body('v1'), remove: [] });
  });

  it('nothing there and nothing worth saying: no comment', () => {
    expect(planSummaryComment([], body('v1'), { createIfMissing: false })).toEqual({ outcome: 'none', remove: [] });
  });

  it('the same text already there (even with CRLF line endings): no write', () => {
    expect(planSummaryComment([{ id: 5, body: body('line 1\nline 2').replace(/\n/g, '\r\n'), user: BOT }], body('line 1\nline 2'))).toEqual({ outcome: 'unchanged', remove: [] });
  });

  it('stale text: updates ours in place, even when it would not create one', () => {
    expect(planSummaryComment([ours(5, 'v1')], body('v2'), { createIfMissing: false })).toEqual({ outcome: 'updated', update: { id: 5, body: body('v2') }, remove: [] });
  });

  it('duplicates from concurrent runs: keeps the first, deletes the others', () => {
    expect(planSummaryComment([ours(10, 'v2'), ours(11, 'v1'), { id: 12, body: `text ${SUMMARY_MARKER}`, user: BOT }], body('v2'))).toEqual({
      outcome: 'unchanged',
      remove: [11],
    });
  });

  it('summary turned off: deletes every comment of ours, or does nothing', () => {
    expect(planSummaryComment([ours(10, 'a'), ours(11, 'b')], null)).toEqual({ outcome: 'deleted', remove: [10, 11] });
    expect(planSummaryComment([{ id: 1, body: 'LGTM', user: HUMAN }], null)).toEqual({ outcome: 'none', remove: [] });
  });
});
