import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findOperation, recordRequests, validateGraphql, validateRestRequest, type Recorder } from './contract.js';

const SHA = 'a'.repeat(40);

describe('validateRestRequest', () => {
  it('accepts a valid checks.create', () => {
    expect(
      validateRestRequest({
        method: 'POST',
        path: '/repos/acme/models/check-runs',
        body: {
          name: 'ML Lens',
          head_sha: SHA,
          status: 'completed',
          conclusion: 'failure',
          completed_at: '2026-01-02T03:04:05Z',
          external_id: 'acme/models#1',
          output: {
            title: 'Failing',
            summary: 'x',
            annotations: [{ path: 'a.tf', start_line: 1, end_line: 2, annotation_level: 'warning', message: 'm', title: 't', raw_details: 'r' }],
          },
          actions: [{ label: 'Open tracking issues', description: 'Open an issue per risk', identifier: 'open-issues' }],
        },
      }),
    ).toEqual([]);
  });

  it('reports an unknown field, at any depth', () => {
    const top = validateRestRequest({ method: 'POST', path: '/repos/acme/models/check-runs', body: { name: 'x', head_sha: SHA, colour: 'red' } });
    expect(top).toHaveLength(1);
    expect(top[0]).toMatch(/checks\/create.*unknown field "colour"/);
    const deep = validateRestRequest({
      method: 'PATCH',
      path: '/repos/acme/models/check-runs/5',
      body: { output: { title: 't', summary: 's', annotations: [{ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'm', line: 3 }] } },
    });
    expect(deep.join('\n')).toMatch(/body\/output\/annotations\/0: unknown field "line"/);
  });

  it('reports a wrong type, a bad enum value, a missing required field and the annotation limit', () => {
    const p = validateRestRequest({
      method: 'POST',
      path: '/repos/acme/models/check-runs',
      body: {
        head_sha: 42,
        conclusion: 'passed',
        output: { title: 't', summary: 's', annotations: Array.from({ length: 51 }, () => ({ path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'm' })) },
      },
    }).join('\n');
    expect(p).toMatch(/body\/head_sha must be string/);
    expect(p).toMatch(/body\/conclusion must be equal to one of the allowed values/);
    expect(p).toMatch(/missing required field "name"/);
    expect(p).toMatch(/body\/output\/annotations must NOT have more than 50 items/);
  });

  it('understands nullable, oneOf and additionalProperties schemas', () => {
    // issues.update: milestone is `oneOf [string, integer]` and nullable; title is `oneOf [string, integer]`.
    expect(validateRestRequest({ method: 'PATCH', path: '/repos/a/b/issues/3', body: { title: 't', milestone: null, state: 'closed', state_reason: 'not_planned' } })).toEqual([]);
    expect(validateRestRequest({ method: 'PATCH', path: '/repos/a/b/issues/3', body: { state: 'shut' } }).join()).toMatch(/state/);
  });

  it('matches paths to operations, checks path and query parameters', () => {
    expect(findOperation('GET', '/repos/a/b/issues/comments')?.operationId).toBe('issues/list-comments-for-repo');
    expect(findOperation('GET', '/repos/a/b/issues/7')?.operationId).toBe('issues/get');
    expect(findOperation('GET', '/repos/a/b/git/ref/heads/feature/x')?.params).toEqual({ owner: 'a', repo: 'b', ref: 'heads/feature/x' });
    expect(validateRestRequest({ method: 'GET', path: '/repos/a/b/issues?labels=ml-lens&state=all&per_page=100' })).toEqual([]);
    expect(validateRestRequest({ method: 'GET', path: '/repos/a/b/issues', query: { state: 'everything' } }).join()).toMatch(/state="everything" is not one of/);
    expect(validateRestRequest({ method: 'GET', path: '/repos/a/b/issues?colour=red' }).join()).toMatch(/unknown query parameter "colour"/);
    expect(validateRestRequest({ method: 'GET', path: '/repos/a/b/pulls/x/comments' }).join()).toMatch(/pull_number="x" is not an integer/);
    expect(validateRestRequest({ method: 'PATCH', path: '/repos/a/b/pulls/1/comments' })[0]).toMatch(/no such operation.*exists for GET, POST/);
    expect(validateRestRequest({ method: 'GET', path: '/repos/a/b/nonsense' })[0]).toMatch(/no such operation/);
    expect(validateRestRequest({ method: 'DELETE', path: 'https://api.github.com/repos/a/b/issues/comments/9' })).toEqual([]);
  });

  it('agrees with the request examples GitHub publishes for the endpoints we use', () => {
    const spec = JSON.parse(readFileSync(new URL('../../node_modules/@octokit/openapi/generated/api.github.com.json', import.meta.url), 'utf8'));
    let checked = 0;
    for (const [template, item] of Object.entries<Record<string, { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } }>>(spec.paths)) {
      if (!/^\/repos\/\{owner\}\/\{repo\}\/(check-runs|issues|labels|pulls$|pulls\/\{pull_number\}(\/comments|\/reviews|$))/.test(template)) continue;
      for (const [method, op] of Object.entries(item)) {
        const examples = op.requestBody?.content?.['application/json']?.examples ?? {};
        for (const [name, ex] of Object.entries(examples)) {
          const path = template.replace(/\{[^}]+\}/g, (p) => (/number|_id\}/.test(p) ? '1' : 'x'));
          expect(validateRestRequest({ method, path, body: ex.value }), `${method} ${template} ${name}`).toEqual([]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('validateGraphql', () => {
  const THREADS = `query ($owner: String!, $name: String!, $number: Int!) {
    repository(owner: $owner, name: $name) { pullRequest(number: $number) { reviewThreads(first: 100) { nodes { id isResolved comments(first: 1) { nodes { body } } } } } }
  }`;

  it('accepts a valid query with its variables', () => {
    expect(validateGraphql(THREADS, { owner: 'a', name: 'b', number: 1 })).toEqual([]);
  });

  it('reports a field typo', () => {
    const p = validateGraphql(THREADS.replace('isResolved', 'isResolve'), { owner: 'a', name: 'b', number: 1 });
    expect(p.join()).toMatch(/Cannot query field "isResolve" on type "PullRequestReviewThread"/);
  });

  it('reports a syntax error, missing and mistyped variables, and unknown variables', () => {
    expect(validateGraphql('query { repository(', {})[0]).toMatch(/syntax error/);
    expect(validateGraphql(THREADS, { owner: 'a', name: 'b' }).join()).toMatch(/\$number/);
    expect(validateGraphql(THREADS, { owner: 'a', name: 'b', number: 'one' }).join()).toMatch(/Int cannot represent/);
    expect(validateGraphql(THREADS, { owner: 'a', name: 'b', number: 1, extra: true }).join()).toMatch(/\$extra is sent but not defined/);
  });

  it('validates mutations with inline arguments', () => {
    expect(validateGraphql('mutation { a: resolveReviewThread(input: { threadId: "x" }) { thread { id isResolved } } }')).toEqual([]);
    expect(validateGraphql('mutation { resolveReviewThread(input: { id: "x" }) { thread { id } } }').length).toBeGreaterThan(0);
  });
});

describe('recordRequests', () => {
  let rec: Recorder | undefined;
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    rec?.stop();
    nock.cleanAll();
  });

  const octokit = () => new Octokit({ auth: 'x', request: { retries: 0 } });

  it('records REST and GraphQL requests made through Octokit and validates them', async () => {
    rec = recordRequests();
    const scope = nock('https://api.github.com')
      .post('/repos/acme/models/check-runs')
      .reply(201, { id: 7 })
      .get('/repos/acme/models/issues')
      .query(true)
      .reply(200, [])
      .post('/graphql')
      .reply(200, { data: { repository: null } });
    const gh = octokit();
    await gh.rest.checks.create({ owner: 'acme', repo: 'models', name: 'ML Lens', head_sha: SHA, status: 'in_progress' });
    await gh.rest.issues.listForRepo({ owner: 'acme', repo: 'models', labels: 'ml-lens', state: 'all', per_page: 100 });
    await gh.graphql('query ($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { id } }', { owner: 'acme', name: 'models' });
    expect(scope.isDone()).toBe(true);
    expect(rec.count()).toBe(3);
    expect(rec.requests.map((r) => `${r.kind} ${r.method} ${r.pathname}`)).toEqual([
      'rest POST /repos/acme/models/check-runs',
      'rest GET /repos/acme/models/issues',
      'graphql POST /graphql',
    ]);
    expect(rec.requests[1]!.query).toEqual({ labels: 'ml-lens', state: 'all', per_page: '100' });
    expect(rec.requests[0]!.body).toMatchObject({ name: 'ML Lens', status: 'in_progress' });
    expect(() => rec!.assertAllValid()).not.toThrow();
  });

  it('fails on a request that breaks the contract even though the mock answered it', async () => {
    rec = recordRequests();
    nock('https://api.github.com').post('/repos/acme/models/check-runs').reply(201, { id: 7 });
    // A typo'd field: GitHub would ignore it silently, the contract does not.
    await octokit().request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'models', name: 'ML Lens', head_sha: SHA, stauts: 'completed' });
    expect(() => rec!.assertAllValid()).toThrow(/unknown field "stauts"/);
  });

  it('fails on a GraphQL typo', async () => {
    rec = recordRequests();
    nock('https://api.github.com').post('/graphql').reply(200, { data: {} });
    await octokit().graphql('query { viewer { logn } }');
    expect(() => rec!.assertAllValid()).toThrow(/Cannot query field "logn"/);
  });

  it('records unmatched requests as problems', async () => {
    rec = recordRequests();
    nock('https://api.github.com').get('/repos/acme/models').reply(200, {});
    await expect(octokit().rest.issues.get({ owner: 'acme', repo: 'models', issue_number: 1 })).rejects.toThrow();
    expect(rec.requests.some((r) => !r.matched && r.pathname === '/repos/acme/models/issues/1')).toBe(true);
    expect(() => rec!.assertAllValid()).toThrow(/no nock interceptor matched/);
  });

  it('records only the given scope when asked', async () => {
    const a = nock('https://api.github.com').get('/repos/acme/a').reply(200, {});
    const b = nock('https://api.github.com').get('/repos/acme/b').reply(200, {});
    rec = recordRequests(a);
    await octokit().rest.repos.get({ owner: 'acme', repo: 'a' });
    await octokit().rest.repos.get({ owner: 'acme', repo: 'b' });
    expect(b.isDone()).toBe(true);
    expect(rec.requests.map((r) => r.pathname)).toEqual(['/repos/acme/a']);
  });
});
