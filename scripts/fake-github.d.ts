/**
 * Types of scripts/fake-github.js (plain JavaScript, so that scripts/bench-app.js runs it without a
 * build), for the TypeScript tests that import it.
 */
import { EventEmitter } from 'node:events';

export const MAX_LISTED_FILES: number;
export const GRAPHQL_TEXT_LIMIT: number;
export const DEFAULT_APP_SLUG: string;

export function blobSha(text: string): string;
export function shaOf(name: string): string;
export function sign(secret: string, body: string | Buffer): string;
export function unifiedPatch(before: string | null, after: string | null): string | null;
/** A blob as GraphQL returns it: binary has no text; a text over `limit` is truncated. */
export function blobObject(text: string, limit?: number): Record<string, unknown>;
/** A GraphQL `object(expression: "<ref>:<path>")` of a commit's files and modes, or null. */
export function objectAt(files: ReadonlyMap<string, string>, modes: ReadonlyMap<string, string>, path: string, tree: boolean, limit?: number): Record<string, unknown> | null;

/** One request as the fake answered it. */
export interface RecordedRequest {
  seq: number;
  /** Date.now() when it arrived. */
  at: number;
  method: string;
  /** Without `/api/v3` (GraphQL: `/api/graphql`). */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** `METHOD /template`, `POST /graphql (<operation>)`, or `unknown`. */
  route: string;
  status: number;
  /** The port it came in on (each process of the App has its own). */
  port: number;
  /** The installation whose token it carried. */
  installation: number | undefined;
  /** `owner/name`, lower-cased. */
  repo: string | undefined;
  /** The pull request it was about, when the fake can tell. */
  pull: number | undefined;
  /** Time to answer (ms), from the request's arrival. */
  ms: number;
  /** Size of the answer's body (bytes). */
  bytes: number;
  /** GraphQL content queries: the objects asked for. */
  objects?: number;
  /** Answered by an injected fault. */
  injected?: boolean;
  /** A "not found" the App expects and handles (its configuration looked for in `.github`). */
  expected?: boolean;
  error?: string;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  installationId: number;
  defaultBranch: string;
  branches: Map<string, string>;
}

export interface Pull {
  number: number;
  head: string;
  base: string;
  headRef: string;
  title: string;
  draft: boolean;
  state: 'open' | 'closed';
  files: ListedFile[];
  reviews: Review[];
  reviewComments: ReviewComment[];
  author: string;
}

export interface ListedFile {
  sha: string | null;
  filename: string;
  status: 'added' | 'removed' | 'modified';
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
}

export interface CheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  external_id?: string;
  status: string;
  conclusion: string | null;
  output?: { title?: string; summary?: string; text?: string };
  annotations: unknown[];
  updates: { at: number; status: string; conclusion: string | null; port: number }[];
  /** Date.now() when created / completed. */
  createdAt: number;
  completedAt?: number;
  /** The port the creating request came in on. */
  port: number;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
  port: number;
}

export interface Review {
  id: number;
  body: string;
  event: string;
  commit_id: string;
  port: number;
}

export interface ReviewComment {
  id: number;
  reviewId: number;
  path: string;
  line: number;
  body: string;
  commit_id: string;
  resolved: boolean;
}

export interface Issue {
  number: number;
  title: string;
  body: string | null;
  state: string;
  state_reason?: string | null;
  labels: string[];
  assignees: string[];
}

export interface Write {
  kind: 'check-run' | 'check-run-update' | 'issue-comment' | 'issue-comment-update' | 'issue-comment-delete' | 'review' | 'issue' | 'issue-update' | 'label';
  repo: string;
  id: number;
  at: number;
  number?: number;
  pull?: number;
  [key: string]: unknown;
}

export interface Fault {
  method?: string;
  /** On the path without /api/v3 (GraphQL: `/graphql`). */
  path?: RegExp;
  route?: string;
  match?: (request: RecordedRequest, body: unknown) => boolean;
  status?: number;
  body?: unknown;
  delayMs?: number;
  /** Held until `release()`. */
  hold?: boolean;
  /** Requests it takes (default 1). */
  times?: number;
}

export interface FaultHandle extends Fault {
  times: number;
  hits: RecordedRequest[];
  /** The first request it took. */
  reached: Promise<RecordedRequest>;
  release(): void;
  remove(): void;
}

export interface Delivery {
  id: string;
  body: string;
  headers: Record<string, string>;
}

export interface RequestFilter {
  repo?: string;
  pull?: number;
  route?: string | RegExp;
  port?: number;
  since?: number;
  installation?: number;
}

export class FakeGitHub extends EventEmitter {
  constructor(options?: { appId?: number; appSlug?: string; latencyMs?: number; recordBodies?: boolean; textLimit?: number });
  readonly appId: number;
  readonly appSlug: string;
  latencyMs: number;
  recordBodies: boolean;
  readonly requests: RecordedRequest[];
  readonly unknown: RecordedRequest[];
  readonly routeCounts: Map<string, number>;
  readonly checkRuns: Map<number, CheckRun>;
  readonly writes: Write[];
  readonly ports: number[];
  readonly port: number;
  readonly inFlight: number;

  start(options?: { ports?: number }): Promise<this>;
  addPort(): Promise<number>;
  env(index?: number): { GHE_HOST: string; GHE_PROTOCOL: 'http' };
  close(): Promise<void>;

  addRepository(o: { owner: string; name: string; id?: number; installationId?: number; defaultBranch?: string; files?: Record<string, string> }): Repo;
  repo(fullName: string): Repo;
  commit(fullName: string, files: Record<string, string>, o?: { sha?: string; name?: string; modes?: Record<string, string> }): string;
  addLabel(fullName: string, name: string, o?: { color?: string; description?: string }): void;
  files(fullName: string, ref: string): Record<string, string>;
  openPullRequest(fullName: string, o: { number?: number; head: string; base?: string; title?: string; draft?: boolean; headRef?: string; author?: string }): Pull;
  pushToPullRequest(fullName: string, number: number, head: string): Pull;
  pull(fullName: string, number: number): Pull;

  checkRunsOf(fullName: string, filter?: { pull?: number; headSha?: string }): CheckRun[];
  issueCommentsOf(fullName: string, number: number): Comment[];
  summaryCommentsOf(fullName: string, number: number): Comment[];
  reviewsOf(fullName: string, number: number): Review[];
  reviewCommentsOf(fullName: string, number: number): ReviewComment[];
  issuesOf(fullName: string): Issue[];
  labelsOf(fullName: string): { name: string }[];
  static duplicatesByFirstLine(items: { body?: string | null }[]): string[];

  requestsWhere(filter?: RequestFilter): RecordedRequest[];
  byRoute(filter?: RequestFilter): Record<string, number>;
  requestsPerPull(filter?: RequestFilter): Record<string, number>;
  failures(): RecordedRequest[];
  mark(): number;
  waitFor(check: () => boolean, ms: number, what?: string): Promise<void>;

  inject(fault: Fault): FaultHandle;

  pullRequestEvent(
    fullName: string,
    number: number,
    action?: 'opened' | 'synchronize' | 'reopened' | 'ready_for_review',
    o?: { before?: string; sender?: { login: string; type: 'User' | 'Bot' } },
  ): Record<string, unknown>;
  delivery(event: string, payload: unknown, secret: string, id?: string): Delivery;

  on(event: 'request', listener: (request: RecordedRequest) => void): this;
}
