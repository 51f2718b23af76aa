-- Users of the builtin credential verifier.
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  disabled      BOOLEAN NOT NULL DEFAULT false,
  created_at_ms BIGINT NOT NULL
);

-- Every issued token, as the seed's service recorded them; purged once expired.
CREATE TABLE sessions (
  jti            TEXT PRIMARY KEY,
  username       TEXT NOT NULL,
  issued_at_ms   BIGINT NOT NULL,
  expires_at_ms  BIGINT NOT NULL,
  client_address TEXT,
  user_agent     TEXT
);
CREATE INDEX sessions_by_user ON sessions (username, issued_at_ms);
CREATE INDEX sessions_by_expiry ON sessions (expires_at_ms);

-- The revocation log and change feed: seq is the cursor followers read from.
-- kind 'token' revokes one jti; kind 'user' refuses the user's tokens issued up to not_before_ms.
-- expires_at_ms is when the row stops mattering (every token it covers has expired).
-- Writers serialise their inserts (see postgres-store.ts) so rows commit in seq order.
CREATE TABLE revocations (
  seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('token', 'user')),
  jti           TEXT,
  username      TEXT NOT NULL,
  not_before_ms BIGINT,
  expires_at_ms BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  CHECK ((kind = 'token' AND jti IS NOT NULL) OR (kind = 'user' AND not_before_ms IS NOT NULL))
);
CREATE UNIQUE INDEX revocations_by_jti ON revocations (jti) WHERE kind = 'token';
CREATE INDEX revocations_by_expiry ON revocations (expires_at_ms);
