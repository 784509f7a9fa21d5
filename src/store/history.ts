/**
 * The history store's operations: plain parameterised SQL through the client (db.ts), on tables the
 * migrations define (migrations/*.sql). No policy lives here: what to record of a review is the
 * jobs' (src/jobs/history.ts), when to write it is the store's (index.ts, with its outbox).
 *
 * `pg` returns a bigint as a string and PGlite as a number: ids read back go through `Number()`
 * (GitHub's ids are far below 2^53).
 */
import type { Sql } from './db.js';

export interface RepositoryRef {
  /** GitHub's repository id (stable across renames and transfers). */
  id: number;
  /** owner/name. */
  fullName: string;
  installationId: number;
}

export type RecordedStatus = 'new' | 'existing' | 'suppressed' | 'fixed';

/** One review, as remembered. */
export interface ReviewRecord {
  /** Unique per record (made when it was taken): writing it twice keeps one row. */
  recordId: string;
  repository: RepositoryRef;
  kind: 'pr' | 'push';
  /** The pull request; null for a push. */
  number: number | null;
  /** `refs/pull/<n>/head` or `refs/heads/<default branch>`: where the findings were seen. */
  ref: string;
  headSha: string;
  baseSha: string | null;
  /** Pillar scores and `overall`, head and base (null: not assessed). */
  scoresHead: Record<string, number | null>;
  scoresBase: Record<string, number | null>;
  conclusion: string;
  gateReasons: string[];
  countsByStatus: Record<string, number>;
  countsBySeverity: Record<string, number>;
  filesRead: number;
  notReviewed: { path: string; reason: string; kind?: string; excluded?: boolean }[];
  durationMs: number | null;
  apiCalls: number | null;
  toolVersion: string;
  createdAt: Date;
}

/** A finding seen (or seen fixed) by a review. */
export interface FindingObservation {
  fingerprint: string;
  rule: string;
  path: string;
  address: string;
  severity: string;
  status: RecordedStatus;
  /** The finding's fingerprint before its file was renamed (Finding.previousFingerprint). */
  previousFingerprint?: string | undefined;
}

export interface FindingState extends FindingObservation {
  firstSeen: Date;
  lastSeen: Date;
  fixedAt: Date | null;
}

/** A risk item's tracking issue, as the App left it. */
export interface TrackedIssue {
  fingerprint: string;
  number: number;
  state: 'open' | 'closed';
}

// --- writing -------------------------------------------------------------------------------------

/** The repository's row, created or brought up to date (a rename, a transfer to another installation). */
export async function upsertRepository(sql: Sql, repo: RepositoryRef, at: Date): Promise<void> {
  await sql.query(
    `INSERT INTO repositories (repo_id, installation_id, full_name, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (repo_id) DO UPDATE SET installation_id = excluded.installation_id, full_name = excluded.full_name,
       updated_at = GREATEST(repositories.updated_at, excluded.updated_at)`,
    [repo.id, repo.installationId, repo.fullName, at],
  );
}

/** Records a review (and its repository). False when this record was already written. */
export async function recordReview(sql: Sql, r: ReviewRecord): Promise<boolean> {
  await upsertRepository(sql, r.repository, r.createdAt);
  const rows = await sql.query(
    `INSERT INTO reviews (record_id, repo_id, installation_id, full_name, kind, number, ref, head_sha, base_sha,
       scores_head, scores_base, conclusion, gate_reasons, counts_by_status, counts_by_severity,
       files_read, not_reviewed, duration_ms, api_calls, tool_version, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13::jsonb, $14::jsonb, $15::jsonb,
       $16, $17::jsonb, $18, $19, $20, $21)
     ON CONFLICT (record_id) DO NOTHING
     RETURNING id`,
    [
      r.recordId,
      r.repository.id,
      r.repository.installationId,
      r.repository.fullName,
      r.kind,
      r.number,
      r.ref,
      r.headSha,
      r.baseSha,
      JSON.stringify(r.scoresHead),
      JSON.stringify(r.scoresBase),
      r.conclusion,
      JSON.stringify(r.gateReasons),
      JSON.stringify(r.countsByStatus),
      JSON.stringify(r.countsBySeverity),
      r.filesRead,
      JSON.stringify(r.notReviewed),
      r.durationMs,
      r.apiCalls,
      r.toolVersion,
      r.createdAt,
    ],
  );
  return rows.length > 0;
}

/** One row per fingerprint (an upsert may not touch a row twice); the first wins. */
function unique<T extends { fingerprint: string }>(items: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const x of items) if (!seen.has(x.fingerprint)) seen.set(x.fingerprint, x);
  return [...seen.values()];
}

const columns = (list: readonly FindingObservation[]) => [
  list.map((f) => f.fingerprint),
  list.map((f) => f.rule),
  list.map((f) => f.path),
  list.map((f) => f.address),
  list.map((f) => f.severity),
  list.map((f) => f.status),
];

/**
 * Updates the finding states of a repository's ref from one review at `at`: findings present are
 * seen (`last_seen`, a fix undone), findings fixed are marked fixed (keeping the first fix's time).
 * The repository's row must exist. A fingerprint both present and fixed is present.
 */
export async function observeFindings(sql: Sql, repoId: number, ref: string, observed: readonly FindingObservation[], at: Date): Promise<void> {
  const present = unique(observed.filter((f) => f.status !== 'fixed'));
  const presentKeys = new Set(present.map((f) => f.fingerprint));
  const fixed = unique(observed.filter((f) => f.status === 'fixed' && !presentKeys.has(f.fingerprint)));
  const insert = `INSERT INTO finding_states AS s (repo_id, ref, fingerprint, rule, path, address, severity, status, first_seen, last_seen, fixed_at)
     SELECT $1, $2, f.fingerprint, f.rule, f.path, f.address, f.severity, f.status, $3, $3, $4
     FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS f(fingerprint, rule, path, address, severity, status)`;
  if (present.length > 0) {
    await sql.query(
      `${insert}
       ON CONFLICT (repo_id, ref, fingerprint) DO UPDATE SET rule = excluded.rule, path = excluded.path, address = excluded.address,
         severity = excluded.severity, status = excluded.status, last_seen = GREATEST(s.last_seen, excluded.last_seen), fixed_at = NULL`,
      [repoId, ref, at, null, ...columns(present)],
    );
  }
  if (fixed.length > 0) {
    await sql.query(
      `${insert}
       ON CONFLICT (repo_id, ref, fingerprint) DO UPDATE SET status = 'fixed', fixed_at = COALESCE(s.fixed_at, excluded.fixed_at)`,
      [repoId, ref, at, at, ...columns(fixed)],
    );
  }
}

/**
 * Carries the states and tracking issues of findings whose file was renamed over to their new
 * fingerprints (`from` -> `to`), so that the move is not recorded as a fix of the old one and a new
 * finding: the first time it was seen stays. A `to` already recorded is left as it is.
 */
export async function moveFingerprints(sql: Sql, repoId: number, ref: string, moves: readonly { from: string; to: string }[]): Promise<void> {
  const list = [...new Map(moves.filter((m) => m.from !== m.to).map((m) => [m.from, m])).values()];
  if (list.length === 0) return;
  const from = list.map((m) => m.from);
  const to = list.map((m) => m.to);
  await sql.query(
    `UPDATE finding_states s SET fingerprint = m.to_fp
     FROM unnest($3::text[], $4::text[]) AS m(from_fp, to_fp)
     WHERE s.repo_id = $1 AND s.ref = $2 AND s.fingerprint = m.from_fp
       AND NOT EXISTS (SELECT 1 FROM finding_states t WHERE t.repo_id = $1 AND t.ref = $2 AND t.fingerprint = m.to_fp)`,
    [repoId, ref, from, to],
  );
  await sql.query(
    `UPDATE tracking_issues i SET fingerprint = m.to_fp
     FROM unnest($2::text[], $3::text[]) AS m(from_fp, to_fp)
     WHERE i.repo_id = $1 AND i.fingerprint = m.from_fp
       AND NOT EXISTS (SELECT 1 FROM tracking_issues t WHERE t.repo_id = $1 AND t.fingerprint = m.to_fp)`,
    [repoId, from, to],
  );
}

/**
 * Marks fixed the findings recorded on `paths` of a repository's ref that a review covering those
 * paths in full did not see (`seen`: every fingerprint it saw there, fixed ones included).
 */
export async function fixUnseen(sql: Sql, repoId: number, ref: string, paths: readonly string[], seen: readonly string[], at: Date): Promise<number> {
  if (paths.length === 0) return 0;
  const rows = await sql.query(
    `UPDATE finding_states SET status = 'fixed', fixed_at = $3
     WHERE repo_id = $1 AND ref = $2 AND fixed_at IS NULL AND path = ANY($4::text[]) AND NOT (fingerprint = ANY($5::text[]))
     RETURNING fingerprint`,
    [repoId, ref, at, [...paths], [...seen]],
  );
  return rows.length;
}

/** Records where each risk item's tracking issue stands. The repository's row must exist. */
export async function recordTrackingIssues(sql: Sql, repoId: number, issues: readonly TrackedIssue[], at: Date): Promise<void> {
  const list = unique(issues);
  if (list.length === 0) return;
  await sql.query(
    `INSERT INTO tracking_issues (repo_id, fingerprint, issue_number, state, updated_at)
     SELECT $1, i.fingerprint, i.issue_number, i.state, $2
     FROM unnest($3::text[], $4::integer[], $5::text[]) AS i(fingerprint, issue_number, state)
     ON CONFLICT (repo_id, fingerprint) DO UPDATE SET issue_number = excluded.issue_number, state = excluded.state, updated_at = excluded.updated_at`,
    [repoId, at, list.map((i) => i.fingerprint), list.map((i) => i.number), list.map((i) => i.state)],
  );
}

// --- reading -------------------------------------------------------------------------------------

interface FindingRow {
  fingerprint: string;
  rule: string;
  path: string;
  address: string;
  severity: string;
  status: RecordedStatus;
  first_seen: Date;
  last_seen: Date;
  fixed_at: Date | null;
}

/** The finding states of a repository's ref, by fingerprint. */
export async function findingStates(sql: Sql, repoId: number, ref: string): Promise<Map<string, FindingState>> {
  const rows = await sql.query<FindingRow>(
    `SELECT fingerprint, rule, path, address, severity, status, first_seen, last_seen, fixed_at
     FROM finding_states WHERE repo_id = $1 AND ref = $2`,
    [repoId, ref],
  );
  return new Map(
    rows.map((r) => [
      r.fingerprint,
      { fingerprint: r.fingerprint, rule: r.rule, path: r.path, address: r.address, severity: r.severity, status: r.status, firstSeen: r.first_seen, lastSeen: r.last_seen, fixedAt: r.fixed_at },
    ]),
  );
}

/** The tracking-issue map of a repository: fingerprint -> issue. */
export async function trackingIssues(sql: Sql, repoId: number): Promise<Map<string, TrackedIssue>> {
  const rows = await sql.query<{ fingerprint: string; issue_number: number; state: 'open' | 'closed' }>(
    'SELECT fingerprint, issue_number, state FROM tracking_issues WHERE repo_id = $1',
    [repoId],
  );
  return new Map(rows.map((r) => [r.fingerprint, { fingerprint: r.fingerprint, number: Number(r.issue_number), state: r.state }]));
}

/** A recorded review as read back (the columns the record wrote). */
export interface StoredReview extends Omit<ReviewRecord, 'repository'> {
  id: number;
  repoId: number;
  installationId: number;
  fullName: string;
}

interface ReviewRow {
  id: number | string;
  record_id: string;
  repo_id: number | string;
  installation_id: number | string;
  full_name: string;
  kind: 'pr' | 'push';
  number: number | null;
  ref: string;
  head_sha: string;
  base_sha: string | null;
  scores_head: Record<string, number | null>;
  scores_base: Record<string, number | null>;
  conclusion: string;
  gate_reasons: string[];
  counts_by_status: Record<string, number>;
  counts_by_severity: Record<string, number>;
  files_read: number;
  not_reviewed: ReviewRecord['notReviewed'];
  duration_ms: number | null;
  api_calls: number | null;
  tool_version: string;
  created_at: Date;
}

/** A repository's recorded reviews, newest first. */
export async function reviewsOf(sql: Sql, repoId: number, limit = 50): Promise<StoredReview[]> {
  const rows = await sql.query<ReviewRow>('SELECT * FROM reviews WHERE repo_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [repoId, limit]);
  return rows.map((r) => ({
    id: Number(r.id),
    recordId: r.record_id,
    repoId: Number(r.repo_id),
    installationId: Number(r.installation_id),
    fullName: r.full_name,
    kind: r.kind,
    number: r.number,
    ref: r.ref,
    headSha: r.head_sha,
    baseSha: r.base_sha,
    scoresHead: r.scores_head,
    scoresBase: r.scores_base,
    conclusion: r.conclusion,
    gateReasons: r.gate_reasons,
    countsByStatus: r.counts_by_status,
    countsBySeverity: r.counts_by_severity,
    filesRead: r.files_read,
    notReviewed: r.not_reviewed,
    durationMs: r.duration_ms,
    apiCalls: r.api_calls,
    toolVersion: r.tool_version,
    createdAt: r.created_at,
  }));
}

// --- forgetting ----------------------------------------------------------------------------------

/** Deletes everything recorded of a repository (the App was uninstalled from it). Returns the repositories deleted (0 or 1). */
export async function deleteRepository(sql: Sql, repoId: number): Promise<number> {
  const rows = await sql.query('DELETE FROM repositories WHERE repo_id = $1 RETURNING repo_id', [repoId]);
  return rows.length;
}

/** Deletes everything recorded of an installation's repositories (the App was uninstalled). */
export async function deleteInstallation(sql: Sql, installationId: number): Promise<number> {
  const rows = await sql.query('DELETE FROM repositories WHERE installation_id = $1 RETURNING repo_id', [installationId]);
  return rows.length;
}

export interface RetentionResult {
  reviews: number;
  findingStates: number;
  trackingIssues: number;
}

/**
 * Forgets what is older than `days` before `now`: reviews; finding states fixed before then, and a
 * pull request's states last seen before then. A finding still present on the default branch is
 * kept however old: a push reviews only the files it touches, so an untouched file's finding is
 * not seen again, yet is still there. Closed tracking issues not touched since (the issue search
 * still finds them if one comes back).
 */
export async function applyRetention(sql: Sql, days: number, now: Date): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const reviews = await sql.query('DELETE FROM reviews WHERE created_at < $1 RETURNING id', [cutoff]);
  const states = await sql.query(
    `DELETE FROM finding_states
     WHERE (fixed_at IS NOT NULL AND fixed_at < $1) OR (ref LIKE 'refs/pull/%' AND last_seen < $1)
     RETURNING fingerprint`,
    [cutoff],
  );
  const issues = await sql.query(`DELETE FROM tracking_issues WHERE state = 'closed' AND updated_at < $1 RETURNING fingerprint`, [cutoff]);
  return { reviews: reviews.length, findingStates: states.length, trackingIssues: issues.length };
}
