-- The longest token lifetime (TTL + clock leeway, ms) any process using this store accepts.
-- A 'user' revocation is kept until its not-before plus this, whatever the writer's own TTL,
-- so a CLI or instance with a shorter TTL cannot write rows that are purged while tokens they
-- cover still verify elsewhere (#16). It only grows. One row (id = 1).
CREATE TABLE token_bounds (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  max_lifetime_ms INTEGER NOT NULL
);

-- One not-before per user: revokeUser replaces the user's earlier 'user' rows (found by this).
CREATE INDEX revocations_user_rows ON revocations (username) WHERE kind = 'user';
