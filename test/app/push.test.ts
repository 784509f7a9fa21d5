/**
 * Pushes to the default branch reconcile tracking issues over a sequence of commits: a risk item
 * lands (issue opened), moves (updated), is fixed (closed with a comment), and comes back
 * (reopened). The issues live in a small in-memory store behind nock, so each push sees what the
 * previous one left.
 */
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetLabelCache } from '../../src/publish/github/index.js';
import { pushEvent } from '../github/fixtures/payloads.js';
import { sha, type Files } from '../github/fixtures/repo.js';
import { API, GitHubMock } from './github-mock.js';
import { harness, resetNock, setupNock, type Harness } from './harness.js';

beforeAll(() => setupNock());
let h: Harness;
beforeEach(() => resetLabelCache());
afterEach(() => {
  h?.recorder.stop();
  resetNock();
});

const CONFIG = 'issues:\n  create: on-merge\n  min_severity: high\n';

const ENDPOINT = (extra: string, pad = 0) =>
  `${'\n'.repeat(pad)}resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn-endpoint"
${extra}
  production_variant {
    variant_name           = "primary"
    model_name             = "churn"
    initial_instance_count = 2
    instance_type          = "ml.m5.large"
  }

  data_capture_config {
    enable_capture              = true
    initial_sampling_percentage = 20
    destination_s3_uri          = "s3://acme-ml/capture"
    capture_options {
      capture_mode = "Input"
    }
  }
}
`;
const RISKY = ENDPOINT('');
const MOVED = ENDPOINT('', 3);
const FIXED = ENDPOINT('  kms_key_arn = aws_kms_key.ml.arn\n');

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: { name: string }[];
  assignees: string[];
  comments: string[];
}

/** GitHub's issues and labels of one repository, in memory. */
class IssueStore {
  issues: Issue[] = [];
  labels = new Set<string>(['bug']);
  constructor(gh: GitHubMock) {
    const s = nock(API).persist();
    const base = gh.base;
    const view = (i: Issue) => ({
      id: 10_000 + i.number,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map((l, n) => ({ id: n, name: l.name })),
      user: { login: 'ml-lens-reviewer[bot]', type: 'Bot' },
      html_url: `https://github.com/${gh.owner}/${gh.repo}/issues/${i.number}`,
    });
    s.get(`${base}/issues`).query(true).reply(200, () => this.issues.map(view));
    s.get(`${base}/labels`).query(true).reply(200, () => [...this.labels].map((name, id) => ({ id, name, color: 'ededed' })));
    s.post(`${base}/labels`).reply(201, (_u, b) => {
      this.labels.add((b as { name: string }).name);
      return { id: 1, ...(b as object) };
    });
    s.post(`${base}/issues`).reply(201, (_u, b) => {
      const body = b as { title: string; body: string; labels: string[]; assignees?: string[] };
      const issue: Issue = {
        number: this.issues.length + 1,
        title: body.title,
        body: body.body,
        state: 'open',
        state_reason: null,
        labels: body.labels.map((name) => ({ name })),
        assignees: body.assignees ?? [],
        comments: [],
      };
      this.issues.push(issue);
      return view(issue);
    });
    s.patch(new RegExp(`^${base}/issues/\\d+$`)).reply(200, (uri, b) => {
      const issue = this.get(uri);
      const body = b as Partial<{ title: string; body: string; state: 'open' | 'closed'; state_reason: string; labels: string[] }>;
      if (body.title !== undefined) issue.title = body.title;
      if (body.body !== undefined) issue.body = body.body;
      if (body.labels !== undefined) issue.labels = body.labels.map((name) => ({ name }));
      if (body.state !== undefined) {
        issue.state = body.state;
        issue.state_reason = body.state === 'closed' ? (body.state_reason ?? 'completed') : 'reopened';
      }
      return view(issue);
    });
    s.post(new RegExp(`^${base}/issues/\\d+/comments$`)).reply(201, (uri, b) => {
      this.get(uri.replace(/\/comments$/, '')).comments.push((b as { body: string }).body);
      return { id: 1, body: (b as { body: string }).body };
    });
  }
  get(uri: string): Issue {
    const n = Number(/\/issues\/(\d+)/.exec(uri)![1]);
    return this.issues.find((i) => i.number === n)!;
  }
}

/** The reads of one push: configuration, the pushed commit's tree and contents. */
function pushReads(gh: GitHubMock, after: string, opts: { token?: boolean } = {}): void {
  if (opts.token) gh.token();
  gh.config(CONFIG).tree(after).objects(1);
}

describe('push to the default branch', () => {
  it('opens, updates, closes and reopens tracking issues over a sequence of pushes', async () => {
    h = await harness();
    const c = [sha('c0'), sha('c1'), sha('c2'), sha('c3'), sha('c4')];
    const other: Files = { 'README.md': '# churn\n', 'src/train.py': 'print(1)\n' };
    const gh = new GitHubMock()
      .commit(c[1]!, { ...other, 'infra/endpoint.tf': RISKY })
      .commit(c[2]!, { ...other, 'infra/endpoint.tf': MOVED })
      .commit(c[3]!, { ...other, 'infra/endpoint.tf': FIXED })
      .commit(c[4]!, { ...other, 'infra/endpoint.tf': MOVED });
    const store = new IssueStore(gh);

    // 1. The risk lands.
    pushReads(gh, c[1]!, { token: true });
    await h.receive('push', pushEvent({ before: c[0]!, after: c[1]!, added: ['infra/endpoint.tf'] }));
    await h.settle();
    const opened = store.issues.filter((i) => /sagemaker-endpoint-kms/.test(i.body));
    expect(opened).toHaveLength(1);
    const issue = opened[0]!;
    expect(issue.state).toBe('open');
    expect(issue.labels.map((l) => l.name)).toEqual(expect.arrayContaining(['ml-lens', 'pillar:security', 'severity:high']));
    expect(issue.body).toContain(`/blob/${c[1]}/infra/endpoint.tf#L1`);
    expect(store.labels.has('severity:high')).toBe(true);
    const count = store.issues.length;

    // 2. It moves: the issue is updated to point at its new lines, nothing new is opened.
    pushReads(gh, c[2]!);
    await h.receive('push', pushEvent({ before: c[1]!, after: c[2]!, modified: ['infra/endpoint.tf'] }));
    await h.settle();
    expect(store.issues).toHaveLength(count);
    expect(issue.state).toBe('open');
    expect(issue.body).toContain(`/blob/${c[2]}/infra/endpoint.tf#L4`);

    // 3. It is fixed: closed with a comment that says so.
    pushReads(gh, c[3]!);
    await h.receive('push', pushEvent({ before: c[2]!, after: c[3]!, modified: ['infra/endpoint.tf'] }));
    await h.settle();
    expect(issue.state).toBe('closed');
    expect(issue.state_reason).toBe('completed');
    expect(issue.comments.at(-1)).toMatch(/no longer present/);

    // 4. It comes back: the same issue is reopened, with a comment.
    pushReads(gh, c[4]!);
    await h.receive('push', pushEvent({ before: c[3]!, after: c[4]!, modified: ['infra/endpoint.tf'] }));
    await h.settle();
    expect(store.issues).toHaveLength(count);
    expect(issue.state).toBe('open');
    expect(issue.comments.at(-1)).toMatch(/reopens this issue/);

    gh.assertDone();
    h.finish();
    // The head of every push was read by its SHA, never by branch name.
    const expressions = gh.graphql.flatMap((q) => Object.entries(q.variables).filter(([k]) => /^e\d+$/.test(k)).map(([, v]) => v));
    expect(expressions.filter((e) => e.endsWith(':infra/endpoint.tf'))).toEqual(c.slice(1).map((x) => `${x}:infra/endpoint.tf`));
  });

  it('a risk item a person closed as not planned stays closed', async () => {
    h = await harness();
    const c1 = sha('n1');
    const c2 = sha('n2');
    const gh = new GitHubMock().commit(c1, { 'infra/endpoint.tf': RISKY }).commit(c2, { 'infra/endpoint.tf': MOVED });
    const store = new IssueStore(gh);
    pushReads(gh, c1, { token: true });
    await h.receive('push', pushEvent({ before: sha('n0'), after: c1, added: ['infra/endpoint.tf'] }));
    await h.settle();
    const issue = store.issues.find((i) => /sagemaker-endpoint-kms/.test(i.body))!;
    issue.state = 'closed';
    issue.state_reason = 'not_planned';
    pushReads(gh, c2);
    await h.receive('push', pushEvent({ before: c1, after: c2, modified: ['infra/endpoint.tf'] }));
    await h.settle();
    expect(issue.state).toBe('closed');
    gh.assertDone();
    h.finish();
  });

  it('a file moved on the default branch: its open issue follows it, and an accepted risk stays accepted', async () => {
    h = await harness();
    const [c0, c1, c2, c3] = [sha('r0'), sha('r1'), sha('r2'), sha('r3')];
    const risky2 = RISKY.replace('instance_type          = "ml.m5.large"', 'instance_type          = "ml.m5.large"\n    volume_size_in_gb      = 30');
    const gh = new GitHubMock()
      .commit(c1, { 'infra/endpoint.tf': RISKY, 'infra/other.tf': risky2 })
      .commit(c2, { 'infra/serving/endpoint.tf': RISKY, 'infra/other.tf': risky2 })
      .commit(c3, { 'infra/serving/endpoint.tf': RISKY, 'infra/serving/other.tf': risky2 });
    const store = new IssueStore(gh);

    // 1. Two stacks with the same risk land: one issue each.
    pushReads(gh, c1, { token: true });
    await h.receive('push', pushEvent({ before: c0, after: c1, added: ['infra/endpoint.tf', 'infra/other.tf'] }));
    await h.settle();
    const moving = store.issues.find((i) => /sagemaker-endpoint-kms/.test(i.body) && i.body.includes('infra/endpoint.tf'))!;
    const accepted = store.issues.find((i) => /sagemaker-endpoint-kms/.test(i.body) && i.body.includes('infra/other.tf'))!;
    const count = store.issues.length;
    // A person accepts the second risk.
    accepted.state = 'closed';
    accepted.state_reason = 'not_planned';

    // 2. The first file moves (the payload lists a path removed and one added: the push is compared for its renames).
    const compare = (from: string, to: string, files: unknown[]) =>
      gh.scope.get(`${gh.base}/compare/${from}...${to}`).query({ per_page: '100', page: '1' }).reply(200, { status: 'ahead', merge_base_commit: { sha: from }, commits: [], files });
    const renamed = (from: string, to: string) => ({ sha: 'x', filename: to, previous_filename: from, status: 'renamed', additions: 0, deletions: 0, changes: 0 });
    compare(c1, c2, [renamed('infra/endpoint.tf', 'infra/serving/endpoint.tf')]);
    pushReads(gh, c2);
    await h.receive('push', pushEvent({ before: c1, after: c2, added: ['infra/serving/endpoint.tf'], removed: ['infra/endpoint.tf'] }));
    await h.settle();
    expect(store.issues).toHaveLength(count);
    expect(moving.state).toBe('open');
    expect(moving.comments).toEqual([]);
    expect(moving.body).toContain(`/blob/${c2}/infra/serving/endpoint.tf#L1`);

    // 3. The accepted risk's file moves: it stays closed as not planned, nothing is opened.
    compare(c2, c3, [renamed('infra/other.tf', 'infra/serving/other.tf')]);
    pushReads(gh, c3);
    await h.receive('push', pushEvent({ before: c2, after: c3, added: ['infra/serving/other.tf'], removed: ['infra/other.tf'] }));
    await h.settle();
    expect(store.issues).toHaveLength(count);
    expect(accepted).toMatchObject({ state: 'closed', state_reason: 'not_planned', comments: [] });
    expect(accepted.body).toContain('infra/serving/other.tf');
    gh.assertDone();
    h.finish();
  });

  it('compares the commits when the payload cannot list the touched files (a forced push)', async () => {
    h = await harness();
    const c1 = sha('f1');
    const c0 = sha('f0');
    const gh = new GitHubMock().commit(c1, { 'infra/endpoint.tf': RISKY });
    const store = new IssueStore(gh);
    gh.token().config(CONFIG).tree(c1);
    gh.scope
      .get(`${gh.base}/compare/${c0}...${c1}`)
      .query({ per_page: '100', page: '1' })
      .reply(200, { status: 'diverged', merge_base_commit: { sha: c0 }, commits: [], files: [{ sha: 'x', filename: 'infra/endpoint.tf', status: 'added', additions: 1, deletions: 0, changes: 1 }] });
    gh.objects(1);
    await h.receive('push', pushEvent({ before: c0, after: c1, forced: true }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(store.issues.some((i) => /sagemaker-endpoint-kms/.test(i.body))).toBe(true);
  });

  it('ignores pushes to other branches, tags, deleted branches and its own pushes', async () => {
    h = await harness();
    await h.receive('push', pushEvent({ before: sha('a'), after: sha('b'), ref: 'refs/heads/feature', modified: ['x.tf'] }));
    await h.receive('push', pushEvent({ before: sha('a'), after: sha('b'), ref: 'refs/tags/v1', modified: ['x.tf'] }));
    await h.receive('push', pushEvent({ before: sha('a'), after: '0'.repeat(40), modified: ['x.tf'] }));
    await h.receive('push', pushEvent({ before: sha('a'), after: sha('b'), modified: ['x.tf'], sender: { login: 'ml-lens-reviewer[bot]', type: 'Bot' } }));
    await h.settle();
    expect(h.recorder.count()).toBe(0);
    h.finish();
  });

  it('does nothing more when issues are off (issues.create: never)', async () => {
    h = await harness();
    const gh = new GitHubMock().token().config('issues: { create: never }\n');
    await h.receive('push', pushEvent({ before: sha('a'), after: sha('b'), modified: ['infra/endpoint.tf'] }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.recorder.count()).toBe(2);
  });

  it('reports an invalid configuration on a failing check run on the pushed commit', async () => {
    h = await harness();
    const after = sha('b');
    const gh = new GitHubMock().token().config('issues: { create: sometimes }\n').checkCreate(31).checkUpdate(31);
    await h.receive('push', pushEvent({ before: sha('a'), after, modified: ['infra/endpoint.tf'] }));
    await h.settle();
    gh.assertDone();
    h.finish();
    expect(h.requests('POST', /\/check-runs$/)[0]!.body).toMatchObject({ head_sha: after, name: 'ML Lens' });
    const end = h.requests('PATCH', /\/check-runs\/31$/)[0]!.body as { conclusion: string; output: { summary: string } };
    expect(end.conclusion).toBe('failure');
    expect(end.output.summary).toContain('issues.create: expected one of never');
  });
});
