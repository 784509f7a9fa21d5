-- The parse cache (issue 13): what a review learnt of an unchanged file it read for the repository
-- rules, so that later reviews of the repository neither fetch nor parse it again
-- (src/parse-cache.ts). Keyed per repository by a hash of the readers' build, the kinds that read
-- the file, its path and its blob id; a row is a JSON "context fact". Part of the repository's data:
-- deleted with it when the App is uninstalled. Bounded in bytes (ML_LENS_PARSE_CACHE_MB): the
-- least recently used rows go first.
CREATE TABLE parse_cache (
  repo_id  bigint NOT NULL REFERENCES repositories (repo_id) ON DELETE CASCADE,
  key      text NOT NULL,
  fact     text NOT NULL,
  bytes    integer NOT NULL,
  used_at  timestamptz NOT NULL,
  PRIMARY KEY (repo_id, key)
);
CREATE INDEX parse_cache_used ON parse_cache (used_at);
