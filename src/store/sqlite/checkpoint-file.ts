/**
 * The revocation-state checkpoint of a SQLite store: a file beside the database (tens of MB read
 * in one call: SQLite itself reads a blob that size page by page, ~10 times slower), tied to the
 * database by a random id that begins the file and is recorded in `revocation_checkpoint`. A
 * file that does not carry the recorded id (replaced, or the database restored from a backup
 * taken with another one) is not read. Written by checkpoint-writer.ts in a worker thread.
 */
import { readFileSync } from 'node:fs';
import type { StoredCheckpoint } from '../ports.js';

export const FILE_ID_BYTES = 16;
export const CHECKPOINT_FILE = 'ats-auth.checkpoint';

export interface CheckpointRow {
  cursor: number;
  format: number;
  file_id: Buffer;
}

/** The checkpoint the row names, or null when its file is missing or is another one. */
export function readCheckpointFile(path: string, row: CheckpointRow): StoredCheckpoint | null {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (file.byteLength < FILE_ID_BYTES || !file.subarray(0, FILE_ID_BYTES).equals(row.file_id)) return null;
  return { cursor: row.cursor, format: row.format, body: file.subarray(FILE_ID_BYTES) };
}
