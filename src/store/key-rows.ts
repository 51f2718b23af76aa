/** Rows of the signing_keys table (migration 0007) to port records and feed events; both adapters use it. */
import type { KeyAlgorithm, KeyEvent, KeyState, RevocationEvent, StoredKey } from './ports.js';

/** BIGINT columns arrive from PostgreSQL as strings; instants and seqs fit a double exactly. */
type Int8 = string | number;

export interface KeyRow {
  kid: string;
  alg: KeyAlgorithm;
  state: KeyState;
  public_jwk: string;
  private_key: string | null;
  created_at_ms: Int8;
  activated_at_ms: Int8 | null;
  expires_at_ms: Int8;
  seq: Int8;
}

export function toStoredKey(row: KeyRow): StoredKey {
  return {
    kid: row.kid,
    alg: row.alg,
    state: row.state,
    publicJwk: Object.freeze(JSON.parse(row.public_jwk) as Record<string, string>),
    createdAtMs: Number(row.created_at_ms),
    activatedAtMs: row.activated_at_ms === null ? null : Number(row.activated_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
    sealedPrivateKey: row.private_key,
  };
}

/** The feed event of a key row: its public half and state, never the private key. */
export function toKeyEvent(row: KeyRow): KeyEvent {
  const { sealedPrivateKey: _, ...key } = toStoredKey(row);
  return { seq: Number(row.seq), kind: 'key', ...key };
}

/** Parameters of the upsert statements, in column order (kid … expires_at_ms; seq is the adapter's). */
export function keyParams(key: StoredKey): unknown[] {
  return [
    key.kid,
    key.alg,
    key.state,
    JSON.stringify(key.publicJwk),
    key.sealedPrivateKey,
    key.createdAtMs,
    key.activatedAtMs,
    key.expiresAtMs,
  ];
}

/** Two seq-ordered event lists as one, at most `limit` long. */
export function mergeBySeq(a: RevocationEvent[], b: RevocationEvent[], limit: number): RevocationEvent[] {
  if (b.length === 0) return a;
  return [...a, ...b].sort((x, y) => x.seq - y.seq).slice(0, limit);
}
