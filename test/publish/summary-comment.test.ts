import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { SUMMARY_MARKER } from '../../src/render/index.js';
import { upsertSummaryComment } from '../../src/publish/github/summary-comment.js';
import { API, BOT, HUMAN, REPO_PATH, capture, counting, target, useGitHub } from './helpers.js';

const gh = useGitHub();
const COMMENTS = `${REPO_PATH}/issues/7/comments`;
const body = (text: string) => `${SUMMARY_MARKER}\n${text}`;

describe('summary comment', () => {
  it('is created when the PR has none', async () => {
    const bodies: any[] = [];
    nock(API)
      .get(COMMENTS)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: 'LGTM', user: HUMAN }])
      .post(COMMENTS, capture(bodies))
      .reply(201, { id: 2 });
    const { result, requests } = await counting((gh) => upsertSummaryComment(gh, 7, body('v1')));
    expect(result).toBe('created');
    expect(bodies).toEqual([{ body: body('v1') }]);
    expect(requests).toBe(2);
  });

  it('is updated in place when its text changed, and left alone when it did not', async () => {
    const bodies: any[] = [];
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [{ id: 5, body: body('v1'), user: BOT }])
      .patch(`${REPO_PATH}/issues/comments/5`, capture(bodies))
      .reply(200, {});
    expect(await upsertSummaryComment(target(), 7, body('v2'))).toBe('updated');
    expect(bodies).toEqual([{ body: body('v2') }]);

    // GitHub may hand the body back with CRLF line endings: still the same text, no write.
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [{ id: 5, body: body('v2').replace(/\n/g, '\r\n'), user: BOT }]);
    const { result, requests } = await counting((gh) => upsertSummaryComment(gh, 7, body('v2')));
    expect(result).toBe('unchanged');
    expect(requests).toBe(1);
    expect(gh.rec().requests.filter((r) => r.method !== 'GET')).toHaveLength(1);
  });

  it('finds ours on any page and deletes duplicates, never a person’s comment', async () => {
    const page2 = `${API}${COMMENTS}?per_page=100&page=2`;
    nock(API)
      .get(COMMENTS)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: body('quoted by a person'), user: HUMAN }], { link: `<${page2}>; rel="next", <${page2}>; rel="last"` })
      .get(COMMENTS)
      .query({ per_page: '100', page: '2' })
      .reply(200, [
        { id: 10, body: body('same'), user: BOT },
        { id: 11, body: body('older run'), user: BOT },
        { id: 12, body: `not first line ${SUMMARY_MARKER}`, user: BOT },
      ])
      .delete(`${REPO_PATH}/issues/comments/11`)
      .reply(204);
    const { result, requests } = await counting((gh) => upsertSummaryComment(gh, 7, body('same')));
    expect(result).toBe('unchanged');
    expect(requests).toBe(3); // two pages + one delete
  });

  it('tolerates a duplicate that is already gone', async () => {
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [
        { id: 10, body: body('same'), user: BOT },
        { id: 11, body: body('dup'), user: BOT },
      ])
      .delete(`${REPO_PATH}/issues/comments/11`)
      .reply(404, { message: 'Not Found' });
    expect(await upsertSummaryComment(target(), 7, body('same'))).toBe('unchanged');
  });

  it('is deleted when the summary is turned off (comments.summary: false)', async () => {
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [{ id: 10, body: body('old'), user: BOT }])
      .delete(`${REPO_PATH}/issues/comments/10`)
      .reply(204);
    expect(await upsertSummaryComment(target(), 7, null)).toBe('deleted');
  });

  it('is not created for a change with nothing to say, but an existing one is kept current', async () => {
    nock(API).get(COMMENTS).query(true).reply(200, []);
    expect(await upsertSummaryComment(target(), 7, body('x'), { createIfMissing: false })).toBe('none');
    nock(API)
      .get(COMMENTS)
      .query(true)
      .reply(200, [{ id: 3, body: body('old'), user: BOT }])
      .patch(`${REPO_PATH}/issues/comments/3`)
      .reply(200, {});
    expect(await upsertSummaryComment(target(), 7, body('x'), { createIfMissing: false })).toBe('updated');
  });
});
