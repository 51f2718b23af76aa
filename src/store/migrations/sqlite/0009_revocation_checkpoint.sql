-- Which checkpoint of the in-memory revocation state (src/revocation/checkpoint.ts) belongs to
-- this log: the file ats-auth.checkpoint beside this database, written by whichever process
-- checkpoints, whose first 16 bytes must equal file_id. A start reads it, then only the rows
-- after its cursor. One row, never moved back to an earlier cursor.
CREATE TABLE revocation_checkpoint (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  cursor        INTEGER NOT NULL,
  format        INTEGER NOT NULL,
  file_id       BLOB NOT NULL,
  written_at_ms INTEGER NOT NULL
);
