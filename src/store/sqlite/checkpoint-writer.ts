/**
 * Writes one revocation-state checkpoint (checkpoint-file.ts), in a worker thread: tens of
 * megabytes and an fsync would otherwise hold every verify on the event loop. The file is
 * written under a temporary name and fsynced first; then, holding the database's write lock (so
 * writers in other processes take turns), it is renamed into place and recorded, unless the
 * recorded checkpoint is newer. Exits when done; the outcome is its one message.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { StoredCheckpoint } from '../ports.js';
import { FILE_ID_BYTES } from './checkpoint-file.js';

export interface CheckpointJob {
  database: string;
  path: string;
  busyTimeoutMs: number;
  checkpoint: StoredCheckpoint;
}

export type CheckpointOutcome = { ok: true } | { ok: false; message: string };

// Anything but a later checkpoint of the same format replaces the recorded one: one at the same
// cursor too (the recorded file may be one its readers could not read), and one recorded past the
// log's head (the log went backwards) never holds a later state.
const SUPERSEDES = `SELECT NOT EXISTS (SELECT 1 FROM revocation_checkpoint WHERE id = 1 AND cursor > ? AND format = ?
  AND cursor <= COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'revocations'), 0)) AS newer`;
const RECORD = `INSERT INTO revocation_checkpoint (id, cursor, format, file_id, written_at_ms) VALUES (1, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor, format = excluded.format,
    file_id = excluded.file_id, written_at_ms = excluded.written_at_ms`;

const { database, path, busyTimeoutMs, checkpoint } = workerData as CheckpointJob;
const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
let outcome: CheckpointOutcome;
try {
  const fileId = randomBytes(FILE_ID_BYTES);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, fileId);
    writeSync(fd, checkpoint.body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const db = new Database(database);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.transaction(() => {
      if (db.prepare<[number, number], { newer: number }>(SUPERSEDES).get(checkpoint.cursor, checkpoint.format)!.newer === 0) return;
      renameSync(temporary, path);
      db.prepare(RECORD).run(checkpoint.cursor, checkpoint.format, fileId, Date.now());
    }).immediate();
  } finally {
    db.close();
  }
  outcome = { ok: true };
} catch (error) {
  outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
} finally {
  rmSync(temporary, { force: true });
}
parentPort!.postMessage(outcome);
