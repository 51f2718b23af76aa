/**
 * The revocation-state checkpoint of a SQLite store: a file beside the database (tens of MB read
 * a column at a time with plain reads: SQLite reads a blob that size page by page, ~10 times
 * slower), tied to the
 * database by a random id that begins the file and is recorded in `revocation_checkpoint`. A
 * file that does not carry the recorded id (replaced, or the database restored from a backup
 * taken with another one) is not read. Written by checkpoint-writer.ts in a worker thread.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource, FoundCheckpoint } from '../ports.js';

export const FILE_ID_BYTES = 16;
export const CHECKPOINT_FILE = 'ats-auth.checkpoint';

export interface CheckpointRow {
  cursor: number;
  format: number;
  file_id: Buffer;
}

/** The checkpoint the row names, open for reading; null when its file is missing or is another one. */
export function openCheckpointFile(path: string, row: CheckpointRow): FoundCheckpoint | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const id = Buffer.alloc(FILE_ID_BYTES);
    if (size < FILE_ID_BYTES || readSync(fd, id, 0, FILE_ID_BYTES, 0) !== FILE_ID_BYTES || !id.equals(row.file_id)) {
      closeSync(fd);
      return null;
    }
    const body: ByteSource = {
      byteLength: size - FILE_ID_BYTES,
      read(into, position) {
        for (let done = 0; done < into.byteLength; ) {
          const n = readSync(fd, into, done, into.byteLength - done, FILE_ID_BYTES + position + done);
          if (n === 0) throw new Error('checkpoint file too short');
          done += n;
        }
      },
    };
    return { cursor: row.cursor, format: row.format, body, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
