-- The latest iat of any token a 'token' or 'session' revocation refuses (a token: its iat; a
-- session: its last_seen_at_ms when ended, at or after every token it issued). A user's
-- not-before at or after it refuses all of them, so every process can drop the row from memory
-- once one is written: that is how one user's revocations are bounded (#16). NULL in rows
-- written before: those are held until they expire.
ALTER TABLE revocations ADD COLUMN latest_iat_ms BIGINT;
