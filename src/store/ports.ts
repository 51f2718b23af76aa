/**
 * The store's ports: narrow interfaces, one per role. Every adapter (sqlite/, postgres/)
 * implements all of them and passes the same contract suite (contract.test.ts).
 * All instants are milliseconds since the epoch. Adapters throw StoreUnavailable when the
 * backend cannot be reached or refuses a write, so callers never report success for lost work.
 */

export interface UserRecord {
  name: string;
  passwordHash: string;
  disabled: boolean;
  createdAtMs: number;
}

export interface UserStore {
  /** The user, or null when there is none by that name. */
  findUser(name: string): Promise<UserRecord | null>;
  /** Throws UserExists when the name is taken. */
  createUser(name: string, passwordHash: string, nowMs: number): Promise<void>;
  /** Throws UserNotFound. */
  setPasswordHash(name: string, passwordHash: string): Promise<void>;
  /** Throws UserNotFound. */
  setDisabled(name: string, disabled: boolean): Promise<void>;
  /** Throws UserNotFound. */
  removeUser(name: string): Promise<void>;
  /** All users ordered by name. */
  listUsers(): Promise<UserRecord[]>;
}

/** One device: a successful login and every token refreshed from it (SPEC §12). */
export interface SessionRecord {
  id: string;
  user: string;
  createdAtMs: number;
  lastSeenAtMs: number;
  /** When the last token or refresh token the session issued expires. */
  expiresAtMs: number;
  /** When it was ended (logout, DELETE, a logout_all's not-before, the cap); null while live. */
  endedAtMs: number | null;
  clientAddress: string | null;
  userAgent: string | null;
}

/** One issued access token, for `ats-auth revoke --jti`. */
export interface IssuedTokenRecord {
  jti: string;
  /** Null for tokens issued before sessions existed. */
  sessionId: string | null;
  user: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/** A refresh token as stored: its digest, never the token. */
export interface RefreshTokenRecord {
  digest: string;
  sessionId: string;
  expiresAtMs: number;
  /** When it was exchanged for a new pair; null for the session's live refresh token. */
  spentAtMs: number | null;
  /** The pair it was exchanged for, sealed under a key only the spent token yields. */
  successor: string | null;
}

export type RotateOutcome = 'rotated' | 'already_spent' | 'ended';

export interface SessionStore {
  /**
   * Starts a session with its first token (and refresh token, when refresh is on), in one
   * transaction; the token is handed out only after this resolves.
   */
  createSession(session: SessionRecord, token: IssuedTokenRecord, refresh: RefreshTokenRecord | null): Promise<void>;
  /**
   * The user's live sessions at nowMs (not ended, not expired), newest first.
   */
  listSessions(user: string, nowMs: number): Promise<SessionRecord[]>;
  /** The session, live or not, or null (purged or never there). */
  findSession(id: string): Promise<SessionRecord | null>;
  /** The issued token with that jti, or null (expired ones are purged). */
  findToken(jti: string): Promise<IssuedTokenRecord | null>;
  /**
   * Ends the session and appends its 'session' revocation event in one transaction; the event is
   * kept until the session's last token has expired (its expiresAtMs + leewayMs), and its
   * latestIatMs is the session's lastSeenAtMs: a login sets that to its token's issue instant, a
   * refresh raises it to the exchange's, verify only raises it; an ended session issues nothing
   * more. O(1). Ending it
   * again returns the existing event; null when there is no such session (or it was purged).
   */
  endSession(id: string, endedAtMs: number, leewayMs: number): Promise<RevocationEvent | null>;
  /** Raises last_seen_at_ms of each session to the given instant (coalesced writes, never per verify). */
  touchSessions(seen: ReadonlyMap<string, number>): Promise<void>;
  /** The refresh token with that digest, or null. */
  findRefreshToken(digest: string): Promise<RefreshTokenRecord | null>;
  /**
   * Spends `spentDigest` (recording `successor` and spentAtMs) and stores `next` and `token`,
   * extending the session to sessionExpiresAtMs, in one transaction, only while the token is
   * unspent and its session live. 'already_spent' when another request spent it first,
   * 'ended' when the session is no longer live.
   */
  rotateRefreshToken(input: {
    spentDigest: string;
    spentAtMs: number;
    successor: string;
    next: RefreshTokenRecord;
    token: IssuedTokenRecord;
    sessionExpiresAtMs: number;
  }): Promise<RotateOutcome>;
}

/** An asymmetric signing algorithm (§11); HS256 secrets never live in the store. */
export type KeyAlgorithm = 'EdDSA' | 'ES256' | 'RS256';

/** next (published, not signing) → active (signs) → retired (verifies) → removed (verifies nothing). */
export type KeyState = 'next' | 'active' | 'retired' | 'removed';

/** A signing key's public half and lifecycle: what every instance and verifier learns from the feed. */
export interface PublicKeyRecord {
  kid: string;
  alg: KeyAlgorithm;
  state: KeyState;
  /** The public key as a JWK (kty, crv, x, y, n, e only). */
  publicJwk: Readonly<Record<string, string>>;
  createdAtMs: number;
  /** When it began to sign; null while next. */
  activatedAtMs: number | null;
  /** When the key stops mattering: retired/removed keys, once the last token they signed has expired. */
  expiresAtMs: number;
}

/** A key as stored: the private half sealed (see tokens/key-pairs/seal.ts); null once it can never sign again. */
export interface StoredKey extends PublicKeyRecord {
  sealedPrivateKey: string | null;
}

/**
 * One entry of the ordered change feed; `seq` is the feed cursor. Kinds 'token' and 'user' are
 * revocations; 'key' is a signing key's new state (never its private half). A 'token' event's
 * `jti` is the token's jti, or for a token without one (the seed's service issued such tokens)
 * 'sha256:' + base64url(SHA-256 of the token's text) — see tokens/verifier.ts digestId.
 * `latestIatMs` of a 'token' or 'session' event: no token it refuses has a later iat, so a
 * not-before at or after it refuses them all and the event can be dropped (revocation/state.ts);
 * absent from rows written before it was recorded.
 */
export type RevocationEvent =
  | { seq: number; kind: 'token'; jti: string; user: string; expiresAtMs: number; latestIatMs?: number }
  | { seq: number; kind: 'user'; user: string; notBeforeMs: number; expiresAtMs: number }
  /** Every token carrying this `sid` is refused (SPEC §12); `user` is the session's owner. */
  | { seq: number; kind: 'session'; sid: string; user: string; expiresAtMs: number; latestIatMs?: number }
  | ({ seq: number; kind: 'key' } & PublicKeyRecord);

export type KeyEvent = Extract<RevocationEvent, { kind: 'key' }>;

/**
 * Takes a snapshot's revocations as plain values, kind by kind and in no particular order: start-up
 * loads millions of rows, and an event object per row cost more than the rest of the load (#15).
 * latestIatMs is undefined where the event would leave it out.
 */
export interface SnapshotSink {
  key(event: KeyEvent): void;
  user(seq: number, user: string, notBeforeMs: number, expiresAtMs: number): void;
  token(seq: number, jti: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void;
  session(seq: number, sid: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void;
}

export interface RevocationStore {
  /**
   * Durably revokes one token; revoking it again returns the existing event. issuedAtMs (its
   * iat) becomes the event's latestIatMs; without it the revocation can never be folded away.
   */
  revokeToken(input: { jti: string; user: string; expiresAtMs: number; issuedAtMs?: number }): Promise<RevocationEvent>;
  /**
   * Durably refuses every token of `user` issued at or before notBeforeMs, in one row: it
   * replaces the user's earlier not-before (keeping the later instant), so the log holds one per
   * user. The row is kept until expiresAtMs or notBeforeMs + the longest recorded token
   * lifetime, whichever is later.
   * It also marks the user's sessions created by then ended (at most the per-user cap of rows).
   */
  revokeUser(input: { user: string; notBeforeMs: number; expiresAtMs: number }): Promise<RevocationEvent>;
  /**
   * The last seq the log has assigned, purged rows included (0 for a new log). Below a
   * follower's cursor only when the log went backwards: a restored database, a reset sequence,
   * a new SQLite file.
   */
  headSeq(): Promise<number>;
  /**
   * Records that a process using this store accepts tokens for up to lifetimeMs after their iat
   * (TTL + leeway). Only ever raises the recorded bound (see revokeUser).
   */
  recordTokenLifetime(lifetimeMs: number): Promise<void>;
  /** Events with seq > cursor in seq order, at most `limit`. */
  changesSince(cursor: number, limit: number): Promise<RevocationEvent[]>;
  /**
   * Hands every revocation still in force at nowMs to `into` (a sink, or a callback taking each
   * as an event: see snapshot-sink.ts), before resolving with the cursor to follow the feed from.
   * Not a list: start-up may load millions of rows. It may also hand over events past the cursor;
   * applying those again from the feed is harmless. Events need not come in seq order.
   * With `after` (a checkpoint's cursor), only rows with a larger seq.
   */
  snapshot(nowMs: number, into: SnapshotSink | ((event: RevocationEvent) => void), after?: number): Promise<number>;
  /** The revocations of `user` still in force at nowMs, in seq order. */
  revocationsOf(user: string, nowMs: number): Promise<RevocationEvent[]>;
  /**
   * Deletes revocations, issued tokens, refresh tokens and signing keys that expired before nowMs,
   * and sessions that expired or ended; returns rows removed.
   */
  purgeExpired(nowMs: number): Promise<number>;
}

/** A checkpoint of the revocation state (revocation/checkpoint.ts) as of a cursor of the log. */
export interface StoredCheckpoint {
  cursor: number;
  /** Its layout's version (CHECKPOINT_FORMAT); one of another is not read. */
  format: number;
  body: Uint8Array;
}

/**
 * A stored checkpoint's bytes, read section by section straight into the arrays that keep them:
 * no buffer of the whole (tens of MB a start would otherwise fault in and copy once more).
 */
export interface ByteSource {
  readonly byteLength: number;
  /** Fills `into` with the bytes from `position`; throws if there are fewer. */
  read(into: Uint8Array, position: number): void;
}

/** A checkpoint found in the store, open for reading until close(). */
export interface FoundCheckpoint {
  cursor: number;
  format: number;
  body: ByteSource;
  close(): void;
}

/**
 * Where the revocation state's checkpoint is kept, beside the log it summarises: a start reads
 * it and then only the log after its cursor (#15). The store only hands over the checkpoint its
 * log records (a database restored without its checkpoint gets none, and its rows are read).
 */
export interface CheckpointStore {
  /** The stored checkpoint, or null. */
  read(): Promise<FoundCheckpoint | null>;
  /** The stored checkpoint's cursor (0 when there is none), without reading it. */
  cursor(): Promise<number>;
  /**
   * Stores the checkpoint unless one at a later cursor (but not past the log's head) of the same
   * format is stored; off the event loop (the body is large). Takes over `body`'s buffer.
   */
  write(checkpoint: StoredCheckpoint): Promise<void>;
}

/**
 * Asymmetric signing keys (§11), shared by every instance. Each change takes the next seq of the
 * change feed, so followers (changesSince, snapshot) see key changes in order with revocations.
 */
export interface KeyStore {
  /** Keys that still matter at nowMs (any state), oldest first. */
  listKeys(nowMs: number): Promise<StoredKey[]>;
  /**
   * Runs `plan` on the keys that still matter, holding the feed's writer lock, and stores the
   * records it returns (new kids are inserted, known ones replaced), each as a feed event.
   * Instances deciding at the same moment therefore decide one after the other.
   */
  updateKeys(nowMs: number, plan: (keys: StoredKey[]) => StoredKey[]): Promise<RevocationEvent[]>;
}

/** Failed logins of one (username, client address) pair in a window, for the admin listing. */
export interface FailureGroup {
  username: string;
  address: string;
  count: number;
  lastMs: number;
}

/**
 * Failed login attempts, one row each, shared by every instance (§6). The throttle counts them
 * per (username, address), per address and per username over a sliding window.
 * `username`/`address` left out of a scope match any value.
 */
export interface ThrottleStore {
  /** Records one failed (or not yet decided) login of `username` from `address` at atMs; returns its id. */
  recordFailure(failure: { username: string; address: string; atMs: number }): Promise<number>;
  /** Forgets one recorded failure by id (an attempt refused before its password was checked). */
  forgetFailure(id: number): Promise<void>;
  /** Instants of the failures in scope at or after sinceMs, newest first, at most `limit`. */
  recentFailures(scope: { username?: string; address?: string }, sinceMs: number, limit: number): Promise<number[]>;
  /** Forgets the failures in scope (all of them for an empty scope); returns how many. */
  clearFailures(scope: { username?: string; address?: string }): Promise<number>;
  /** Failures at or after sinceMs grouped by (username, address), most recent first. */
  listFailures(sinceMs: number): Promise<FailureGroup[]>;
  /** Deletes failures older than beforeMs; returns how many. */
  purgeFailures(beforeMs: number): Promise<number>;
}

/**
 * Wakes feed followers as soon as a revocation is stored anywhere (PostgreSQL LISTEN/NOTIFY).
 * Followers also poll, so a missed signal only costs latency, never a revocation.
 */
export interface ChangeSignal {
  subscribe(onChange: () => void): () => void;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, without credentials, for the start-up log. */
  readonly location: string;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly revocations: RevocationStore;
  readonly throttles: ThrottleStore;
  readonly keys: KeyStore;
  /** Absent where the backend keeps none (PostgreSQL): a start then reads every row. */
  readonly checkpoints?: CheckpointStore;
  /** Absent when the backend cannot push changes; followers then rely on polling. */
  readonly changeSignal?: ChangeSignal;
  /** Applies pending migrations; returns the versions applied now. */
  migrate(): Promise<number[]>;
  /** Resolves when the backend answers a trivial query; throws StoreUnavailable otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
