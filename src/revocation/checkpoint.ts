/**
 * The binary layout of a revocation-state checkpoint: what the state holds (not-befores, token and
 * session revocations by their 64-bit hash) as typed-array columns over one buffer, so a start-up
 * reads it in one piece and loads it without a string, row or hash computation per revocation,
 * then reads only the log after the checkpoint's cursor (#15). Keys are not in it: they are few
 * and always read from the store.
 *
 * Little-endian (typed arrays take the platform's order; a big-endian reader sees a wrong magic
 * and loads the rows instead). Every section starts on an 8-byte boundary.
 */

/** Bumped whenever the layout changes; a checkpoint of another format is ignored (and replaced). */
export const CHECKPOINT_FORMAT = 1;

const MAGIC = 0x4b435441; // "ATCK" read as a little-endian uint32
const HEADER_WORDS = 8;

/** Revocations of one kind, slot by slot. `user` indexes CheckpointColumns.names. */
export interface HeldColumns {
  hi: Uint32Array;
  lo: Uint32Array;
  user: Uint32Array;
  expiresAtMs: Float64Array;
  /** NaN where the revocation records no latest iat. */
  latestIatMs: Float64Array;
}

export interface CheckpointColumns {
  /** Every user named below, once. */
  names: string[];
  notBefores: { user: Uint32Array; notBeforeMs: Float64Array; expiresAtMs: Float64Array };
  tokens: HeldColumns;
  sessions: HeldColumns;
}

export interface CheckpointCounts {
  notBefores: number;
  tokens: number;
  sessions: number;
}

/**
 * A zeroed checkpoint for these names and counts: the bytes to store and views into them for the
 * caller to fill (names are written here).
 */
export function allocateCheckpoint(names: readonly string[], counts: CheckpointCounts): { bytes: Uint8Array; columns: CheckpointColumns } {
  const joined = names.join('');
  const nameBytes = new TextEncoder().encode(joined);
  const header = [MAGIC, CHECKPOINT_FORMAT, names.length, counts.notBefores, counts.tokens, counts.sessions, joined.length, nameBytes.length];
  const bytes = new Uint8Array(sizeOf(header));
  new Uint32Array(bytes.buffer, 0, HEADER_WORDS).set(header);
  const { columns, namesAt, endsAt } = sections(bytes, header);
  bytes.set(nameBytes, namesAt);
  let end = 0;
  const ends = new Uint32Array(bytes.buffer, endsAt, names.length);
  names.forEach((name, i) => (ends[i] = end += name.length));
  columns.names = [...names];
  return { bytes, columns };
}

/** Views over a stored checkpoint; throws on a checkpoint of another format or a damaged one. */
export function readCheckpoint(stored: Uint8Array): CheckpointColumns {
  // Typed-array views need aligned offsets: copy a buffer that does not start on one.
  const bytes = stored.byteOffset % 8 === 0 ? stored : new Uint8Array(stored);
  if (bytes.byteLength < HEADER_WORDS * 4) throw new Error('checkpoint too short');
  const header = [...new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS)];
  if (header[0] !== MAGIC || header[1] !== CHECKPOINT_FORMAT) throw new Error(`checkpoint of another format (${header[1]})`);
  if (sizeOf(header) !== bytes.byteLength) throw new Error('checkpoint size does not match its header');
  const { columns, namesAt, endsAt } = sections(bytes, header);
  const joined = new TextDecoder().decode(bytes.subarray(namesAt, namesAt + header[7]!));
  if (joined.length !== header[6]) throw new Error('checkpoint names damaged');
  const ends = new Uint32Array(bytes.buffer, bytes.byteOffset + endsAt, header[2]!);
  const names = new Array<string>(ends.length);
  for (let i = 0, start = 0; i < ends.length; start = ends[i]!, i++) names[i] = joined.slice(start, ends[i]);
  columns.names = names;
  for (const held of [columns.tokens, columns.sessions, columns.notBefores]) {
    for (const user of held.user) if (user >= names.length) throw new Error('checkpoint names a user it does not list');
  }
  return columns;
}

function sizeOf(header: number[]): number {
  return sections(undefined, header).size;
}

/** Lays the sections out after the header; with bytes, also the views over them. */
function sections(bytes: Uint8Array | undefined, header: number[]) {
  const [, , users, notBefores, tokens, sessions, , nameByteCount] = header as [number, number, number, number, number, number, number, number];
  let at = HEADER_WORDS * 4;
  const take = (length: number) => {
    const start = at;
    at += Math.ceil(length / 8) * 8;
    return start;
  };
  const base = bytes?.byteOffset ?? 0;
  const u32 = (count: number) => {
    const start = take(count * 4);
    return bytes ? new Uint32Array(bytes.buffer, base + start, count) : new Uint32Array(0);
  };
  const f64 = (count: number) => {
    const start = take(count * 8);
    return bytes ? new Float64Array(bytes.buffer, base + start, count) : new Float64Array(0);
  };
  const held = (count: number): HeldColumns => ({ hi: u32(count), lo: u32(count), user: u32(count), expiresAtMs: f64(count), latestIatMs: f64(count) });
  const namesAt = take(nameByteCount);
  const endsAt = take(users * 4);
  const columns: CheckpointColumns = {
    names: [],
    notBefores: { user: u32(notBefores), notBeforeMs: f64(notBefores), expiresAtMs: f64(notBefores) },
    tokens: held(tokens),
    sessions: held(sessions),
  };
  return { columns, namesAt, endsAt, size: at };
}
