/**
 * Writes one revocation-state checkpoint into the SQLite file, in a worker thread: storing tens
 * of megabytes (and the WAL checkpoint that follows) takes a few hundred milliseconds, which on
 * the event loop would hold every verify. Exits when done; the outcome is its one message.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { StoredCheckpoint } from '../ports.js';

export interface CheckpointJob {
  file: string;
  busyTimeoutMs: number;
  checkpoint: StoredCheckpoint;
}

export type CheckpointOutcome = { ok: true } | { ok: false; message: string };

// A newer checkpoint, or one of another format (a newer version's), replaces the stored one.
const UPSERT = `INSERT INTO revocation_checkpoint (id, cursor, format, written_at_ms, body) VALUES (1, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor, format = excluded.format,
    written_at_ms = excluded.written_at_ms, body = excluded.body
  WHERE excluded.cursor > revocation_checkpoint.cursor OR excluded.format <> revocation_checkpoint.format`;

const { file, busyTimeoutMs, checkpoint } = workerData as CheckpointJob;
let outcome: CheckpointOutcome;
try {
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    // A checkpoint lost to a power cut is only a slower next start: no fsync at commit.
    db.pragma('synchronous = NORMAL');
    const { body } = checkpoint;
    db.prepare(UPSERT).run(checkpoint.cursor, checkpoint.format, Date.now(), Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    outcome = { ok: true };
  } finally {
    db.close();
  }
} catch (error) {
  outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(outcome);
