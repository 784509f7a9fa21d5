import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { fingerprintMarker } from '../../src/render/index.js';
import { canAnchor, parsePatch } from '../../src/publish/github/patch.js';
import type { InlineInput } from '../../src/publish/github/inline-plan.js';
import { publishInline } from '../../src/publish/github/review-comments.js';
import { API, BOT, HEAD, HUMAN, REPO_PATH, capture, config, counting, finding, review, target, useGitHub, type Finding } from './helpers.js';

const gh = useGitHub();
const LIST = `${REPO_PATH}/pulls/7/comments`;
const REVIEWS = `${REPO_PATH}/pulls/7/reviews`;

const ENDPOINT_PATCH = [
  '@@ -1,6 +1,7 @@',
  ' resource "aws_sagemaker_endpoint_configuration" "scoring" {',
  '-  name = "x"',
  '+  name = "scoring"',
  '+  # no kms key',
  '   production_variants {',
  '     initial_instance_count = 1',
  '   }',
  ' }',
  '@@ -20,3 +21,4 @@ resource "aws_sagemaker_model" "m" {',
  ' resource "aws_sagemaker_training_job" "t" {',
  '+  role_arn = var.role',
  '   image = "x"',
  ' }',
].join('\n');

const patches = new Map([['infra/endpoint.tf', ENDPOINT_PATCH]]);

const f = (rule: string, over: Partial<Finding>) => finding({ rule, path: 'infra/endpoint.tf', fingerprint: `fp-${rule}`, ...over });

const A = f('a-single-line', { severity: 'high', startLine: 2, endLine: 2 });
const B = f('b-multi-line', { severity: 'medium', startLine: 4, endLine: 6 });
const C = f('c-outside', { severity: 'critical', startLine: 10, endLine: 12 });
const D = f('d-fix', {
  severity: 'high',
  startLine: 21,
  endLine: 24,
  fix: { startLine: 21, endLine: 22, replacement: 'resource "aws_sagemaker_training_job" "t" {\n  role_arn = var.role\n  enable_network_isolation = true', choose: false },
});
const E = f('e-existing', { severity: 'high', startLine: 2, endLine: 2, status: 'existing' });
const F = f('f-suppressed', { severity: 'high', startLine: 3, endLine: 3, status: 'suppressed', suppression: { source: 'inline', reason: 'ok' } });
const G = f('g-no-patch', { severity: 'high', path: 'models/card.md', startLine: 1, endLine: 1 });
const H = f('h-across-hunks', { severity: 'low', startLine: 5, endLine: 30 });

function input(over: Partial<InlineInput> = {}): InlineInput {
  return { review: review({ findings: [A, B, C, D, E, F, G, H] }), settings: config(), pullNumber: 7, headSha: HEAD, patches, ...over };
}

function expectAnchorsValid(comments: any[]) {
  for (const c of comments) {
    expect(c.side).toBe('RIGHT');
    if (c.start_line !== undefined) {
      expect(c.start_side).toBe('RIGHT');
      expect(c.start_line).toBeLessThan(c.line);
    }
    expect(canAnchor(parsePatch(patches.get(c.path)), c.start_line ?? c.line, c.line), `${c.path}:${c.start_line}-${c.line}`).toBe(true);
  }
}

const threads = (nodes: { id: string; resolved?: boolean; body: string; author?: string }[], next: string | null = null) => ({
  data: {
    repository: {
      pullRequest: {
        reviewThreads: {
          pageInfo: { hasNextPage: next !== null, endCursor: next },
          nodes: nodes.map((n) => ({ id: n.id, isResolved: n.resolved ?? false, comments: { nodes: [{ body: n.body, author: { __typename: n.author ?? 'Bot' } }] } })),
        },
      },
    },
  },
});

describe('inline review comments', () => {
  it('posts one review with the new findings on lines the diff shows, anchored inside the hunks', async () => {
    const bodies: any[] = [];
    nock(API).get(LIST).query({ per_page: '100' }).reply(200, []).post(REVIEWS, capture(bodies)).reply(200, { id: 1 });
    const { result: res, requests } = await counting((gh) => publishInline(gh, input()));
    expect(requests).toBe(2);
    expect(bodies).toHaveLength(1);
    const rv = bodies[0];
    expect(rv).toMatchObject({ commit_id: HEAD, event: 'COMMENT' });
    expect(rv.comments.map((c: any) => [c.path, c.start_line, c.line])).toEqual([
      ['infra/endpoint.tf', undefined, 2], // A, high
      ['infra/endpoint.tf', 21, 22], // D, high: anchored on the fix's lines
      ['infra/endpoint.tf', 4, 6], // B, medium: multi-line within hunk 1
      ['infra/endpoint.tf', undefined, 5], // H, low: spans two hunks, so its first line alone
    ]);
    expectAnchorsValid(rv.comments);
    expect(rv.comments[0].body.startsWith(fingerprintMarker('fp-a-single-line') + '\n')).toBe(true);
    expect(res.outOfDiff.map((x) => x.rule).sort()).toEqual(['c-outside', 'g-no-patch']);
    expect(rv.body).toMatch(/4 new findings on changed lines/);
    expect(rv.body).toMatch(/2 new findings are on lines this diff does not show/);
  });

  it('puts a suggestion block on a finding with a fix (comments.suggestions)', async () => {
    const bodies: any[] = [];
    nock(API).get(LIST).query(true).reply(200, []).post(REVIEWS, capture(bodies)).reply(200, {});
    await publishInline(target(), input({ review: review({ findings: [D] }) }));
    const body: string = bodies[0].comments[0].body;
    expect(body).toContain('```suggestion\nresource "aws_sagemaker_training_job" "t" {\n  role_arn = var.role\n  enable_network_isolation = true\n```');

    const plain: any[] = [];
    nock(API).get(LIST).query(true).reply(200, []).post(REVIEWS, capture(plain)).reply(200, {});
    await publishInline(target(), input({ review: review({ findings: [D] }), settings: config({ comments: { suggestions: false } }) }));
    expect(plain[0].comments[0]).toMatchObject({ start_line: 21, line: 24 });
    expect(plain[0].comments[0].body).not.toContain('```suggestion');
  });

  it('caps the comments per run and says how many were left to the summary', async () => {
    const bodies: any[] = [];
    nock(API).get(LIST).query(true).reply(200, []).post(REVIEWS, capture(bodies)).reply(200, {});
    const res = await publishInline(target(), input({ settings: config({ comments: { max_inline: 2 } }) }));
    expect(bodies[0].comments).toHaveLength(2);
    expect(res.folded.map((x) => x.rule)).toEqual(['b-multi-line', 'h-across-hunks']);
    expect(bodies[0].body).toMatch(/2 more new findings are not commented inline \(at most 2 inline comments on a pull request\)/);
  });

  it('counts comments already on the PR against the cap', async () => {
    const bodies: any[] = [];
    nock(API)
      .get(LIST)
      .query(true)
      .reply(200, [{ id: 1, body: `${fingerprintMarker(A.fingerprint)}\nold`, user: BOT }])
      .post(REVIEWS, capture(bodies))
      .reply(200, {})
      .post('/graphql')
      .reply(200, threads([{ id: 'T1', body: `${fingerprintMarker(A.fingerprint)}\nold` }]));
    const res = await publishInline(target(), input({ settings: config({ comments: { max_inline: 2 } }) }));
    expect(bodies[0].comments.map((c: any) => c.line)).toEqual([22]); // D; A is already there
    expect(res.folded.map((x) => x.rule)).toEqual(['b-multi-line', 'h-across-hunks']);
  });

  it('does not comment twice on a re-run (dedupe by fingerprint marker), and resolves nothing still current', async () => {
    const existing = [A, B, D, H].map((x, i) => ({ id: i + 1, body: `${fingerprintMarker(x.fingerprint)}\nold text`, user: BOT }));
    nock(API)
      .get(LIST)
      .query(true)
      .reply(200, existing)
      .post('/graphql')
      .reply(200, threads(existing.map((c, i) => ({ id: `T${i}`, body: c.body }))));
    const { result: res, requests } = await counting((gh) => publishInline(gh, input()));
    expect(res.comments).toEqual([]);
    expect(res.alreadyPosted).toHaveLength(4);
    expect(res.resolved).toBe(0);
    expect(requests).toBe(2); // list + threads query: no review, no mutation
  });

  it('posts only the findings not yet commented (a person quoting a marker does not count)', async () => {
    const bodies: any[] = [];
    nock(API)
      .get(LIST)
      .query(true)
      .reply(200, [
        { id: 1, body: `${fingerprintMarker(A.fingerprint)}\nold`, user: BOT },
        { id: 2, body: `${fingerprintMarker(B.fingerprint)}\nquoted`, user: HUMAN },
      ])
      .post(REVIEWS, capture(bodies))
      .reply(200, {})
      .post('/graphql')
      .reply(200, threads([{ id: 'T1', body: `${fingerprintMarker(A.fingerprint)}\nold` }]));
    await publishInline(target(), input());
    expect(bodies[0].comments.map((c: any) => c.line)).toEqual([22, 6, 5]);
  });

  it('resolves threads of ours whose finding is gone, in one mutation, after reading every page of threads', async () => {
    const gone1 = `${fingerprintMarker('fp-gone-1')}\nold`;
    const gone2 = `${fingerprintMarker('fp-gone-2')}\nold`;
    const current = `${fingerprintMarker(A.fingerprint)}\nold`;
    const queries: any[] = [];
    const mutations: any[] = [];
    nock(API)
      .get(LIST)
      .query(true)
      .reply(200, [gone1, gone2, current].map((body, i) => ({ id: i, body, user: BOT })))
      .post(REVIEWS)
      .reply(200, {})
      .post('/graphql', (b: any) => b.query.startsWith('query') && !!queries.push(b))
      .reply(200, threads([{ id: 'T-gone-1', body: gone1 }, { id: 'T-current', body: current }, { id: 'T-done', body: gone2, resolved: true }], 'cursor-1'))
      .post('/graphql', (b: any) => b.query.startsWith('query') && !!queries.push(b))
      .reply(200, threads([{ id: 'T-gone-2', body: gone2 }, { id: 'T-human', body: gone1, author: 'User' }, { id: 'T-plain', body: 'a person’s comment' }]))
      .post('/graphql', (b: any) => b.query.startsWith('mutation') && !!mutations.push(b))
      .reply(200, { data: { r0: { thread: { id: 'T-gone-1', isResolved: true } }, r1: { thread: { id: 'T-gone-2', isResolved: true } } } });
    const { result: res, requests } = await counting((gh) => publishInline(gh, input()));
    expect(res.resolved).toBe(2);
    expect(queries.map((q) => q.variables)).toEqual([
      { owner: 'acme', name: 'models', number: 7, cursor: null },
      { owner: 'acme', name: 'models', number: 7, cursor: 'cursor-1' },
    ]);
    expect(mutations).toHaveLength(1);
    expect(mutations[0].variables).toEqual({ t0: 'T-gone-1', t1: 'T-gone-2' });
    expect(requests).toBe(5); // list, review, 2 thread pages, 1 mutation
    expect(gh.rec().requests.filter((r) => r.kind === 'graphql')).toHaveLength(3);
  });

  it('makes no request when inline comments are off', async () => {
    const { requests } = await counting((gh) => publishInline(gh, input({ settings: config({ comments: { inline: false } }) })));
    expect(requests).toBe(0);
    expect(gh.rec().count()).toBe(0);
  });

  it('propagates a rejected review with the step named', async () => {
    nock(API)
      .get(LIST)
      .query(true)
      .reply(200, [])
      .post(REVIEWS)
      .reply(422, { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'] });
    await expect(publishInline(target(), input())).rejects.toThrow(/posting the review \(4 inline comments\) failed \(HTTP 422\)/);
  });
});
