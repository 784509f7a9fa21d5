/**
 * The parse cache's table (migrations/002_parse_cache.sql): plain parameterised SQL, as history.ts.
 * What goes in (a context fact per key) is src/parse-cache.ts's; when to read and write it is the
 * store's (index.ts) and the jobs'.
 */
import type { ContextFact } from '../model.js';
import type { Sql } from './db.js';
import { upsertRepository, type RepositoryRef } from './history.js';

/** A row not used for this long is marked used again when read (fewer writes than one per read). */
const TOUCH_AFTER_MS = 3600_000;

/** The facts stored under `keys` for a repository. A row that does not parse is left out (a miss). */
export async function readFacts(sql: Sql, repoId: number, keys: readonly string[]): Promise<Map<string, ContextFact>> {
  const out = new Map<string, ContextFact>();
  if (keys.length === 0) return out;
  const rows = await sql.query<{ key: string; fact: string }>('SELECT key, fact FROM parse_cache WHERE repo_id = $1 AND key = ANY($2::text[])', [repoId, keys]);
  for (const r of rows) {
    try {
      out.set(r.key, JSON.parse(r.fact) as ContextFact);
    } catch {
      // Written by this module as JSON: a row that is not is ignored and written again later.
    }
  }
  return out;
}

/** Marks rows as used now (least recently used rows are evicted first), at most once an hour each. */
export async function touchFacts(sql: Sql, repoId: number, keys: readonly string[], now: Date): Promise<void> {
  if (keys.length === 0) return;
  await sql.query('UPDATE parse_cache SET used_at = $3 WHERE repo_id = $1 AND key = ANY($2::text[]) AND used_at < $4', [
    repoId,
    keys,
    now,
    new Date(now.getTime() - TOUCH_AFTER_MS),
  ]);
}

/** Stores facts (JSON of at most `maxEntryBytes` each; larger ones are not kept). Returns the bytes written. */
export async function writeFacts(
  sql: Sql,
  repo: RepositoryRef,
  facts: readonly { key: string; fact: ContextFact }[],
  now: Date,
  maxEntryBytes: number,
): Promise<number> {
  const keys: string[] = [];
  const texts: string[] = [];
  const sizes: number[] = [];
  for (const f of facts) {
    const text = JSON.stringify(f.fact);
    const bytes = Buffer.byteLength(text);
    if (bytes > maxEntryBytes) continue;
    keys.push(f.key);
    texts.push(text);
    sizes.push(bytes);
  }
  if (keys.length === 0) return 0;
  await upsertRepository(sql, repo, now);
  await sql.query(
    `INSERT INTO parse_cache (repo_id, key, fact, bytes, used_at)
     SELECT $1, k, f, b, $5 FROM unnest($2::text[], $3::text[], $4::integer[]) AS c(k, f, b)
     ON CONFLICT (repo_id, key) DO UPDATE SET fact = excluded.fact, bytes = excluded.bytes, used_at = excluded.used_at`,
    [repo.id, keys, texts, sizes, now],
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Keeps the table under `maxBytes`: when over it, the least recently used rows are deleted until
 * it holds at most `targetBytes`. Returns the rows deleted.
 */
export async function boundFacts(sql: Sql, maxBytes: number, targetBytes: number): Promise<number> {
  const [total] = await sql.query<{ total: string | number | null }>('SELECT sum(bytes) AS total FROM parse_cache');
  const bytes = Number(total?.total ?? 0);
  if (bytes <= maxBytes) return 0;
  const rows = await sql.query(
    `DELETE FROM parse_cache p USING (
       SELECT repo_id, key FROM (
         SELECT repo_id, key, bytes, sum(bytes) OVER (ORDER BY used_at, repo_id, key) AS running FROM parse_cache
       ) r WHERE r.running - r.bytes < $1
     ) old
     WHERE p.repo_id = old.repo_id AND p.key = old.key
     RETURNING p.key`,
    [bytes - targetBytes],
  );
  return rows.length;
}
