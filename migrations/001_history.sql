-- The review history (issue 13): what each review found, the state of every finding per
-- repository and ref, and the tracking-issue map. Plain SQL that runs on PostgreSQL 15+ and on
-- PGlite. Applied by src/store/migrate.ts, once, inside a transaction.

-- One row per repository the App has recorded anything for. Every other table hangs off it with
-- ON DELETE CASCADE, so uninstalling (a repository, or the whole installation) is one DELETE here.
CREATE TABLE repositories (
  repo_id         bigint PRIMARY KEY,            -- GitHub's repository id: stable across renames
  installation_id bigint NOT NULL,
  full_name       text NOT NULL,                 -- owner/name, as last seen
  updated_at      timestamptz NOT NULL
);
CREATE INDEX repositories_installation ON repositories (installation_id);

-- Every review the App published: a pull request's, or a push to the default branch's.
CREATE TABLE reviews (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Made when the review was recorded in memory: a record retried after a lost acknowledgement
  -- is written once (ON CONFLICT DO NOTHING).
  record_id          text NOT NULL UNIQUE,
  repo_id            bigint NOT NULL REFERENCES repositories (repo_id) ON DELETE CASCADE,
  installation_id    bigint NOT NULL,
  full_name          text NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('pr', 'push')),
  number             integer,                    -- the pull request; NULL for a push
  ref                text NOT NULL,              -- refs/pull/<n>/head or refs/heads/<default branch>
  head_sha           text NOT NULL,
  base_sha           text,
  scores_head        jsonb NOT NULL,             -- {"<pillar>": score or null, ..., "overall": ...}
  scores_base        jsonb NOT NULL,
  conclusion         text NOT NULL,              -- the gate: success | neutral | failure
  gate_reasons       jsonb NOT NULL,             -- ["...", ...]
  counts_by_status   jsonb NOT NULL,             -- {"new": n, "existing": n, "suppressed": n, "fixed": n, "folded": n}
  counts_by_severity jsonb NOT NULL,             -- unsuppressed findings: {"critical": n, "high": n, ...}
  files_read         integer NOT NULL,
  not_reviewed       jsonb NOT NULL,             -- [{"path", "reason", "kind"?, "excluded"?}]
  duration_ms        integer,
  api_calls          integer,
  tool_version       text NOT NULL,
  created_at         timestamptz NOT NULL
);
CREATE INDEX reviews_repo_created ON reviews (repo_id, created_at DESC);
CREATE INDEX reviews_repo_pull ON reviews (repo_id, number) WHERE number IS NOT NULL;
CREATE INDEX reviews_created ON reviews (created_at);   -- retention

-- The state of every finding per repository and ref, by fingerprint: when it was first and last
-- seen, and when a change fixed it.
CREATE TABLE finding_states (
  repo_id     bigint NOT NULL REFERENCES repositories (repo_id) ON DELETE CASCADE,
  ref         text NOT NULL,
  fingerprint text NOT NULL,
  rule        text NOT NULL,
  path        text NOT NULL,
  address     text NOT NULL,
  severity    text NOT NULL,
  status      text NOT NULL CHECK (status IN ('new', 'existing', 'suppressed', 'fixed')),
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  fixed_at    timestamptz,
  PRIMARY KEY (repo_id, ref, fingerprint)
);
CREATE INDEX finding_states_last_seen ON finding_states (last_seen);   -- retention

-- The tracking issue of each risk item (fingerprint), as the App last left it, so that
-- reconciling issues can know them without searching.
CREATE TABLE tracking_issues (
  repo_id      bigint NOT NULL REFERENCES repositories (repo_id) ON DELETE CASCADE,
  fingerprint  text NOT NULL,
  issue_number integer NOT NULL,
  state        text NOT NULL CHECK (state IN ('open', 'closed')),
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (repo_id, fingerprint)
);
CREATE INDEX tracking_issues_number ON tracking_issues (repo_id, issue_number);
