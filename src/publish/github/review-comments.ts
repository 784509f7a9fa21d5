/**
 * Inline review comments: one review per run with a comment for each new, unsuppressed finding on a
 * line the diff shows (anchors checked against the patch first: one bad anchor makes GitHub reject
 * the whole review), deduplicated by the fingerprint marker against the comments already on the
 * PR, capped per run (the rest stays in the summary). Threads of ours whose finding is gone are
 * resolved.
 */
import type { Finding, Review } from '../../model.js';
import { fingerprintKey, inlineAnchor, parseFingerprintMarker, renderInline, type FileUrl } from '../../render/index.js';
import { bySeverity } from '../../render/view.js';
import type { Config } from '../../config/schema.js';
import { canAnchor, parsePatch, type PatchLines } from './patch.js';
import { Calls, chunk, listAll, step, type GitHubTarget } from './common.js';

export interface ReviewComment {
  path: string;
  line: number;
  side: 'RIGHT';
  start_line?: number;
  start_side?: 'RIGHT';
  body: string;
}

export interface PlannedComment {
  finding: Finding;
  comment: ReviewComment;
  /** Whether the comment carries a suggestion block. */
  suggestion: boolean;
}

export interface InlinePlan {
  comments: PlannedComment[];
  /** Fit the diff but over `comments.max_inline`: left to the summary. */
  folded: Finding[];
  /** Not on a line the diff shows: left to the summary. */
  outOfDiff: Finding[];
  /** Already commented on an earlier run. */
  alreadyPosted: Finding[];
}

export interface InlineResult extends InlinePlan {
  /** Threads of ours resolved because their finding is gone. */
  resolved: number;
}

export interface InlineInput {
  review: Review;
  config: Config;
  pullNumber: number;
  headSha: string;
  /** Unified diff of each changed file, by head path. */
  patches: Map<string, string>;
  fileUrl?: FileUrl;
  templates?: Record<string, string>;
}

/** Where to anchor a finding's comment, or null when the diff does not show its lines. */
export function anchorFor(f: Finding, lines: PatchLines, suggestions: boolean): { startLine: number; line: number; suggestion: boolean } | null {
  if (suggestions && f.fix) {
    const a = inlineAnchor(f, true);
    if (canAnchor(lines, a.startLine, a.line)) return { ...a, suggestion: true };
  }
  const a = inlineAnchor(f, false);
  if (canAnchor(lines, a.startLine, a.line)) return { ...a, suggestion: false };
  // The whole span is not in one hunk: its first line, or its last, alone.
  if (canAnchor(lines, a.startLine, a.startLine)) return { startLine: a.startLine, line: a.startLine, suggestion: false };
  if (canAnchor(lines, a.line, a.line)) return { startLine: a.line, line: a.line, suggestion: false };
  return null;
}

/**
 * Pure: which findings get an inline comment this run, and where. `posted` holds the fingerprints
 * (as written in markers) already commented on the PR. At most `comments.max_inline` current
 * findings have a comment at any time: those already commented count against it.
 */
export function planInline(input: InlineInput, posted: Set<string>): InlinePlan {
  const { review, config } = input;
  const plan: InlinePlan = { comments: [], folded: [], outOfDiff: [], alreadyPosted: [] };
  const parsed = new Map<string, PatchLines>();
  const linesOf = (path: string) => {
    let p = parsed.get(path);
    if (!p) parsed.set(path, (p = parsePatch(input.patches.get(path))));
    return p;
  };
  const seen = new Set<string>();
  const findings = review.findings.filter((f) => f.status === 'new').sort(bySeverity);
  // The cap counts the comments already on the PR for current findings, so a second run with the
  // same findings posts nothing, and a fixed finding frees its place for the next one.
  const onPr = new Set(findings.map((f) => fingerprintKey(f.fingerprint)).filter((k) => posted.has(k))).size;
  const budget = Math.max(0, config.comments.max_inline - onPr);
  for (const f of findings) {
    const key = fingerprintKey(f.fingerprint);
    if (seen.has(key)) continue;
    seen.add(key);
    if (posted.has(key)) {
      plan.alreadyPosted.push(f);
      continue;
    }
    const anchor = anchorFor(f, linesOf(f.path), config.comments.suggestions);
    if (!anchor) {
      plan.outOfDiff.push(f);
      continue;
    }
    if (plan.comments.length >= budget) {
      plan.folded.push(f);
      continue;
    }
    const comment: ReviewComment = {
      path: f.path,
      line: anchor.line,
      side: 'RIGHT',
      ...(anchor.startLine < anchor.line ? { start_line: anchor.startLine, start_side: 'RIGHT' as const } : {}),
      body: renderInline(f, {
        suggestions: anchor.suggestion,
        ...(input.fileUrl ? { fileUrl: input.fileUrl } : {}),
        ...(input.templates ? { overrides: input.templates } : {}),
      }),
    };
    plan.comments.push({ finding: f, comment, suggestion: anchor.suggestion });
  }
  return plan;
}

/** The body of the review that carries the comments. */
export function reviewBody(plan: InlinePlan, config: Config): string {
  const n = plan.comments.length;
  const where = config.comments.summary ? 'the summary comment' : 'the check run';
  const lines = [`**ML Lens** · ${n} new finding${n === 1 ? '' : 's'} on changed lines, commented below.`];
  if (plan.folded.length) {
    const k = plan.folded.length;
    lines.push('', `${k} more new finding${k === 1 ? ' is' : 's are'} not commented inline (at most ${config.comments.max_inline} inline comments on a pull request): see ${where}.`);
  }
  if (plan.outOfDiff.length) {
    const k = plan.outOfDiff.length;
    lines.push('', `${k} new finding${k === 1 ? ' is' : 's are'} on lines this diff does not show: see ${where}.`);
  }
  return lines.join('\n');
}

interface ListedReviewComment {
  id: number;
  body?: string | null;
  user?: { type?: string | null } | null;
}

/** Fingerprint of a comment of ours, or null (a person's comment, or one without our marker). */
function oursFingerprint(body: string | null | undefined, authorType: string | null | undefined): string | null {
  if (authorType && authorType !== 'Bot') return null;
  return parseFingerprintMarker(body ?? '');
}

export const THREADS_QUERY = `query ($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          comments(first: 1) { nodes { body author { __typename } } }
        }
      }
    }
  }
}`;

interface ThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: ({ id: string; isResolved: boolean; comments: { nodes: ({ body: string; author: { __typename: string } | null } | null)[] } } | null)[];
      };
    } | null;
  } | null;
}

/** The mutation resolving `count` threads in one request, `$t0`..: one alias per thread. */
export function resolveMutation(count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$t${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `  r${i}: resolveReviewThread(input: { threadId: $t${i} }) { thread { id isResolved } }`).join('\n');
  return `mutation (${vars}) {\n${fields}\n}`;
}

/** Threads resolved per mutation request. */
const RESOLVE_BATCH = 25;

/**
 * Posts the run's inline comments as one review and resolves threads of ours whose finding is
 * gone. Requests: the comment list (1 a hundred), the review (1, only when there is something new),
 * the threads query (only when the PR has comments of ours; 1 a hundred threads), one mutation a
 * 25 threads to resolve.
 */
export async function publishInline(gh: GitHubTarget, calls: Calls, input: InlineInput): Promise<InlineResult> {
  const empty: InlineResult = { comments: [], folded: [], outOfDiff: [], alreadyPosted: [], resolved: 0 };
  if (!input.config.comments.inline) return empty;
  const { owner, repo } = gh;

  const existing = await step('listing the review comments', () =>
    listAll<ListedReviewComment>(gh, calls, gh.octokit.rest.pulls.listReviewComments, { owner, repo, pull_number: input.pullNumber }),
  );
  const posted = new Set<string>();
  for (const c of existing) {
    const fp = oursFingerprint(c.body, c.user?.type);
    if (fp) posted.add(fp);
  }

  const plan = planInline(input, posted);
  if (plan.comments.length > 0) {
    await step(`posting the review (${plan.comments.length} inline comments)`, () => {
      calls.n++;
      return gh.octokit.rest.pulls.createReview({
        owner,
        repo,
        pull_number: input.pullNumber,
        commit_id: input.headSha,
        event: 'COMMENT',
        body: reviewBody(plan, input.config),
        comments: plan.comments.map((c) => c.comment),
      });
    });
  }

  let resolved = 0;
  if (posted.size > 0) {
    const current = new Set(input.review.findings.filter((f) => f.status === 'new').map((f) => fingerprintKey(f.fingerprint)));
    const stale: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const data: ThreadsPage = await step('listing the review threads', () => {
        calls.n++;
        return gh.octokit.graphql<ThreadsPage>(THREADS_QUERY, { owner, name: repo, number: input.pullNumber, cursor });
      });
      const threads = data.repository?.pullRequest?.reviewThreads;
      if (!threads) break;
      for (const t of threads.nodes) {
        const first = t?.comments.nodes[0];
        if (!t || t.isResolved || !first) continue;
        const fp = oursFingerprint(first.body, first.author?.__typename);
        if (fp && !current.has(fp)) stale.push(t.id);
      }
      if (!threads.pageInfo.hasNextPage || !threads.pageInfo.endCursor) break;
      cursor = threads.pageInfo.endCursor;
    }
    for (const batch of chunk(stale, RESOLVE_BATCH)) {
      await step(`resolving ${batch.length} review thread(s) whose finding is gone`, () => {
        calls.n++;
        return gh.octokit.graphql(resolveMutation(batch.length), Object.fromEntries(batch.map((id, i) => [`t${i}`, id])));
      });
      resolved += batch.length;
    }
  }
  return { ...plan, resolved };
}
