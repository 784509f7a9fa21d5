/**
 * A fake GitHub on loopback, for the load tests (test/load/) and the App benchmark
 * (scripts/bench-app.js): one node:http server on 127.0.0.1 that plays GitHub Enterprise Server's
 * REST API under `/api/v3` and its GraphQL endpoint at `/api/graphql`, which is where Probot's
 * Octokit sends its requests when started with `GHE_HOST=127.0.0.1:<port>` and `GHE_PROTOCOL=http`
 * (Probot's createProbot sets the base URL `<protocol>://<host>/api/v3`; @octokit/graphql turns a
 * base URL ending in `/api/v3` into `/api/graphql`).
 *
 * It answers every request the App makes while reviewing a pull request or a push, from
 * repository states held in memory (files by commit, branches, pull requests), as
 * test/app/github-mock.ts answers them with nock: the installation token, `.github/ml-lens.yml`,
 * the pull request and its files (100 a page, with Link headers), the recursive tree, the GraphQL
 * `object(expression:)` batches of src/sources/github-objects.ts, blobs, comparisons, check runs,
 * issue comments, pull request reviews and review comments (and the review-threads query and
 * resolve mutation), tracking issues, labels and issue search. What the App writes is kept, and the
 * list endpoints return it, so the App's reconciliation (one sticky summary comment, inline
 * comments deduplicated by marker, one issue per risk item) runs against what it wrote before.
 * Every new comment, review, check run or issue gets a unique id.
 *
 * Every request is recorded (method, path, route, query, body, status, installation, repository,
 * pull request, the port it came in on) and counted per route; a request no route models is
 * answered 404 and listed in `unknown`, so that a test can fail on it. Faults can be injected
 * (a status, a delay, a request held until released) for the fault tests.
 *
 * It never opens a connection itself: it only listens on 127.0.0.1.
 *
 * It also plays GitHub's side of webhooks: `pullRequestEvent` builds a `pull_request` payload from
 * the state it holds (starting from GitHub's recorded example in @octokit/webhooks-examples, so the
 * shape is GitHub's), and `delivery` signs it as GitHub does (`X-Hub-Signature-256`).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;
/** GraphQL returns blob texts only up to this size (GitHub truncates larger ones). */
export const GRAPHQL_TEXT_LIMIT = 512 * 1024;
export const DEFAULT_APP_SLUG = 'ml-lens-reviewer';

/**
 * Git's blob id of a text.
 * @param {string} text
 * @returns {string}
 */
export function blobSha(text) {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * A 40-hex id derived from a name (commits, trees), so ids are stable and read well in logs.
 * @param {string} name
 * @returns {string}
 */
export function shaOf(name) {
  return createHash('sha1').update(`commit ${name}`).digest('hex');
}

/**
 * `X-Hub-Signature-256` of a body.
 * @param {string} secret
 * @param {string | Buffer} body
 * @returns {string}
 */
export function sign(secret, body) {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * A blob as GraphQL returns it: binary has no text; a text over `limit` is truncated.
 * @param {string} text
 * @param {number} [limit]
 */
export function blobObject(text, limit = GRAPHQL_TEXT_LIMIT) {
  const bytes = Buffer.byteLength(text);
  const binary = text.slice(0, 8000).includes('\0');
  const truncated = !binary && bytes > limit;
  return {
    __typename: 'Blob',
    oid: blobSha(text),
    byteSize: bytes,
    isBinary: binary,
    isTruncated: truncated,
    text: binary ? null : truncated ? text.slice(0, limit) : text,
  };
}

/**
 * A GraphQL `object(expression: "<ref>:<path>")` of a commit's files (and the modes of those that
 * are not regular files: `160000` a submodule, `120000` a link): a blob, a submodule's commit, a
 * tree (with its entries when `tree` is asked for), or null.
 * @param {Map<string, string>} files
 * @param {Map<string, string>} modes
 * @param {string} path
 * @param {boolean} tree
 * @param {number} [limit]
 */
export function objectAt(files, modes, path, tree, limit = GRAPHQL_TEXT_LIMIT) {
  if (files.has(path)) return modes.get(path) === '160000' ? { __typename: 'Commit' } : blobObject(files.get(path), limit);
  const prefix = `${path}/`;
  const inside = [...files.keys()].filter((p) => p.startsWith(prefix));
  if (inside.length === 0) return null;
  if (!tree) return { __typename: 'Tree' };
  const names = new Map();
  for (const p of inside) {
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    names.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1 ? p : '');
  }
  return {
    __typename: 'Tree',
    entries: [...names].map(([name, full]) =>
      full
        ? { name, type: 'blob', mode: parseInt(modes.get(full) ?? '100644', 8), object: blobObject(files.get(full), limit) }
        : { name, type: 'tree', mode: 0o40000, object: { __typename: 'Tree' } },
    ),
  };
}

const lines = (t) => (t === null || t === undefined || t === '' ? [] : t.replace(/\n$/, '').split('\n'));

/**
 * A unified diff of one file as GitHub puts it in `patch`: one hunk around what changed (the common
 * head and tail of the two texts trimmed, three lines of context), so the lines a review comment
 * may anchor on are exactly the hunk's. Null when nothing changed.
 * @param {string | null} before
 * @param {string | null} after
 * @returns {string | null}
 */
export function unifiedPatch(before, after) {
  const a = lines(before);
  const b = lines(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  if (start === endA && start === endB) return null;
  const from = Math.max(0, start - 3);
  const toA = Math.min(a.length, endA + 3);
  const toB = Math.min(b.length, endB + 3);
  const countA = toA - from;
  const countB = toB - from;
  const range = (first, n) => (n === 0 ? `${first},0` : n === 1 ? `${first + 1}` : `${first + 1},${n}`);
  const out = [`@@ -${range(from, countA)} +${range(from, countB)} @@`];
  for (let i = from; i < start; i++) out.push(` ${a[i]}`);
  for (let i = start; i < endA; i++) out.push(`-${a[i]}`);
  for (let i = start; i < endB; i++) out.push(`+${b[i]}`);
  for (let i = endA; i < toA; i++) out.push(` ${a[i]}`);
  return out.join('\n');
}

/** Head-side line numbers a review comment may use: those the patch shows (added or context). */
function rightLines(patch) {
  const ok = new Set();
  let line = 0;
  for (const l of (patch ?? '').split('\n')) {
    const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (m) {
      line = Number(m[1]);
      continue;
    }
    if (l.startsWith('-') || l.startsWith('\\')) continue;
    if (l.startsWith('+') || l.startsWith(' ')) ok.add(line++);
  }
  return ok;
}

function counts(patch) {
  let additions = 0;
  let deletions = 0;
  for (const l of (patch ?? '').split('\n')) {
    if (l.startsWith('+')) additions++;
    else if (l.startsWith('-')) deletions++;
  }
  return { additions, deletions };
}

// --- GitHub's recorded shapes ---------------------------------------------------------------------

let examples;
/** GitHub's recorded `pull_request` webhook examples (a devDependency). */
function example(name, pick) {
  examples ??= require('@octokit/webhooks-examples');
  const def = examples.find((d) => d.name === name);
  const found = def?.examples.find(pick);
  if (!found) throw new Error(`fake-github: no ${name} example`);
  return structuredClone(found);
}

const now = () => new Date().toISOString();

/**
 * @typedef {{ files: Map<string, string>, modes: Map<string, string>, tree?: object }} Commit
 * @typedef {{
 *   id: number, owner: string, name: string, fullName: string, installationId: number,
 *   defaultBranch: string, commits: Map<string, Commit>, branches: Map<string, string>,
 *   blobs: Map<string, string>, pulls: Map<number, Pull>, issues: Map<number, object>,
 *   issueComments: Map<number, object[]>, labels: Map<string, object>, nextNumber: number,
 * }} Repo
 * @typedef {{
 *   number: number, head: string, base: string, headRef: string, title: string, draft: boolean,
 *   state: 'open' | 'closed', files: object[], reviews: object[], reviewComments: object[],
 *   author: string,
 * }} Pull
 */

export class FakeGitHub extends EventEmitter {
  /**
   * @param {{ appId?: number, appSlug?: string, latencyMs?: number, recordBodies?: boolean, textLimit?: number }} [options]
   */
  constructor(options = {}) {
    super();
    this.appId = options.appId ?? 123;
    this.appSlug = options.appSlug ?? DEFAULT_APP_SLUG;
    /** Added to every answer (ms): GitHub is not instant; 0 by default. */
    this.latencyMs = options.latencyMs ?? 0;
    this.recordBodies = options.recordBodies ?? true;
    this.textLimit = options.textLimit ?? GRAPHQL_TEXT_LIMIT;
    /** @type {Map<string, Repo>} by lower-cased full name */
    this.repos = new Map();
    /** Every request, in arrival order. */
    this.requests = [];
    /** Requests no route models (answered 404): a test fails on any. */
    this.unknown = [];
    /** @type {Map<string, number>} requests per route */
    this.routeCounts = new Map();
    /** Check runs by id (global ids, as GitHub's). */
    this.checkRuns = new Map();
    /** Every write the App made that GitHub would keep, in order: { kind, repo, id, number?, at }. */
    this.writes = [];
    this.tokens = new Map();
    this.faults = [];
    this.servers = [];
    this.ports = [];
    this.ids = 1000;
    this.seq = 0;
    this.open = 0;
    this.routes = this.#routes();
  }

  // --- the server ---------------------------------------------------------------------------------

  /**
   * Listens on 127.0.0.1, on `ports` free ports (default 1): requests are told apart by the port
   * they came in on (give each process its own to know which one made a request).
   * @param {{ ports?: number }} [options]
   */
  async start(options = {}) {
    const n = Math.max(1, options.ports ?? 1);
    for (let i = 0; i < n; i++) await this.addPort();
    return this;
  }

  /** One more port (listening), returned. */
  async addPort() {
    const server = createServer((req, res) => void this.#handle(req, res, server));
    server.keepAliveTimeout = 5000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(undefined));
    });
    const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
    this.servers.push(server);
    this.ports.push(port);
    return port;
  }

  get port() {
    return this.ports[0];
  }

  /** `GHE_HOST` / `GHE_PROTOCOL` for a process of the App (its own port: `index`). */
  env(index = 0) {
    const port = this.ports[index] ?? this.ports[0];
    return { GHE_HOST: `127.0.0.1:${port}`, GHE_PROTOCOL: 'http' };
  }

  async close() {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise((resolve) => {
            s.close(() => resolve(undefined));
            s.closeAllConnections?.();
          }),
      ),
    );
    this.servers = [];
    for (const f of this.faults) f.release?.();
  }

  // --- repository state ---------------------------------------------------------------------------

  /**
   * A repository of an installation, with `files` on its default branch.
   * @param {{ owner: string, name: string, id?: number, installationId?: number, defaultBranch?: string, files?: Record<string, string> }} o
   */
  addRepository(o) {
    const fullName = `${o.owner}/${o.name}`;
    const repo = {
      id: o.id ?? ++this.ids,
      owner: o.owner,
      name: o.name,
      fullName,
      installationId: o.installationId ?? 1,
      defaultBranch: o.defaultBranch ?? 'main',
      commits: new Map(),
      branches: new Map(),
      blobs: new Map(),
      pulls: new Map(),
      issues: new Map(),
      issueComments: new Map(),
      labels: new Map(),
      nextNumber: 1,
    };
    this.repos.set(fullName.toLowerCase(), repo);
    const sha = this.commit(fullName, o.files ?? {}, { name: `${fullName}@${repo.defaultBranch}` });
    repo.branches.set(repo.defaultBranch, sha);
    return repo;
  }

  /** @param {string} fullName */
  repo(fullName) {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`fake-github: no repository ${fullName}`);
    return r;
  }

  /**
   * A commit holding `files` (the whole tree); returns its id.
   * @param {string} fullName
   * @param {Record<string, string>} files
   * @param {{ sha?: string, name?: string, modes?: Record<string, string> }} [o]
   */
  commit(fullName, files, o = {}) {
    const repo = this.repo(fullName);
    const sha = o.sha ?? shaOf(o.name ?? `${fullName}:${randomUUID()}`);
    repo.commits.set(sha, { files: new Map(Object.entries(files)), modes: new Map(Object.entries(o.modes ?? {})) });
    for (const text of Object.values(files)) repo.blobs.set(blobSha(text), text);
    return sha;
  }

  /** A label the repository already has (as one the App created on an earlier review). */
  addLabel(fullName, name, o = {}) {
    const repo = this.repo(fullName);
    repo.labels.set(name.toLowerCase(), { id: ++this.ids, name, color: o.color ?? 'ededed', description: o.description ?? null });
  }

  /** The files of a commit (or branch) as a plain object. */
  files(fullName, ref) {
    return Object.fromEntries(this.#commitOf(this.repo(fullName), ref)?.files ?? []);
  }

  /**
   * Opens a pull request from commit `head` onto commit `base` (default: the default branch's tip).
   * @param {string} fullName
   * @param {{ number?: number, head: string, base?: string, title?: string, draft?: boolean, headRef?: string, author?: string }} o
   */
  openPullRequest(fullName, o) {
    const repo = this.repo(fullName);
    const number = o.number ?? repo.nextNumber;
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const pull = {
      number,
      head: o.head,
      base: o.base ?? repo.branches.get(repo.defaultBranch),
      headRef: o.headRef ?? `change-${number}`,
      title: o.title ?? `Change ${number}`,
      draft: o.draft ?? false,
      state: 'open',
      files: [],
      reviews: [],
      reviewComments: [],
      author: o.author ?? 'octocat',
    };
    pull.files = this.#listFiles(repo, pull.base, pull.head);
    repo.pulls.set(number, pull);
    return pull;
  }

  /** A new head for a pull request (a push to its branch). */
  pushToPullRequest(fullName, number, head) {
    const pull = this.pull(fullName, number);
    pull.head = head;
    pull.files = this.#listFiles(this.repo(fullName), pull.base, head);
    return pull;
  }

  pull(fullName, number) {
    const p = this.repo(fullName).pulls.get(number);
    if (!p) throw new Error(`fake-github: no pull request ${fullName}#${number}`);
    return p;
  }

  #commitOf(repo, ref) {
    const sha = repo.branches.get(ref) ?? ref;
    return repo.commits.get(sha);
  }

  #listFiles(repo, base, head) {
    const a = this.#commitOf(repo, base)?.files ?? new Map();
    const b = this.#commitOf(repo, head)?.files ?? new Map();
    const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
    const out = [];
    for (const path of paths) {
      const before = a.get(path) ?? null;
      const after = b.get(path) ?? null;
      if (before === after) continue;
      const patch = unifiedPatch(before, after);
      const { additions, deletions } = counts(patch);
      const url = (kind) => `http://${this.env().GHE_HOST}/${repo.fullName}/${kind}/${head}/${encodeURI(path)}`;
      out.push({
        sha: after !== null ? blobSha(after) : before !== null ? blobSha(before) : null,
        filename: path,
        status: before === null ? 'added' : after === null ? 'removed' : 'modified',
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: url('blob'),
        raw_url: url('raw'),
        contents_url: `${this.#api()}/repos/${repo.fullName}/contents/${encodeURI(path)}?ref=${head}`,
        ...(patch ? { patch } : {}),
      });
    }
    return out;
  }

  // --- what was written (for exactly-once assertions) ---------------------------------------------

  /** The check runs of a repository (optionally of one pull request, by our `pr:<n>` external id, or one head). */
  checkRunsOf(fullName, filter = {}) {
    return [...this.checkRuns.values()].filter(
      (c) =>
        c.repo === fullName.toLowerCase() &&
        (filter.pull === undefined || c.external_id === `pr:${filter.pull}`) &&
        (filter.headSha === undefined || c.head_sha === filter.headSha),
    );
  }

  /** Issue comments on an issue or pull request. */
  issueCommentsOf(fullName, number) {
    return this.repo(fullName).issueComments.get(number) ?? [];
  }

  /** The App's summary comments on a pull request (the marker on the first line). */
  summaryCommentsOf(fullName, number) {
    return this.issueCommentsOf(fullName, number).filter((c) => /^<!-- ml-lens:summary -->/.test(c.body ?? ''));
  }

  reviewsOf(fullName, number) {
    return this.pull(fullName, number).reviews;
  }

  reviewCommentsOf(fullName, number) {
    return this.pull(fullName, number).reviewComments;
  }

  /** Issues (not pull requests) of a repository. */
  issuesOf(fullName) {
    return [...this.repo(fullName).issues.values()];
  }

  labelsOf(fullName) {
    return [...this.repo(fullName).labels.values()];
  }

  /**
   * Texts that appear more than once among `bodies` by their first line (our markers): duplicates.
   * @param {{ body?: string | null }[]} items
   */
  static duplicatesByFirstLine(items) {
    const seen = new Map();
    for (const i of items) {
      const first = (i.body ?? '').split('\n')[0];
      seen.set(first, (seen.get(first) ?? 0) + 1);
    }
    return [...seen].filter(([, n]) => n > 1).map(([line]) => line);
  }

  // --- counters -----------------------------------------------------------------------------------

  /**
   * Requests matching a filter: `repo` (full name), `pull`, `route` (string or RegExp on
   * "METHOD /template"), `port`, `since` (sequence number), `installation`.
   */
  requestsWhere(filter = {}) {
    return this.requests.filter(
      (r) =>
        (filter.repo === undefined || r.repo === filter.repo.toLowerCase()) &&
        (filter.pull === undefined || r.pull === filter.pull) &&
        (filter.port === undefined || r.port === filter.port) &&
        (filter.installation === undefined || r.installation === filter.installation) &&
        (filter.since === undefined || r.seq > filter.since) &&
        (filter.route === undefined || (typeof filter.route === 'string' ? r.route === filter.route : filter.route.test(r.route))),
    );
  }

  /** Requests per route (over `requestsWhere(filter)`). */
  byRoute(filter = {}) {
    const out = {};
    for (const r of this.requestsWhere(filter)) out[r.route] = (out[r.route] ?? 0) + 1;
    return out;
  }

  /**
   * Requests per pull request (`owner/name#number`), of those the fake can attribute to one (its
   * pulls, files, tree, content queries, check runs, comments and reviews; not the configuration,
   * the token or the repository's issues and labels: see `requestsWhere({ repo })` for those).
   */
  requestsPerPull(filter = {}) {
    const out = {};
    for (const r of this.requestsWhere(filter)) if (r.pull !== undefined) out[`${r.repo}#${r.pull}`] = (out[`${r.repo}#${r.pull}`] ?? 0) + 1;
    return out;
  }

  /** Requests answered with an error status that no fault injected, other than modelled "not found" answers the App expects. */
  failures() {
    return this.requests.filter((r) => r.status >= 400 && !r.injected && !r.expected);
  }

  /** Requests whose answer has not been sent yet. */
  get inFlight() {
    return this.open;
  }

  /** The sequence number of the last request so far (a mark for `requestsWhere({ since })`). */
  mark() {
    return this.seq;
  }

  /**
   * Waits until `check()` holds (polled every 20 ms), at most `ms`.
   * @param {() => boolean} check
   * @param {number} ms
   * @param {string} [what]
   */
  async waitFor(check, ms, what = 'the condition') {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`fake-github: timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // --- faults -------------------------------------------------------------------------------------

  /**
   * A fault for requests matching `method` and `path` (RegExp on the path without /api/v3, or a
   * route string): answered `status` (with `body`), delayed `delayMs`, or held until `release()`;
   * `times` requests (default 1, Infinity for all). Returns a handle: `hits` (requests it took),
   * `release()`, `remove()`, and `reached` (a promise of the first request it took).
   * @param {{ method?: string, path?: RegExp, route?: string, status?: number, body?: unknown, delayMs?: number, hold?: boolean, times?: number }} f
   */
  inject(f) {
    let release;
    let reach;
    const fault = {
      ...f,
      times: f.times ?? 1,
      hits: [],
      released: f.hold ? new Promise((r) => (release = r)) : undefined,
      reached: new Promise((r) => (reach = r)),
      release: () => release?.(),
      remove: () => {
        this.faults = this.faults.filter((x) => x !== fault);
        release?.();
      },
    };
    fault.reach = reach;
    this.faults.push(fault);
    return fault;
  }

  // --- webhooks -----------------------------------------------------------------------------------

  /**
   * A `pull_request` webhook payload for a pull request as this fake holds it now: GitHub's recorded
   * example, rewritten to the repository, installation, commits and facts.
   * @param {string} fullName
   * @param {number} number
   * @param {'opened' | 'synchronize' | 'reopened' | 'ready_for_review'} action
   * @param {{ before?: string, sender?: { login: string, type: 'User' | 'Bot' } }} [o]
   */
  pullRequestEvent(fullName, number, action = 'opened', o = {}) {
    const repo = this.repo(fullName);
    const pull = this.pull(fullName, number);
    let p;
    try {
      p = example('pull_request', (e) => e.action === action);
    } catch {
      p = example('pull_request', (e) => e.action === 'opened');
    }
    p.action = action;
    p.number = number;
    p.repository = this.#repositoryObject(repo, p.repository);
    p.pull_request = this.#pullObject(repo, pull, p.pull_request);
    p.installation = { id: repo.installationId, node_id: Buffer.from(`Installation${repo.installationId}`).toString('base64') };
    if (action === 'synchronize') {
      p.before = o.before ?? pull.base;
      p.after = pull.head;
    }
    if (o.sender) {
      p.sender.login = o.sender.login;
      p.sender.type = o.sender.type;
    }
    return p;
  }

  /**
   * A delivery as GitHub posts it: the JSON body and its headers, signed with `secret`.
   * @param {string} event
   * @param {unknown} payload
   * @param {string} secret
   * @param {string} [id]
   */
  delivery(event, payload, secret, id = randomUUID()) {
    const body = JSON.stringify(payload);
    return {
      id,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/fake',
        'x-github-event': event,
        'x-github-delivery': id,
        'x-github-hook-installation-target-type': 'integration',
        'x-hub-signature-256': sign(secret, body),
      },
    };
  }

  // --- shapes -------------------------------------------------------------------------------------

  #api() {
    return `http://${this.env().GHE_HOST}/api/v3`;
  }

  #web() {
    return `http://${this.env().GHE_HOST}`;
  }

  #bot() {
    return { login: `${this.appSlug}[bot]`, id: 900000 + this.appId, node_id: 'BOT_fake', type: 'Bot', site_admin: false };
  }

  #user(login) {
    return { login, id: 1000, node_id: 'U_fake', type: 'User', site_admin: false };
  }

  #repositoryObject(repo, template) {
    const base = template ?? example('pull_request', (e) => e.action === 'opened').repository;
    const text = JSON.stringify(base).replace(/Codertocat\/Hello-World/g, repo.fullName).replace(/https:\/\/api\.github\.com/g, this.#api()).replace(/https:\/\/github\.com/g, this.#web());
    const out = JSON.parse(text);
    out.id = repo.id;
    out.node_id = Buffer.from(`Repository${repo.id}`).toString('base64');
    out.name = repo.name;
    out.full_name = repo.fullName;
    out.default_branch = repo.defaultBranch;
    if (out.owner) {
      out.owner.login = repo.owner;
      if ('name' in out.owner) out.owner.name = repo.owner;
    }
    return out;
  }

  #pullObject(repo, pull, template) {
    const t = template ?? example('pull_request', (e) => e.action === 'opened').pull_request;
    const text = JSON.stringify(t).replace(/Codertocat\/Hello-World/g, repo.fullName).replace(/https:\/\/api\.github\.com/g, this.#api()).replace(/https:\/\/github\.com/g, this.#web());
    const p = JSON.parse(text);
    const repoObject = this.#repositoryObject(repo);
    p.id = repo.id * 10000 + pull.number;
    p.number = pull.number;
    p.url = `${this.#api()}/repos/${repo.fullName}/pulls/${pull.number}`;
    p.html_url = `${this.#web()}/${repo.fullName}/pull/${pull.number}`;
    p.title = pull.title;
    p.state = pull.state;
    p.draft = pull.draft;
    p.user = { ...p.user, login: pull.author };
    p.changed_files = pull.files.length;
    p.additions = pull.files.reduce((s, f) => s + f.additions, 0);
    p.deletions = pull.files.reduce((s, f) => s + f.deletions, 0);
    p.commits = 1;
    p.head = { ...p.head, label: `${repo.owner}:${pull.headRef}`, ref: pull.headRef, sha: pull.head, repo: repoObject };
    p.base = { ...p.base, label: `${repo.owner}:${repo.defaultBranch}`, ref: repo.defaultBranch, sha: pull.base, repo: repoObject };
    return p;
  }

  #checkRunObject(repo, c) {
    return {
      id: c.id,
      node_id: `CR_${c.id}`,
      head_sha: c.head_sha,
      external_id: c.external_id ?? '',
      url: `${this.#api()}/repos/${repo.fullName}/check-runs/${c.id}`,
      html_url: `${this.#web()}/${repo.fullName}/runs/${c.id}`,
      details_url: c.details_url ?? null,
      status: c.status,
      conclusion: c.conclusion ?? null,
      started_at: c.started_at ?? null,
      completed_at: c.completed_at ?? null,
      output: {
        title: c.output?.title ?? null,
        summary: c.output?.summary ?? null,
        text: c.output?.text ?? null,
        annotations_count: c.annotations.length,
        annotations_url: `${this.#api()}/repos/${repo.fullName}/check-runs/${c.id}/annotations`,
      },
      name: c.name,
      check_suite: { id: 5000 + c.id },
      app: { id: this.appId, slug: this.appSlug, node_id: 'A_fake', name: 'ML Lens', owner: this.#user(repo.owner) },
      pull_requests: [],
    };
  }

  #commentObject(repo, number, c) {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.#api()}/repos/${repo.fullName}/issues/comments/${c.id}`,
      html_url: `${this.#web()}/${repo.fullName}/pull/${number}#issuecomment-${c.id}`,
      issue_url: `${this.#api()}/repos/${repo.fullName}/issues/${number}`,
      body: c.body,
      user: c.user,
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: 'NONE',
      performed_via_github_app: null,
    };
  }

  #issueObject(repo, i) {
    return {
      id: repo.id * 10000 + i.number,
      node_id: `I_${repo.id}_${i.number}`,
      url: `${this.#api()}/repos/${repo.fullName}/issues/${i.number}`,
      repository_url: `${this.#api()}/repos/${repo.fullName}`,
      html_url: `${this.#web()}/${repo.fullName}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.state_reason ?? null,
      title: i.title,
      body: i.body,
      user: i.user,
      labels: i.labels.map((name) => this.#labelObject(repo, repo.labels.get(name.toLowerCase()) ?? { name })),
      assignee: i.assignees[0] ? this.#user(i.assignees[0]) : null,
      assignees: i.assignees.map((a) => this.#user(a)),
      milestone: null,
      locked: false,
      comments: (repo.issueComments.get(i.number) ?? []).length,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.state === 'closed' ? i.updated_at : null,
      author_association: 'NONE',
    };
  }

  #labelObject(repo, l) {
    return {
      id: l.id ?? 0,
      node_id: `LA_${l.id ?? 0}`,
      url: `${this.#api()}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color ?? 'ededed',
      default: false,
      description: l.description ?? null,
    };
  }

  #reviewCommentObject(repo, pull, c) {
    return {
      id: c.id,
      node_id: `PRRC_${c.id}`,
      pull_request_review_id: c.reviewId,
      url: `${this.#api()}/repos/${repo.fullName}/pulls/comments/${c.id}`,
      html_url: `${this.#web()}/${repo.fullName}/pull/${pull.number}#discussion_r${c.id}`,
      pull_request_url: `${this.#api()}/repos/${repo.fullName}/pulls/${pull.number}`,
      diff_hunk: '',
      path: c.path,
      position: null,
      original_position: null,
      commit_id: c.commit_id,
      original_commit_id: c.commit_id,
      line: c.line,
      side: c.side ?? 'RIGHT',
      start_line: c.start_line ?? null,
      start_side: c.start_line ? (c.start_side ?? 'RIGHT') : null,
      body: c.body,
      user: c.user,
      created_at: c.created_at,
      updated_at: c.created_at,
      author_association: 'NONE',
    };
  }

  #tree(repo, ref) {
    const commit = this.#commitOf(repo, ref);
    if (!commit) return null;
    if (commit.tree) return commit.tree;
    const dirs = new Set();
    for (const p of commit.files.keys()) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    const sha = repo.branches.get(ref) ?? ref;
    const entries = [
      ...[...dirs].map((d) => ({ path: d, mode: '040000', type: 'tree', sha: shaOf(`tree ${sha} ${d}`), url: `${this.#api()}/repos/${repo.fullName}/git/trees/${shaOf(`tree ${sha} ${d}`)}` })),
      ...[...commit.files].map(([path, text]) => {
        const mode = commit.modes.get(path) ?? '100644';
        const sub = mode === '160000';
        return {
          path,
          mode,
          type: sub ? 'commit' : 'blob',
          sha: blobSha(text),
          ...(sub ? {} : { size: Buffer.byteLength(text), url: `${this.#api()}/repos/${repo.fullName}/git/blobs/${blobSha(text)}` }),
        };
      }),
    ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    commit.tree = { sha, url: `${this.#api()}/repos/${repo.fullName}/git/trees/${sha}`, tree: entries, truncated: false };
    return commit.tree;
  }

  /** A GraphQL `object(expression: "<ref>:<path>")`. */
  #object(repo, expression, tree) {
    const at = expression.indexOf(':');
    const ref = expression.slice(0, at);
    const path = expression.slice(at + 1);
    const commit = this.#commitOf(repo, ref);
    return commit ? objectAt(commit.files, commit.modes, path, tree, this.textLimit) : null;
  }

  // --- request handling ---------------------------------------------------------------------------

  async #handle(req, res, server) {
    const started = performance.now();
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const port = /** @type {import('node:net').AddressInfo} */ (server.address())?.port;
    let body;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const rec = {
      seq: ++this.seq,
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/api\/v3(?=\/)/, ''),
      query: Object.fromEntries(url.searchParams),
      body: this.recordBodies ? body : undefined,
      route: 'unknown',
      status: 0,
      port,
      installation: undefined,
      repo: undefined,
      pull: undefined,
      ms: 0,
      bytes: 0,
    };
    this.open++;
    let answer;
    try {
      answer = await this.#answer(req, url, body, rec);
    } catch (e) {
      answer = { status: 500, body: { message: `fake-github: ${e instanceof Error ? e.stack : String(e)}` } };
      rec.error = String(e);
    }
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    rec.status = answer.status;
    rec.ms = performance.now() - started;
    const text = answer.status === 204 || answer.body === undefined ? '' : typeof answer.body === 'string' && answer.text ? answer.body : JSON.stringify(answer.body);
    rec.bytes = Buffer.byteLength(text);
    this.requests.push(rec);
    this.routeCounts.set(rec.route, (this.routeCounts.get(rec.route) ?? 0) + 1);
    if (rec.route === 'unknown') this.unknown.push(rec);
    this.open--;
    if (!res.destroyed) {
      const headers = {
        'x-github-request-id': `FAKE:${rec.seq}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-used': '1',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': rec.route.includes('graphql') ? 'graphql' : 'core',
        ...answer.headers,
      };
      if (answer.status === 204 || answer.body === undefined) {
        res.writeHead(answer.status, headers);
        res.end();
      } else if (typeof answer.body === 'string' && answer.text) {
        res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(rec.bytes), ...headers });
        res.end(text);
      } else {
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(rec.bytes), ...headers });
        res.end(text);
      }
    }
    this.emit('request', rec);
  }

  async #answer(req, url, body, rec) {
    const path = rec.path;
    const auth = String(req.headers['authorization'] ?? '');
    const isGraphql = url.pathname === '/api/graphql';
    if (!isGraphql && !url.pathname.startsWith('/api/v3/')) return { status: 404, body: { message: 'Not Found (fake-github: outside /api/v3 and /api/graphql)' } };

    // Which route: GraphQL first, then REST.
    let route;
    let params;
    if (isGraphql) {
      route = { name: 'POST /graphql', method: 'POST', handler: (ctx) => this.#graphql(ctx) };
      params = [];
    } else {
      for (const r of this.routes) {
        if (r.method !== rec.method) continue;
        const m = r.regex.exec(path);
        if (m) {
          route = r;
          params = m.slice(1).map((s) => (s === undefined ? s : decodeURIComponent(s)));
          break;
        }
      }
    }
    if (!route) return { status: 404, body: { message: 'Not Found (fake-github: no such route)', documentation_url: 'https://docs.github.com/rest' } };
    rec.route = route.name;

    // Who asks: the App (JWT) or an installation (token).
    let installation;
    if (/^bearer /i.test(auth)) {
      const claims = decodeJwt(auth.slice(7));
      if (!claims || String(claims.iss) !== String(this.appId)) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
    } else if (/^token /i.test(auth)) {
      installation = this.tokens.get(auth.slice(6));
      if (installation === undefined) return { status: 401, body: { message: 'Bad credentials' } };
      rec.installation = installation;
    } else if (!route.anonymous) {
      return { status: 401, body: { message: 'Requires authentication' } };
    }

    // The repository, when the route has one; an installation sees only its own.
    let repo;
    if (route.repo) {
      const [owner, name] = params;
      repo = this.repos.get(`${owner}/${name}`.toLowerCase());
      rec.repo = `${owner}/${name}`.toLowerCase();
      if (!repo || (installation !== undefined && repo.installationId !== installation)) {
        rec.expected = route.maybeMissing === true;
        return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
      }
    }

    // Faults, for the fault tests.
    for (const f of this.faults) {
      if (f.times <= 0) continue;
      if (f.method && f.method !== rec.method) continue;
      if (f.route && f.route !== route.name) continue;
      if (f.path && !f.path.test(isGraphql ? '/graphql' : path)) continue;
      if (f.match && !f.match(rec, body)) continue;
      f.times--;
      f.hits.push(rec);
      f.reach(rec);
      if (f.released) await f.released;
      if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
      if (f.status) {
        rec.injected = true;
        return { status: f.status, body: f.body ?? { message: `fake-github: injected ${f.status}` } };
      }
      break;
    }

    return route.handler({ req, url, body: body ?? {}, params, repo, installation, rec, query: url.searchParams });
  }

  #page(ctx, items) {
    const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? 30)));
    const page = Math.max(1, Number(ctx.query.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const headers = {};
    const link = (p) => {
      // Next pages on the port the request came in on (each process of the App has its own).
      const u = new URL(`http://127.0.0.1:${ctx.rec.port}/api/v3${ctx.rec.path}`);
      for (const [k, v] of ctx.query) u.searchParams.set(k, v);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.href}>`;
    };
    const rels = [];
    if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`, `${link(1)}; rel="first"`);
    if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
    if (rels.length) headers['link'] = rels.join(', ');
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers };
  }

  #write(kind, repo, id, extra = {}) {
    this.writes.push({ kind, repo: repo.fullName.toLowerCase(), id, at: Date.now(), ...extra });
  }

  #routes() {
    const R = '/repos/([^/]+)/([^/]+)';
    /** @type {{ name: string, method: string, regex: RegExp, repo?: boolean, maybeMissing?: boolean, anonymous?: boolean, handler: (ctx: any) => any }[]} */
    const routes = [];
    const add = (method, template, regex, handler, o = {}) => routes.push({ name: `${method} ${template}`, method, regex, handler, ...o });
    const repoRoute = (method, template, tail, handler, o = {}) => add(method, template, new RegExp(`^${R}${tail}$`), handler, { repo: true, ...o });
    const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    const unprocessable = (message, errors = []) => ({ status: 422, body: { message, errors, documentation_url: 'https://docs.github.com/rest' } });
    const pullOf = (ctx, n) => {
      const pull = ctx.repo.pulls.get(Number(n));
      if (pull) ctx.rec.pull = pull.number;
      return pull;
    };

    // The App and its installations.
    add('GET', '/app', /^\/app$/, () => ({
      status: 200,
      body: { id: this.appId, slug: this.appSlug, node_id: 'A_fake', name: 'ML Lens', owner: this.#user('acme'), description: '', external_url: '', html_url: `${this.#web()}/apps/${this.appSlug}`, created_at: now(), updated_at: now(), permissions: {}, events: [] },
    }));
    add('POST', '/app/installations/{installation_id}/access_tokens', /^\/app\/installations\/(\d+)\/access_tokens$/, (ctx) => {
      const id = Number(ctx.params[0]);
      ctx.rec.installation = id;
      const token = `ghs_fake${id}x${randomUUID().replace(/-/g, '')}`;
      this.tokens.set(token, id);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { checks: 'write', pull_requests: 'write', issues: 'write', contents: 'read', metadata: 'read' },
          repository_selection: 'all',
        },
      };
    });

    // Contents (the configuration): raw text, or the JSON description.
    repoRoute('GET', '/repos/{owner}/{repo}/contents/{path}', '/contents/(.+)', (ctx) => {
      const path = ctx.params[2];
      const ref = ctx.query.get('ref') ?? ctx.repo.defaultBranch;
      const commit = this.#commitOf(ctx.repo, ref);
      const text = commit?.files.get(path);
      if (text === undefined) {
        // The App looks for its configuration in the repository, then in the organisation's `.github`.
        ctx.rec.expected = true;
        return notFound;
      }
      if (/raw/.test(String(ctx.req.headers['accept'] ?? ''))) return { status: 200, body: text, text: true };
      return {
        status: 200,
        body: { type: 'file', encoding: 'base64', size: Buffer.byteLength(text), name: path.split('/').pop(), path, content: Buffer.from(text).toString('base64'), sha: blobSha(text), url: `${this.#api()}/repos/${ctx.repo.fullName}/contents/${path}` },
      };
    }, { maybeMissing: true });

    // Pull requests.
    repoRoute('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', '/pulls/(\\d+)', (ctx) => {
      const pull = pullOf(ctx, ctx.params[2]);
      return pull ? { status: 200, body: this.#pullObject(ctx.repo, pull) } : notFound;
    });
    repoRoute('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files', '/pulls/(\\d+)/files', (ctx) => {
      const pull = pullOf(ctx, ctx.params[2]);
      return pull ? this.#page(ctx, pull.files.slice(0, MAX_LISTED_FILES)) : notFound;
    });
    repoRoute('GET', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls', '/commits/([^/]+)/pulls', (ctx) => {
      const sha = ctx.params[2];
      const pulls = [...ctx.repo.pulls.values()].filter((p) => p.head === sha);
      return this.#page(ctx, pulls.map((p) => this.#pullObject(ctx.repo, p)));
    });
    repoRoute('GET', '/repos/{owner}/{repo}/compare/{basehead}', '/compare/(.+)', (ctx) => {
      const [base, head] = ctx.params[2].split('...');
      if (!this.#commitOf(ctx.repo, base) || !this.#commitOf(ctx.repo, head)) return notFound;
      const files = this.#listFiles(ctx.repo, base, head);
      const paged = this.#page(ctx, files);
      return { ...paged, body: { status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: paged.body } };
    });

    // Git data.
    repoRoute('GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}', '/git/trees/([^/]+)', (ctx) => {
      const pull = [...ctx.repo.pulls.values()].find((p) => p.head === ctx.params[2]);
      if (pull) ctx.rec.pull = pull.number;
      const tree = this.#tree(ctx.repo, ctx.params[2]);
      return tree ? { status: 200, body: tree } : notFound;
    });
    repoRoute('GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}', '/git/blobs/([0-9a-f]{40})', (ctx) => {
      const text = ctx.repo.blobs.get(ctx.params[2]);
      if (text === undefined) return notFound;
      const bytes = Buffer.from(text, 'utf8');
      return { status: 200, body: { sha: ctx.params[2], node_id: `B_${ctx.params[2]}`, size: bytes.length, url: `${this.#api()}/repos/${ctx.repo.fullName}/git/blobs/${ctx.params[2]}`, content: bytes.toString('base64'), encoding: 'base64' } };
    });

    // Check runs.
    repoRoute('POST', '/repos/{owner}/{repo}/check-runs', '/check-runs', (ctx) => {
      const b = ctx.body;
      if (!b.name || !b.head_sha) return unprocessable('Invalid request.', [{ field: !b.name ? 'name' : 'head_sha', code: 'missing_field' }]);
      if (!this.#commitOf(ctx.repo, b.head_sha)) return unprocessable('No commit found for SHA: ' + b.head_sha);
      const c = {
        id: ++this.ids,
        repo: ctx.repo.fullName.toLowerCase(),
        name: b.name,
        head_sha: b.head_sha,
        external_id: b.external_id,
        details_url: b.details_url,
        status: b.conclusion ? 'completed' : (b.status ?? 'queued'),
        conclusion: b.conclusion ?? null,
        started_at: b.started_at ?? now(),
        completed_at: b.completed_at ?? null,
        output: b.output ? { title: b.output.title, summary: b.output.summary, text: b.output.text } : undefined,
        annotations: [...(b.output?.annotations ?? [])],
        actions: b.actions ?? [],
        updates: [],
        createdAt: Date.now(),
        port: ctx.rec.port,
      };
      this.checkRuns.set(c.id, c);
      const m = /^pr:(\d+)$/.exec(c.external_id ?? '');
      if (m) ctx.rec.pull = Number(m[1]);
      this.#write('check-run', ctx.repo, c.id, { pull: ctx.rec.pull });
      return { status: 201, body: this.#checkRunObject(ctx.repo, c) };
    });
    const checkRun = (ctx) => {
      const c = this.checkRuns.get(Number(ctx.params[2]));
      if (!c || c.repo !== ctx.repo.fullName.toLowerCase()) return undefined;
      const m = /^pr:(\d+)$/.exec(c.external_id ?? '');
      if (m) ctx.rec.pull = Number(m[1]);
      return c;
    };
    repoRoute('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}', '/check-runs/(\\d+)', (ctx) => {
      const c = checkRun(ctx);
      if (!c) return notFound;
      const b = ctx.body;
      if (b.annotations || b.output?.annotations?.length > 50) return unprocessable('Only 50 annotations are allowed per request');
      for (const k of ['name', 'details_url', 'external_id', 'started_at', 'completed_at', 'actions']) if (b[k] !== undefined) c[k] = b[k];
      if (b.status) c.status = b.status;
      if (b.conclusion) {
        c.conclusion = b.conclusion;
        c.status = 'completed';
        c.completed_at ??= now();
        c.completedAt ??= Date.now();
      }
      if (b.output) {
        c.output = { title: b.output.title, summary: b.output.summary, text: b.output.text };
        c.annotations.push(...(b.output.annotations ?? []));
      }
      c.updates.push({ at: Date.now(), status: c.status, conclusion: c.conclusion, port: ctx.rec.port });
      this.#write('check-run-update', ctx.repo, c.id, { pull: ctx.rec.pull, conclusion: b.conclusion });
      return { status: 200, body: this.#checkRunObject(ctx.repo, c) };
    });
    repoRoute('GET', '/repos/{owner}/{repo}/check-runs/{check_run_id}', '/check-runs/(\\d+)', (ctx) => {
      const c = checkRun(ctx);
      return c ? { status: 200, body: this.#checkRunObject(ctx.repo, c) } : notFound;
    });
    repoRoute('GET', '/repos/{owner}/{repo}/commits/{ref}/check-runs', '/commits/([^/]+)/check-runs', (ctx) => {
      const ref = ctx.params[2];
      const sha = ctx.repo.branches.get(ref) ?? ref;
      const name = ctx.query.get('check_name');
      const runs = this.checkRunsOf(ctx.repo.fullName, { headSha: sha }).filter((c) => !name || c.name === name);
      const paged = this.#page(ctx, runs.map((c) => this.#checkRunObject(ctx.repo, c)));
      return { ...paged, body: { total_count: runs.length, check_runs: paged.body } };
    });

    // Issue comments (pull requests are issues).
    const issueComments = (repo, n) => {
      let list = repo.issueComments.get(n);
      if (!list) repo.issueComments.set(n, (list = []));
      return list;
    };
    const findComment = (repo, id) => {
      for (const [n, list] of repo.issueComments) {
        const c = list.find((x) => x.id === id);
        if (c) return { n, list, c };
      }
      return undefined;
    };
    const isIssueOrPull = (ctx, n) => ctx.repo.pulls.has(n) || ctx.repo.issues.has(n);
    repoRoute('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', '/issues/(\\d+)/comments', (ctx) => {
      const n = Number(ctx.params[2]);
      if (!isIssueOrPull(ctx, n)) return notFound;
      if (ctx.repo.pulls.has(n)) ctx.rec.pull = n;
      return this.#page(ctx, issueComments(ctx.repo, n).map((c) => this.#commentObject(ctx.repo, n, c)));
    });
    repoRoute('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', '/issues/(\\d+)/comments', (ctx) => {
      const n = Number(ctx.params[2]);
      if (!isIssueOrPull(ctx, n)) return notFound;
      if (typeof ctx.body.body !== 'string' || ctx.body.body === '') return unprocessable('Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
      if (ctx.repo.pulls.has(n)) ctx.rec.pull = n;
      const c = { id: ++this.ids, body: ctx.body.body, user: this.#bot(), created_at: now(), updated_at: now(), port: ctx.rec.port };
      issueComments(ctx.repo, n).push(c);
      this.#write('issue-comment', ctx.repo, c.id, { number: n });
      return { status: 201, body: this.#commentObject(ctx.repo, n, c) };
    });
    repoRoute('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', '/issues/comments/(\\d+)', (ctx) => {
      const found = findComment(ctx.repo, Number(ctx.params[2]));
      if (!found) return notFound;
      if (ctx.repo.pulls.has(found.n)) ctx.rec.pull = found.n;
      found.c.body = ctx.body.body ?? found.c.body;
      found.c.updated_at = now();
      this.#write('issue-comment-update', ctx.repo, found.c.id, { number: found.n });
      return { status: 200, body: this.#commentObject(ctx.repo, found.n, found.c) };
    });
    repoRoute('DELETE', '/repos/{owner}/{repo}/issues/comments/{comment_id}', '/issues/comments/(\\d+)', (ctx) => {
      const found = findComment(ctx.repo, Number(ctx.params[2]));
      if (!found) return notFound;
      if (ctx.repo.pulls.has(found.n)) ctx.rec.pull = found.n;
      found.list.splice(found.list.indexOf(found.c), 1);
      this.#write('issue-comment-delete', ctx.repo, found.c.id, { number: found.n });
      return { status: 204 };
    });

    // Reviews and review comments.
    repoRoute('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/comments', '/pulls/(\\d+)/comments', (ctx) => {
      const pull = pullOf(ctx, ctx.params[2]);
      return pull ? this.#page(ctx, pull.reviewComments.map((c) => this.#reviewCommentObject(ctx.repo, pull, c))) : notFound;
    });
    repoRoute('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', '/pulls/(\\d+)/reviews', (ctx) => {
      const pull = pullOf(ctx, ctx.params[2]);
      if (!pull) return notFound;
      const b = ctx.body;
      const commit = b.commit_id ?? pull.head;
      if (!this.#commitOf(ctx.repo, commit)) return unprocessable('Unprocessable Entity', ['commit_id is not part of the pull request']);
      // GitHub refuses the whole review when one comment is not on a line the diff shows.
      const patches = new Map(pull.files.map((f) => [f.filename, rightLines(f.patch)]));
      for (const c of b.comments ?? []) {
        const ok = patches.get(c.path);
        if (!ok || !ok.has(c.line) || (c.start_line !== undefined && !ok.has(c.start_line))) {
          return unprocessable('Unprocessable Entity', ['Pull request review thread line must be part of the diff']);
        }
      }
      const review = { id: ++this.ids, body: b.body ?? '', event: b.event, commit_id: commit, user: this.#bot(), submitted_at: now(), port: ctx.rec.port };
      pull.reviews.push(review);
      for (const c of b.comments ?? []) {
        pull.reviewComments.push({ id: ++this.ids, reviewId: review.id, path: c.path, line: c.line, side: c.side, start_line: c.start_line, start_side: c.start_side, body: c.body, commit_id: commit, user: this.#bot(), created_at: now(), resolved: false });
      }
      this.#write('review', ctx.repo, review.id, { number: pull.number, comments: (b.comments ?? []).length });
      return {
        status: 200,
        body: {
          id: review.id,
          node_id: `PRR_${review.id}`,
          user: review.user,
          body: review.body,
          state: b.event === 'APPROVE' ? 'APPROVED' : b.event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : b.event === 'COMMENT' ? 'COMMENTED' : 'PENDING',
          html_url: `${this.#web()}/${ctx.repo.fullName}/pull/${pull.number}#pullrequestreview-${review.id}`,
          pull_request_url: `${this.#api()}/repos/${ctx.repo.fullName}/pulls/${pull.number}`,
          commit_id: commit,
          submitted_at: review.submitted_at,
          author_association: 'NONE',
          _links: { html: { href: '' }, pull_request: { href: '' } },
        },
      };
    });

    // Issues and labels.
    const labelsOf = (repo, names) => {
      const out = [];
      for (const l of names ?? []) {
        const name = typeof l === 'string' ? l : l.name;
        if (!repo.labels.has(name.toLowerCase())) repo.labels.set(name.toLowerCase(), { id: ++this.ids, name, color: 'ededed', description: null });
        out.push(repo.labels.get(name.toLowerCase()).name);
      }
      return out;
    };
    repoRoute('GET', '/repos/{owner}/{repo}/issues', '/issues', (ctx) => {
      const state = ctx.query.get('state') ?? 'open';
      const wanted = (ctx.query.get('labels') ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      const items = [...ctx.repo.issues.values()]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
        .sort((a, b) => b.number - a.number)
        .map((i) => this.#issueObject(ctx.repo, i));
      return this.#page(ctx, items);
    });
    repoRoute('POST', '/repos/{owner}/{repo}/issues', '/issues', (ctx) => {
      const b = ctx.body;
      if (typeof b.title !== 'string' || b.title === '') return unprocessable('Validation Failed', [{ resource: 'Issue', code: 'missing_field', field: 'title' }]);
      const number = ctx.repo.nextNumber++;
      const i = { number, title: b.title, body: b.body ?? null, state: 'open', labels: labelsOf(ctx.repo, b.labels), assignees: b.assignees ?? [], user: this.#bot(), created_at: now(), updated_at: now() };
      ctx.repo.issues.set(number, i);
      this.#write('issue', ctx.repo, number, { number });
      return { status: 201, body: this.#issueObject(ctx.repo, i) };
    });
    repoRoute('GET', '/repos/{owner}/{repo}/issues/{issue_number}', '/issues/(\\d+)', (ctx) => {
      const i = ctx.repo.issues.get(Number(ctx.params[2]));
      return i ? { status: 200, body: this.#issueObject(ctx.repo, i) } : notFound;
    });
    repoRoute('PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', '/issues/(\\d+)', (ctx) => {
      const i = ctx.repo.issues.get(Number(ctx.params[2]));
      if (!i) return notFound;
      const b = ctx.body;
      for (const k of ['title', 'body', 'state', 'state_reason']) if (b[k] !== undefined) i[k] = b[k];
      if (b.labels !== undefined) i.labels = labelsOf(ctx.repo, b.labels);
      if (b.assignees !== undefined) i.assignees = b.assignees;
      i.updated_at = now();
      this.#write('issue-update', ctx.repo, i.number, { number: i.number, state: i.state });
      return { status: 200, body: this.#issueObject(ctx.repo, i) };
    });
    repoRoute('GET', '/repos/{owner}/{repo}/labels', '/labels', (ctx) => this.#page(ctx, [...ctx.repo.labels.values()].map((l) => this.#labelObject(ctx.repo, l))));
    repoRoute('POST', '/repos/{owner}/{repo}/labels', '/labels', (ctx) => {
      const name = String(ctx.body.name ?? '');
      if (!name) return unprocessable('Validation Failed', [{ resource: 'Label', code: 'missing_field', field: 'name' }]);
      if (ctx.repo.labels.has(name.toLowerCase())) {
        ctx.rec.expected = true; // the App tolerates it: created meanwhile
        return unprocessable('Validation Failed', [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
      }
      const l = { id: ++this.ids, name, color: ctx.body.color ?? 'ededed', description: ctx.body.description ?? null };
      ctx.repo.labels.set(name.toLowerCase(), l);
      this.#write('label', ctx.repo, l.id, { name });
      return { status: 201, body: this.#labelObject(ctx.repo, l) };
    });

    // Issue search (a subset of the syntax: repo:, label:, is:/state:, type, and words in the title or body).
    add('GET', '/search/issues', /^\/search\/issues$/, (ctx) => {
      const q = ctx.query.get('q') ?? '';
      const terms = [...q.matchAll(/(\w+):("[^"]*"|\S+)|"([^"]*)"|(\S+)/g)];
      let repos = [...this.repos.values()];
      const filters = [];
      for (const t of terms) {
        const [, key, rawValue, quoted, word] = t;
        const value = rawValue?.replace(/^"|"$/g, '');
        if (key === 'repo') repos = repos.filter((r) => r.fullName.toLowerCase() === value.toLowerCase());
        else if (key === 'label') filters.push((i) => i.labels.some((l) => l.toLowerCase() === value.toLowerCase()));
        else if ((key === 'is' || key === 'state') && (value === 'open' || value === 'closed')) filters.push((i) => i.state === value);
        else if (key === 'is' || key === 'type' || key === 'in') continue;
        else {
          const text = (quoted ?? word ?? `${key}:${rawValue}`).toLowerCase();
          filters.push((i) => `${i.title}\n${i.body ?? ''}`.toLowerCase().includes(text));
        }
      }
      const items = repos.flatMap((r) => [...r.issues.values()].filter((i) => filters.every((f) => f(i))).map((i) => this.#issueObject(r, i)));
      const paged = this.#page(ctx, items);
      return { ...paged, body: { total_count: items.length, incomplete_results: false, items: paged.body } };
    });

    return routes;
  }

  // --- GraphQL --------------------------------------------------------------------------------------

  #graphql(ctx) {
    const { query, variables = {} } = ctx.body;
    const text = String(query ?? '');
    const unknown = (why) => {
      ctx.rec.route = 'unknown';
      return { status: 200, body: { errors: [{ type: 'FAKE_UNKNOWN', message: `fake-github: ${why}` }] } };
    };
    const repoOf = () => {
      const r = this.repos.get(`${variables.owner}/${variables.name}`.toLowerCase());
      ctx.rec.repo = `${variables.owner}/${variables.name}`.toLowerCase();
      return r && (ctx.installation === undefined || r.installationId === ctx.installation) ? r : undefined;
    };

    // src/sources/github-objects.ts: aliases `oN: object(expression: $eN)`, folders with `... on Tree`.
    if (/query MlLensObjects/.test(text)) {
      ctx.rec.route = 'POST /graphql (MlLensObjects)';
      const repo = repoOf();
      if (!repo) return { status: 200, body: { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: ['repository'], message: `Could not resolve to a Repository with the name '${variables.owner}/${variables.name}'.` }] } };
      const repository = {};
      const shas = new Set();
      for (const [name, expression] of Object.entries(variables)) {
        const m = /^e(\d+)$/.exec(name);
        if (!m) continue;
        const tree = new RegExp(`o${m[1]}: object\\(expression: \\$e${m[1]}\\) \\{ __typename \\.\\.\\. on Tree`).test(text);
        repository[`o${m[1]}`] = this.#object(repo, String(expression), tree);
        shas.add(String(expression).split(':')[0]);
      }
      const pull = [...repo.pulls.values()].find((p) => shas.has(p.head));
      if (pull) ctx.rec.pull = pull.number;
      ctx.rec.objects = Object.keys(repository).length;
      return { status: 200, body: { data: { repository } } };
    }

    // src/publish/github/review-threads.ts: the threads of a pull request, 100 a page.
    if (/reviewThreads\(first: (\d+)/.test(text)) {
      ctx.rec.route = 'POST /graphql (reviewThreads)';
      const repo = repoOf();
      const pull = repo?.pulls.get(Number(variables.number));
      if (!repo || !pull) return { status: 200, body: { data: { repository: repo ? { pullRequest: null } : null } } };
      ctx.rec.pull = pull.number;
      const first = Number(/reviewThreads\(first: (\d+)/.exec(text)[1]);
      const threads = pull.reviewComments.map((c) => ({ id: `PRRT_${c.id}`, isResolved: c.resolved, comments: { nodes: [{ body: c.body, author: { __typename: 'Bot' } }] } }));
      const after = variables.cursor ? Number(String(variables.cursor).replace(/^c/, '')) : 0;
      const nodes = threads.slice(after, after + first);
      const end = after + nodes.length;
      return { status: 200, body: { data: { repository: { pullRequest: { reviewThreads: { pageInfo: { hasNextPage: end < threads.length, endCursor: nodes.length ? `c${end}` : null }, nodes } } } } } };
    }

    // resolveReviewThread mutations, `rN: resolveReviewThread(input: { threadId: $tN })`.
    if (/resolveReviewThread/.test(text)) {
      ctx.rec.route = 'POST /graphql (resolveReviewThread)';
      const data = {};
      for (const [name, id] of Object.entries(variables)) {
        const m = /^t(\d+)$/.exec(name);
        if (!m) continue;
        const commentId = Number(String(id).replace(/^PRRT_/, ''));
        let found;
        for (const r of this.repos.values()) {
          for (const p of r.pulls.values()) {
            const c = p.reviewComments.find((x) => x.id === commentId);
            if (c) {
              found = c;
              ctx.rec.repo = r.fullName.toLowerCase();
              ctx.rec.pull = p.number;
            }
          }
        }
        if (!found) return { status: 200, body: { data: null, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${id}'` }] } };
        found.resolved = true;
        data[`r${m[1]}`] = { thread: { id, isResolved: true } };
      }
      return { status: 200, body: { data } };
    }

    return unknown('unknown GraphQL document');
  }
}

/** The claims of a JWT (the signature is not checked: the fake trusts loopback). */
function decodeJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
