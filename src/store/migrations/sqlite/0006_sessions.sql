-- Sessions as devices (SPEC §12). What was `sessions` (one row per issued token) becomes
-- `issued_tokens`, kept for `revoke --jti` and now naming the token's session.
ALTER TABLE sessions RENAME TO issued_tokens;
DROP INDEX sessions_by_user;
DROP INDEX sessions_by_expiry;
ALTER TABLE issued_tokens ADD COLUMN session_id TEXT;
CREATE INDEX issued_tokens_by_expiry ON issued_tokens (expires_at_ms);

-- One row per successful login (one device). expires_at_ms: when the last token or refresh token
-- it issued expires. ended_at_ms: set when the session is ended (logout, DELETE, the cap, or a
-- logout_all, which marks the user's sessions created up to its not-before in the same
-- transaction). Verify never reads this table: an ended session is a revocation event.
CREATE TABLE sessions (
  id              TEXT PRIMARY KEY,
  username        TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  last_seen_at_ms INTEGER NOT NULL,
  expires_at_ms   INTEGER NOT NULL,
  ended_at_ms     INTEGER,
  client_address  TEXT,
  user_agent      TEXT
);
CREATE INDEX sessions_by_user ON sessions (username, created_at_ms);
CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);

-- Refresh tokens, as SHA-256 digests only. The live one of a session has spent_at_ms NULL; a
-- spent one keeps, for the reuse grace window, its successor pair sealed under a key derived
-- from the spent token itself (only its holder can open it). Purged when expired.
CREATE TABLE refresh_tokens (
  digest        TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  spent_at_ms   INTEGER,
  successor     TEXT
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at_ms);

-- The revocation log gains kind 'session' (an ended session: every token carrying its sid).
-- SQLite cannot change a CHECK in place, so the table is rebuilt; its AUTOINCREMENT counter is
-- carried over so followers' cursors stay valid. Kinds other than these three are left to the
-- migrations that add them (no need to rebuild the table again).
ALTER TABLE revocations RENAME TO revocations_before_0006;
CREATE TABLE revocations (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind          TEXT NOT NULL CHECK (kind <> ''),
  jti           TEXT,
  username      TEXT NOT NULL,
  not_before_ms INTEGER,
  expires_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  session_id    TEXT,
  CHECK (kind <> 'token' OR jti IS NOT NULL),
  CHECK (kind <> 'user' OR not_before_ms IS NOT NULL),
  CHECK (kind <> 'session' OR session_id IS NOT NULL)
);
INSERT INTO revocations (seq, kind, jti, username, not_before_ms, expires_at_ms, created_at_ms)
  SELECT seq, kind, jti, username, not_before_ms, expires_at_ms, created_at_ms FROM revocations_before_0006;
CREATE TEMP TABLE revocations_last_seq AS
  SELECT MAX(seq) AS seq FROM (
    SELECT seq FROM sqlite_sequence WHERE name IN ('revocations', 'revocations_before_0006')
    UNION ALL SELECT COALESCE(MAX(seq), 0) FROM revocations);
DELETE FROM sqlite_sequence WHERE name IN ('revocations', 'revocations_before_0006');
INSERT INTO sqlite_sequence (name, seq) SELECT 'revocations', seq FROM revocations_last_seq;
DROP TABLE revocations_last_seq;
DROP TABLE revocations_before_0006;
CREATE UNIQUE INDEX revocations_by_jti ON revocations (jti) WHERE kind = 'token';
CREATE UNIQUE INDEX revocations_by_session ON revocations (session_id) WHERE kind = 'session';
CREATE INDEX revocations_by_expiry ON revocations (expires_at_ms);
-- From 0003: one not-before per user, found by this.
CREATE INDEX revocations_user_rows ON revocations (username) WHERE kind = 'user';
