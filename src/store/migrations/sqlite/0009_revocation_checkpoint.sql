-- A checkpoint of the in-memory revocation state as of a cursor of the log
-- (src/revocation/checkpoint.ts): a start reads it, then only the rows after its cursor. One row,
-- written by whichever process checkpoints, never back to an earlier cursor.
CREATE TABLE revocation_checkpoint (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  cursor        INTEGER NOT NULL,
  format        INTEGER NOT NULL,
  written_at_ms INTEGER NOT NULL,
  body          BLOB NOT NULL
);
