/**
 * The binary layout of a revocation-state checkpoint: what the state holds (users with their
 * not-befores, token and session revocations, each by its 64-bit hash: held.ts) as typed-array
 * columns, so a start reads each column
 * straight into the array that keeps it, without a string, row or hash computation per
 * revocation, then reads only the log after the checkpoint's cursor (#15). Keys are not in it:
 * they are few and always read from the store.
 *
 * Little-endian (typed arrays take the platform's order; a big-endian reader sees a wrong magic
 * and loads the rows instead). Every section starts on an 8-byte boundary.
 */

import type { ByteSource } from '../store/index.js';

/** Bumped whenever the layout changes; a checkpoint of another format is ignored (and replaced). */
export const CHECKPOINT_FORMAT = 1;

const MAGIC = 0x4b435441; // "ATCK" read as a little-endian uint32
const HEADER_WORDS = 6;

/** Revocations of one kind, slot by slot. `user` numbers a user of CheckpointColumns.users. */
export interface HeldColumns {
  hi: Uint32Array;
  lo: Uint32Array;
  user: Uint32Array;
  expiresAtMs: Float64Array;
  /** NaN where the revocation records no latest iat. */
  latestIatMs: Float64Array;
}

/** Users by the hash of their name, each with its not-before (NaN: none). */
export interface UserColumns {
  hi: Uint32Array;
  lo: Uint32Array;
  notBeforeMs: Float64Array;
  notBeforeExpiresAtMs: Float64Array;
}

export interface CheckpointColumns {
  users: UserColumns;
  tokens: HeldColumns;
  sessions: HeldColumns;
}

export interface CheckpointCounts {
  users: number;
  tokens: number;
  sessions: number;
}

type HeldColumn = keyof HeldColumns;

/** One kind's revocations in a stored checkpoint, column by column. */
export interface HeldSection {
  readonly count: number;
  /** Reads the column's `count` values into the front of `into`; user numbers are checked. */
  read<T extends Uint32Array | Int32Array | Float64Array>(column: HeldColumn, into: T): T;
}

export interface CheckpointReader {
  users: UserColumns;
  tokens: HeldSection;
  sessions: HeldSection;
}

/** A zeroed checkpoint for these counts: the bytes to store and views into them for the caller to fill. */
export function allocateCheckpoint(counts: CheckpointCounts): { bytes: Uint8Array; columns: CheckpointColumns } {
  const header = [MAGIC, CHECKPOINT_FORMAT, counts.users, counts.tokens, counts.sessions];
  const layout = layoutOf(header);
  const bytes = new Uint8Array(layout.size);
  const { buffer } = bytes;
  new Uint32Array(buffer, 0, HEADER_WORDS).set(header);
  const held = (at: HeldLayout, count: number): HeldColumns => ({
    hi: new Uint32Array(buffer, at.hi, count),
    lo: new Uint32Array(buffer, at.lo, count),
    user: new Uint32Array(buffer, at.user, count),
    expiresAtMs: new Float64Array(buffer, at.expiresAtMs, count),
    latestIatMs: new Float64Array(buffer, at.latestIatMs, count),
  });
  const u = layout.users;
  return {
    bytes,
    columns: {
      users: {
        hi: new Uint32Array(buffer, u.hi, counts.users),
        lo: new Uint32Array(buffer, u.lo, counts.users),
        notBeforeMs: new Float64Array(buffer, u.notBeforeMs, counts.users),
        notBeforeExpiresAtMs: new Float64Array(buffer, u.notBeforeExpiresAtMs, counts.users),
      },
      tokens: held(layout.tokens, counts.tokens),
      sessions: held(layout.sessions, counts.sessions),
    },
  };
}

/**
 * Reads a stored checkpoint's header and users, and gives its two kinds of revocations to be
 * read column by column. Throws on a checkpoint of another format or a damaged one.
 */
export function openCheckpoint(source: ByteSource): CheckpointReader {
  if (source.byteLength < HEADER_WORDS * 4) throw new Error('checkpoint too short');
  const header = [...readInto(source, 0, new Uint32Array(HEADER_WORDS))];
  if (header[0] !== MAGIC || header[1] !== CHECKPOINT_FORMAT) throw new Error(`checkpoint of another format (${header[1]})`);
  const layout = layoutOf(header);
  if (layout.size !== source.byteLength) throw new Error('checkpoint size does not match its header');
  const [, , userCount, tokenCount, sessionCount] = header as Header;
  const section = (at: HeldLayout, count: number): HeldSection => ({
    count,
    read(column, into) {
      readInto(source, at[column], into, count);
      if (column === 'user') {
        // An indexed loop: for-of over a typed array is several times slower at a million entries.
        for (let i = 0; i < count; i++) if (into[i]! >= userCount) throw new Error('checkpoint names a user it does not list');
      }
      return into;
    },
  });
  const u = layout.users;
  return {
    users: {
      hi: readInto(source, u.hi, new Uint32Array(userCount)),
      lo: readInto(source, u.lo, new Uint32Array(userCount)),
      notBeforeMs: readInto(source, u.notBeforeMs, new Float64Array(userCount)),
      notBeforeExpiresAtMs: readInto(source, u.notBeforeExpiresAtMs, new Float64Array(userCount)),
    },
    tokens: section(layout.tokens, tokenCount),
    sessions: section(layout.sessions, sessionCount),
  };
}

function readInto<T extends Uint32Array | Int32Array | Float64Array>(source: ByteSource, position: number, into: T, count = into.length): T {
  source.read(new Uint8Array(into.buffer, into.byteOffset, count * into.BYTES_PER_ELEMENT), position);
  return into;
}

type Header = [number, number, number, number, number];
type HeldLayout = Record<HeldColumn, number>;

/** Where each section starts, after the header, each on an 8-byte boundary; and the total size. */
function layoutOf(header: number[]) {
  const [, , users, tokens, sessions] = header as Header;
  let at = HEADER_WORDS * 4;
  const take = (length: number) => {
    const start = at;
    at += Math.ceil(length / 8) * 8;
    return start;
  };
  const held = (count: number): HeldLayout => ({ hi: take(count * 4), lo: take(count * 4), user: take(count * 4), expiresAtMs: take(count * 8), latestIatMs: take(count * 8) });
  const userLayout = { hi: take(users * 4), lo: take(users * 4), notBeforeMs: take(users * 8), notBeforeExpiresAtMs: take(users * 8) };
  const tokenLayout = held(tokens);
  const sessionLayout = held(sessions);
  return { users: userLayout, tokens: tokenLayout, sessions: sessionLayout, size: at };
}
