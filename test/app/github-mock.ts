/**
 * nock interceptors for the GitHub API the App uses, answering from repository states held in
 * memory (files by commit). Every interceptor is expected exactly as often as it is registered
 * (no `persist()`), so `assertDone()` proves the App made each call it should and no other.
 * Request bodies are asserted through the contract recorder (test/github/contract.ts), which sees
 * every request.
 */
import nock from 'nock';
import { objectAt } from '../../scripts/fake-github.js';
import { blobSha, type Files, type ListedFile } from '../github/fixtures/repo.js';
import { DEFAULT_BRANCH, INSTALLATION, OWNER, REPO } from '../github/fixtures/payloads.js';

export const API = 'https://api.github.com';

/** GraphQL returns blob texts only up to this size (GitHub truncates large ones); a blob as it returns it. */
export { blobObject, GRAPHQL_TEXT_LIMIT } from '../../scripts/fake-github.js';

export type Reply = [number, nock.Body, Record<string, string>?];

function answer(i: nock.Interceptor, reply: Reply): nock.Scope {
  return i.reply(reply[0], reply[1], reply[2]);
}

export interface PullFacts {
  number: number;
  head: string;
  base: string;
  changedFiles?: number;
  draft?: boolean;
  state?: 'open' | 'closed';
  title?: string;
}

export class GitHubMock {
  readonly scope: nock.Scope;
  /** Files by commit id or branch name. */
  readonly commits = new Map<string, Files>();
  /** Paths with a non-regular mode per commit (`120000` symlink, `160000` submodule). */
  readonly modes = new Map<string, Record<string, string>>();
  /** Every GraphQL query answered, with its variables. */
  readonly graphql: { query: string; variables: Record<string, string> }[] = [];

  constructor(
    readonly owner = OWNER,
    readonly repo = REPO,
  ) {
    this.scope = nock(API);
  }

  get base(): string {
    return `/repos/${this.owner}/${this.repo}`;
  }

  commit(ref: string, files: Files, modes: Record<string, string> = {}): this {
    this.commits.set(ref, files);
    this.modes.set(ref, modes);
    return this;
  }

  /** The installation token Probot asks for before the first installation request. */
  token(installation = INSTALLATION): this {
    this.scope.post(`/app/installations/${installation}/access_tokens`).reply(201, {
      token: 'ghs_test',
      expires_at: '2099-01-01T00:00:00Z',
      permissions: { checks: 'write', pull_requests: 'write', issues: 'write', contents: 'read', metadata: 'read' },
      repository_selection: 'selected',
    });
    return this;
  }

  /** `.github/ml-lens.yml` on the default branch (null: 404), of this repository or another. */
  config(text: string | null, where: { owner?: string; repo?: string; path?: string } = {}): this {
    const owner = where.owner ?? this.owner;
    const repo = where.repo ?? this.repo;
    const path = encodeURIComponent(where.path ?? '.github/ml-lens.yml');
    const i = this.scope.get(`/repos/${owner}/${repo}/contents/${path}`);
    if (text === null) i.reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content', status: '404' });
    else i.reply(200, text, { 'content-type': 'text/plain; charset=utf-8' });
    return this;
  }

  /** No configuration anywhere: the repository and the organisation's `.github` answer 404. */
  noConfig(): this {
    return this.config(null).config(null, { repo: '.github' });
  }

  /** `pulls.get` (`times` times). */
  pull(facts: PullFacts, times = 1): this {
    this.scope
      .get(`${this.base}/pulls/${facts.number}`)
      .times(times)
      .reply(200, () => this.pullObject(facts));
    return this;
  }

  pullObject(facts: PullFacts): Record<string, unknown> {
    const repo = { id: 4242, name: this.repo, full_name: `${this.owner}/${this.repo}`, default_branch: DEFAULT_BRANCH, owner: { login: this.owner } };
    return {
      id: 1000 + facts.number,
      number: facts.number,
      state: facts.state ?? 'open',
      title: facts.title ?? 'Cut the endpoint cost',
      draft: facts.draft ?? false,
      changed_files: facts.changedFiles ?? 5,
      head: { ref: 'cost-cut', sha: facts.head, repo },
      base: { ref: DEFAULT_BRANCH, sha: facts.base, repo },
    };
  }

  /** `pulls.listFiles`, 100 a page, with GitHub's Link headers. */
  listFiles(number: number, files: ListedFile[]): this {
    const pages = Math.max(1, Math.ceil(Math.min(files.length, 3000) / 100));
    for (let page = 1; page <= pages; page++) {
      const headers: Record<string, string> = {};
      if (page < pages) {
        const link = (p: number) => `<${API}${this.base}/pulls/${number}/files?per_page=100&page=${p}>`;
        headers['link'] = `${link(page + 1)}; rel="next", ${link(pages)}; rel="last"`;
      }
      this.scope
        .get(`${this.base}/pulls/${number}/files`)
        .query({ per_page: '100', page: String(page) })
        .reply(200, files.slice((page - 1) * 100, page * 100), headers);
    }
    return this;
  }

  /** `git.getTree` of a commit, recursive. */
  tree(ref: string, opts: { truncated?: boolean } = {}): this {
    this.scope
      .get(`${this.base}/git/trees/${ref}`)
      .query({ recursive: '1' })
      .reply(200, () => {
        const files = this.files(ref);
        const modes = this.modes.get(ref) ?? {};
        const dirs = new Set<string>();
        for (const p of Object.keys(files)) {
          const parts = p.split('/');
          for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        }
        const entries = [
          ...[...dirs].map((d) => ({ path: d, mode: '040000', type: 'tree', sha: blobSha(`tree ${d}`), url: `${API}${this.base}/git/trees/${blobSha(d)}` })),
          ...Object.entries(files).map(([path, text]) => {
            const mode = modes[path] ?? '100644';
            const commit = mode === '160000';
            return {
              path,
              mode,
              type: commit ? 'commit' : 'blob',
              sha: blobSha(text),
              ...(commit ? {} : { size: Buffer.byteLength(text), url: `${API}${this.base}/git/blobs/${blobSha(text)}` }),
            };
          }),
        ].sort((a, b) => (a.path < b.path ? -1 : 1));
        return { sha: ref, url: `${API}${this.base}/git/trees/${ref}`, tree: entries, truncated: opts.truncated ?? false };
      });
    return this;
  }

  files(ref: string): Files {
    const files = this.commits.get(ref);
    if (!files) throw new Error(`GitHubMock: no commit ${ref}`);
    return files;
  }

  /** GraphQL `object(expression:)` batches (`times` queries), answered from the commits. */
  objects(times = 1): this {
    this.scope
      .post('/graphql', (body: { query?: string }) => /query MlLensObjects/.test(body.query ?? ''))
      .times(times)
      .reply(200, (_uri, body) => {
        const { query, variables } = body as { query: string; variables: Record<string, string> };
        this.graphql.push({ query, variables });
        const repository: Record<string, unknown> = {};
        for (const [name, expression] of Object.entries(variables)) {
          const m = /^e(\d+)$/.exec(name);
          if (!m) continue;
          const tree = new RegExp(`o${m[1]}: object\\(expression: \\$e${m[1]}\\) \\{ __typename \\.\\.\\. on Tree`).test(query);
          repository[`o${m[1]}`] = this.object(expression, tree);
        }
        return { data: { repository } };
      });
    return this;
  }

  object(expression: string, tree: boolean): unknown {
    const at = expression.indexOf(':');
    const ref = expression.slice(0, at);
    const files = this.commits.get(ref);
    if (!files) return null;
    // Answered as the fake GitHub of the load tests answers it (scripts/fake-github.js).
    return objectAt(new Map(Object.entries(files)), new Map(Object.entries(this.modes.get(ref) ?? {})), expression.slice(at + 1), tree);
  }

  /** The review threads query of the inline publisher (only asked when the PR has comments of ours). */
  threads(nodes: unknown[] = []): this {
    this.scope
      .post('/graphql', (body: { query?: string }) => /reviewThreads/.test(body.query ?? ''))
      .reply(200, { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } } } });
    return this;
  }

  /** `git.getBlob` of a text (the fallback for truncated GraphQL texts). */
  blob(text: string): this {
    const bytes = Buffer.from(text, 'utf8');
    this.scope.get(`${this.base}/git/blobs/${blobSha(text)}`).reply(200, {
      sha: blobSha(text),
      node_id: 'B_1',
      size: bytes.length,
      url: `${API}${this.base}/git/blobs/${blobSha(text)}`,
      content: bytes.toString('base64'),
      encoding: 'base64',
    });
    return this;
  }

  // --- writes (answers only; the recorder asserts the bodies) ---------------------------------

  checkCreate(id: number, reply?: Reply): this {
    answer(this.scope.post(`${this.base}/check-runs`), reply ?? [201, { id, name: 'ML Lens', status: 'in_progress' }]);
    return this;
  }

  checkUpdate(id: number, times = 1, reply?: Reply): this {
    answer(this.scope
      .patch(`${this.base}/check-runs/${id}`)
      .times(times)
      , reply ?? [200, { id, name: 'ML Lens' }]);
    return this;
  }

  /** The PR's issue comments (the sticky summary is looked for among them). */
  comments(number: number, existing: { id: number; body: string; user?: { login: string; type: string } }[] = []): this {
    this.scope.get(`${this.base}/issues/${number}/comments`).query({ per_page: '100' }).reply(200, existing);
    return this;
  }

  createComment(number: number, reply?: Reply): this {
    answer(this.scope.post(`${this.base}/issues/${number}/comments`), reply ?? [201, { id: 555, body: '' }]);
    return this;
  }

  updateComment(id: number, reply?: Reply): this {
    answer(this.scope.patch(`${this.base}/issues/comments/${id}`), reply ?? [200, { id }]);
    return this;
  }

  reviewComments(number: number, existing: { id: number; body: string; user?: { login: string; type: string } }[] = []): this {
    this.scope.get(`${this.base}/pulls/${number}/comments`).query({ per_page: '100' }).reply(200, existing);
    return this;
  }

  createReview(number: number, reply?: Reply): this {
    answer(this.scope.post(`${this.base}/pulls/${number}/reviews`), reply ?? [200, { id: 777, state: 'COMMENTED' }]);
    return this;
  }

  /** The summary comment, the inline review and the completed check of a first publish. */
  firstPublish(number: number, checkRunId: number, opts: { review?: boolean; checkUpdates?: number } = {}): this {
    this.comments(number).createComment(number).reviewComments(number);
    if (opts.review !== false) this.createReview(number);
    return this.checkUpdate(checkRunId, opts.checkUpdates ?? 1);
  }

  assertDone(): void {
    const pending = this.scope.pendingMocks();
    if (pending.length > 0) throw new Error(`GitHub calls the App did not make:\n  ${pending.join('\n  ')}`);
  }
}

export { DEFAULT_BRANCH, INSTALLATION, OWNER, REPO };
