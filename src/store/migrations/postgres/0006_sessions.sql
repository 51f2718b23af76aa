-- Sessions as devices (SPEC §12). What was `sessions` (one row per issued token) becomes
-- `issued_tokens`, kept for `revoke --jti` and now naming the token's session.
ALTER TABLE sessions RENAME TO issued_tokens;
ALTER TABLE issued_tokens RENAME CONSTRAINT sessions_pkey TO issued_tokens_pkey;
DROP INDEX sessions_by_user;
ALTER INDEX sessions_by_expiry RENAME TO issued_tokens_by_expiry;
ALTER TABLE issued_tokens ADD COLUMN session_id TEXT;

-- One row per successful login (one device). expires_at_ms: when the last token or refresh token
-- it issued expires. ended_at_ms: set when the session is ended (logout, DELETE, the cap, or a
-- logout_all, which marks the user's sessions created up to its not-before in the same
-- transaction). Verify never reads this table: an ended session is a revocation event.
CREATE TABLE sessions (
  id              TEXT PRIMARY KEY,
  username        TEXT NOT NULL,
  created_at_ms   BIGINT NOT NULL,
  last_seen_at_ms BIGINT NOT NULL,
  expires_at_ms   BIGINT NOT NULL,
  ended_at_ms     BIGINT,
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
  expires_at_ms BIGINT NOT NULL,
  spent_at_ms   BIGINT,
  successor     TEXT
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at_ms);

-- The revocation log gains kind 'session' (an ended session: every token carrying its sid).
-- The kind list is no longer enumerated: later kinds only add their own field check.
ALTER TABLE revocations DROP CONSTRAINT revocations_kind_check;
ALTER TABLE revocations DROP CONSTRAINT revocations_check;
ALTER TABLE revocations ADD COLUMN session_id TEXT;
ALTER TABLE revocations ADD CONSTRAINT revocations_kind_named CHECK (kind <> '');
ALTER TABLE revocations ADD CONSTRAINT revocations_token_fields CHECK (kind <> 'token' OR jti IS NOT NULL);
ALTER TABLE revocations ADD CONSTRAINT revocations_user_fields CHECK (kind <> 'user' OR not_before_ms IS NOT NULL);
ALTER TABLE revocations ADD CONSTRAINT revocations_session_fields CHECK (kind <> 'session' OR session_id IS NOT NULL);
CREATE UNIQUE INDEX revocations_by_session ON revocations (session_id) WHERE kind = 'session';
