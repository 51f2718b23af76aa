-- Asymmetric signing keys (§11): next → active → retired → removed. The private key is sealed
-- (AES-256-GCM under a key derived from the service secret) and cleared once the key can never
-- sign again. seq is drawn from the revocation log's identity sequence under the same table lock
-- (see postgres-store.ts), so followers read key changes from the same feed, in commit order.
-- expires_at_ms is when the row stops mattering (retired/removed: the last token it signed has
-- expired); rows past it are purged with the revocations.
CREATE TABLE signing_keys (
  kid             TEXT PRIMARY KEY,
  alg             TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256', 'RS256')),
  state           TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired', 'removed')),
  public_jwk      TEXT NOT NULL,
  private_key     TEXT,
  created_at_ms   BIGINT NOT NULL,
  activated_at_ms BIGINT,
  expires_at_ms   BIGINT NOT NULL,
  seq             BIGINT NOT NULL UNIQUE
);
CREATE INDEX signing_keys_by_expiry ON signing_keys (expires_at_ms);
