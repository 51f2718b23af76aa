-- Failed login attempts for throttling (§6): one row per failure, kept for the sliding window
-- and purged after it. address is '' when the client address is unknown.
CREATE TABLE login_failures (
  id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username TEXT NOT NULL,
  address  TEXT NOT NULL,
  at_ms    BIGINT NOT NULL
);
CREATE INDEX login_failures_by_user_address ON login_failures (username, address, at_ms);
CREATE INDEX login_failures_by_address ON login_failures (address, at_ms);
CREATE INDEX login_failures_by_time ON login_failures (at_ms);
