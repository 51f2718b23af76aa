/**
 * The embedded store: one SQLite file in the data directory, WAL mode, synchronous=FULL so a
 * revocation that was answered 204 survives a power cut. Several processes (workers, the CLI)
 * may open the same file; they see each other's revocations by polling the feed.
 *
 * Failed-login counts go through a second connection with synchronous=NORMAL: in WAL mode its
 * commits are not fsynced (a crash of the process loses nothing; a power cut may lose the last
 * counts, which only gives a guesser a few more tries). better-sqlite3 runs on the event loop, so
 * an fsync per failed login would let a flood of bad logins stall every verify (issue #16).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError, StoreUnavailable, UserExists, UserNotFound } from '../../errors.js';
import { keyParams, mergeBySeq, toKeyEvent, toStoredKey, type KeyRow } from '../key-rows.js';
import { loadMigrations } from '../migrations.js';
import { toSink } from '../snapshot-sink.js';
import { CHECKPOINT_FILE, openCheckpointFile, type CheckpointRow } from './checkpoint-file.js';
import { writeCheckpoint } from './checkpoint-write.js';
import { createSqliteThrottleStore } from './sqlite-throttle-store.js';
import type {
  CheckpointStore,
  IssuedTokenRecord,
  RefreshTokenRecord,
  KeyStore,
  RevocationEvent,
  RevocationStore,
  RotateOutcome,
  SessionRecord,
  SessionStore,
  SnapshotSink,
  Store,
  UserRecord,
  UserStore,
} from '../ports.js';

/** Rows per page when loading the snapshot (see activeTokens). */
const SNAPSHOT_PAGE = 5000;

const SQL = {
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)`,
  appliedVersions: 'SELECT version FROM schema_migrations',
  recordMigration: 'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)',

  findUser: 'SELECT name, password_hash, disabled, created_at_ms FROM users WHERE name = ?',
  createUser: 'INSERT INTO users (name, password_hash, disabled, created_at_ms) VALUES (?, ?, 0, ?)',
  setPasswordHash: 'UPDATE users SET password_hash = ? WHERE name = ?',
  setDisabled: 'UPDATE users SET disabled = ? WHERE name = ?',
  removeUser: 'DELETE FROM users WHERE name = ?',
  listUsers: 'SELECT name, password_hash, disabled, created_at_ms FROM users ORDER BY name',

  createSession: `INSERT INTO sessions (id, username, created_at_ms, last_seen_at_ms, expires_at_ms, ended_at_ms,
    client_address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  recordToken: `INSERT INTO issued_tokens (jti, session_id, username, issued_at_ms, expires_at_ms)
    VALUES (?, ?, ?, ?, ?)`,
  recordRefresh: `INSERT INTO refresh_tokens (digest, session_id, expires_at_ms, spent_at_ms, successor)
    VALUES (?, ?, ?, ?, ?)`,
  listSessions: `SELECT * FROM sessions WHERE username = ? AND ended_at_ms IS NULL AND expires_at_ms > ?
    ORDER BY created_at_ms DESC, id`,
  findSession: 'SELECT * FROM sessions WHERE id = ?',
  findToken: 'SELECT * FROM issued_tokens WHERE jti = ?',
  endSession: 'UPDATE sessions SET ended_at_ms = ? WHERE id = ? AND ended_at_ms IS NULL',
  insertSessionRevocation: `INSERT INTO revocations (kind, session_id, username, expires_at_ms, latest_iat_ms, created_at_ms)
    VALUES ('session', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  findSessionRevocation: "SELECT * FROM revocations WHERE kind = 'session' AND session_id = ?",
  endUserSessions: 'UPDATE sessions SET ended_at_ms = ? WHERE username = ? AND ended_at_ms IS NULL AND created_at_ms <= ?',
  touchSession: 'UPDATE sessions SET last_seen_at_ms = MAX(last_seen_at_ms, ?) WHERE id = ?',
  findRefresh: 'SELECT * FROM refresh_tokens WHERE digest = ?',
  spendRefresh: 'UPDATE refresh_tokens SET spent_at_ms = ?, successor = ? WHERE digest = ? AND spent_at_ms IS NULL',
  extendSession: `UPDATE sessions SET expires_at_ms = MAX(expires_at_ms, ?), last_seen_at_ms = MAX(last_seen_at_ms, ?)
    WHERE id = ? AND ended_at_ms IS NULL AND expires_at_ms > ?`,

  insertTokenRevocation: `INSERT INTO revocations (kind, jti, username, expires_at_ms, latest_iat_ms, created_at_ms)
    VALUES ('token', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  findTokenRevocation: "SELECT * FROM revocations WHERE kind = 'token' AND jti = ?",
  userRevocationBounds: `SELECT MAX(not_before_ms) AS not_before_ms, MAX(expires_at_ms) AS expires_at_ms
    FROM revocations WHERE kind = 'user' AND username = ?`,
  deleteUserRevocations: "DELETE FROM revocations WHERE kind = 'user' AND username = ?",
  insertUserRevocation: `INSERT INTO revocations (kind, username, not_before_ms, expires_at_ms, created_at_ms)
    VALUES ('user', ?, ?, ?, ?) RETURNING *`,
  maxTokenLifetime: 'SELECT COALESCE((SELECT max_lifetime_ms FROM token_bounds WHERE id = 1), 0) AS ms',
  recordTokenLifetime: `INSERT INTO token_bounds (id, max_lifetime_ms) VALUES (1, ?)
    ON CONFLICT (id) DO UPDATE SET max_lifetime_ms = excluded.max_lifetime_ms
    WHERE excluded.max_lifetime_ms > token_bounds.max_lifetime_ms`,
  changesSince: 'SELECT * FROM revocations WHERE seq > ? ORDER BY seq LIMIT ?',
  // The snapshot, kind by kind with only the columns each needs, in pages along seq (the rowid):
  // all() of a page costs a third less per row than iterate(), row by row. Not-befores first: the
  // state then skips the revocations they already cover. `+expires_at_ms` keeps the planner on
  // the rowid range rather than the expiry index (nearly every row is live: a lookup per row).
  activeUsers: `SELECT seq, username, not_before_ms, expires_at_ms FROM revocations
    WHERE seq > ? AND kind = 'user' AND +expires_at_ms > ? ORDER BY seq LIMIT ${SNAPSHOT_PAGE}`,
  activeTokens: `SELECT seq, jti, username, expires_at_ms, latest_iat_ms FROM revocations
    WHERE seq > ? AND kind = 'token' AND +expires_at_ms > ? ORDER BY seq LIMIT ${SNAPSHOT_PAGE}`,
  activeSessions: `SELECT seq, session_id, username, expires_at_ms, latest_iat_ms FROM revocations
    WHERE seq > ? AND kind = 'session' AND +expires_at_ms > ? ORDER BY seq LIMIT ${SNAPSHOT_PAGE}`,
  revocationsOf: 'SELECT * FROM revocations WHERE username = ? AND expires_at_ms > ? ORDER BY seq',
  lastAssignedSeq: "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'revocations'), 0) AS seq",
  purgeRevocations: 'DELETE FROM revocations WHERE expires_at_ms <= ?',
  purgeTokens: 'DELETE FROM issued_tokens WHERE expires_at_ms <= ?',
  purgeRefresh: `DELETE FROM refresh_tokens WHERE expires_at_ms <= ?
    OR session_id NOT IN (SELECT id FROM sessions WHERE ended_at_ms IS NULL)`,
  purgeSessions: 'DELETE FROM sessions WHERE expires_at_ms <= ? OR ended_at_ms IS NOT NULL',

  listKeys: 'SELECT * FROM signing_keys WHERE expires_at_ms > ? ORDER BY created_at_ms, kid',
  keyChangesSince: 'SELECT * FROM signing_keys WHERE seq > ? ORDER BY seq LIMIT ?',
  // A key change takes the revocation log's next seq: AUTOINCREMENT never hands out a number at
  // or below sqlite_sequence, so raising it reserves the seq for the key row.
  nextSeq: "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'revocations'), 0) + 1 AS seq",
  raiseSeq: "UPDATE sqlite_sequence SET seq = ? WHERE name = 'revocations'",
  firstSeq: "INSERT INTO sqlite_sequence (name, seq) VALUES ('revocations', ?)",
  upsertKey: `INSERT INTO signing_keys
    (kid, alg, state, public_jwk, private_key, created_at_ms, activated_at_ms, expires_at_ms, seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (kid) DO UPDATE SET state = excluded.state, private_key = excluded.private_key,
      activated_at_ms = excluded.activated_at_ms, expires_at_ms = excluded.expires_at_ms, seq = excluded.seq
    RETURNING *`,
  purgeKeys: 'DELETE FROM signing_keys WHERE expires_at_ms <= ?',

  readCheckpoint: 'SELECT cursor, format, file_id FROM revocation_checkpoint WHERE id = 1',
  checkpointCursor: 'SELECT COALESCE((SELECT cursor FROM revocation_checkpoint WHERE id = 1), 0) AS cursor',
} as const;

interface UserRow {
  name: string;
  password_hash: string;
  disabled: number;
  created_at_ms: number;
}

interface SessionRow {
  id: string;
  username: string;
  created_at_ms: number;
  last_seen_at_ms: number;
  expires_at_ms: number;
  ended_at_ms: number | null;
  client_address: string | null;
  user_agent: string | null;
}

interface TokenRow {
  jti: string;
  session_id: string | null;
  username: string;
  issued_at_ms: number;
  expires_at_ms: number;
}

interface RefreshRow {
  digest: string;
  session_id: string;
  expires_at_ms: number;
  spent_at_ms: number | null;
  successor: string | null;
}

interface RevocationRow {
  seq: number;
  kind: RevocationEvent['kind'];
  jti: string | null;
  session_id: string | null;
  username: string;
  not_before_ms: number | null;
  expires_at_ms: number;
  latest_iat_ms: number | null;
}

/** Raw rows (arrays in SELECT order) of SQL.activeUsers and of activeTokens/activeSessions. */
type UserTuple = [seq: number, user: string, notBeforeMs: number, expiresAtMs: number];
type HeldTuple = [seq: number, id: string, user: string, expiresAtMs: number, latestIatMs: number | null];

/** busyTimeoutMs: how long a call waits for another process's write lock before StoreUnavailable. */
export function openSqliteStore(dataDir: string, busyTimeoutMs = 5000): Store {
  const file = join(resolve(dataDir), 'ats-auth.sqlite');
  let db: Database.Database;
  let throttleDb: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.pragma('foreign_keys = ON');
    throttleDb = new Database(file);
    throttleDb.pragma('synchronous = NORMAL');
    throttleDb.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  } catch (error) {
    throw new StoreUnavailable(error);
  }

  // Statements are compiled on first use (tables exist only after migrate) and then reused.
  const statements = new Map<string, Database.Statement>();
  function stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  /** Runs a statement, turning driver failures into StoreUnavailable. */
  function guarded<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      // Domain errors (a user that exists, a key plan refusing) pass; driver failures do not.
      if (error instanceof AppError && !(error instanceof StoreUnavailable)) return Promise.reject(error);
      return Promise.reject(new StoreUnavailable(error));
    }
  }

  function mustChange(changes: number, name: string): void {
    if (changes === 0) throw new UserNotFound(name);
  }

  const users: UserStore = {
    findUser: (name) =>
      guarded(() => {
        const row = stmt<[string], UserRow>(SQL.findUser).get(name);
        return row ? toUser(row) : null;
      }),
    createUser: (name, passwordHash, nowMs) =>
      guarded(() => {
        try {
          stmt(SQL.createUser).run(name, passwordHash, nowMs);
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new UserExists(name);
          throw error;
        }
      }),
    setPasswordHash: (name, passwordHash) =>
      guarded(() => mustChange(stmt(SQL.setPasswordHash).run(passwordHash, name).changes, name)),
    setDisabled: (name, disabled) =>
      guarded(() => mustChange(stmt(SQL.setDisabled).run(disabled ? 1 : 0, name).changes, name)),
    removeUser: (name) => guarded(() => mustChange(stmt(SQL.removeUser).run(name).changes, name)),
    listUsers: () => guarded(() => stmt<[], UserRow>(SQL.listUsers).all().map(toUser)),
  };

  const createSessionTx = db.transaction((session: SessionRecord, token: IssuedTokenRecord, refresh: RefreshTokenRecord | null) => {
    stmt(SQL.createSession).run(
      session.id,
      session.user,
      session.createdAtMs,
      session.lastSeenAtMs,
      session.expiresAtMs,
      session.endedAtMs,
      session.clientAddress,
      session.userAgent,
    );
    insertToken(token);
    if (refresh) insertRefresh(refresh);
  });
  const insertToken = (t: IssuedTokenRecord) =>
    stmt(SQL.recordToken).run(t.jti, t.sessionId, t.user, t.issuedAtMs, t.expiresAtMs);
  const insertRefresh = (r: RefreshTokenRecord) =>
    stmt(SQL.recordRefresh).run(r.digest, r.sessionId, r.expiresAtMs, r.spentAtMs, r.successor);

  const endSessionTx = db.transaction((id: string, endedAtMs: number, leewayMs: number): RevocationEvent | null => {
    const row = stmt<[string], SessionRow>(SQL.findSession).get(id);
    if (row === undefined) return null;
    stmt(SQL.endSession).run(endedAtMs, id);
    stmt(SQL.insertSessionRevocation).run(id, row.username, row.expires_at_ms + leewayMs, row.last_seen_at_ms, Date.now());
    return toEvent(stmt<[string], RevocationRow>(SQL.findSessionRevocation).get(id)!);
  });

  const touchTx = db.transaction((seen: ReadonlyMap<string, number>) => {
    for (const [id, atMs] of seen) stmt(SQL.touchSession).run(atMs, id);
  });

  const rotateTx = db.transaction((input: Parameters<SessionStore['rotateRefreshToken']>[0]): RotateOutcome => {
    if (stmt(SQL.spendRefresh).run(input.spentAtMs, input.successor, input.spentDigest).changes === 0) return 'already_spent';
    const live = stmt(SQL.extendSession).run(input.sessionExpiresAtMs, input.spentAtMs, input.next.sessionId, input.spentAtMs);
    if (live.changes === 0) throw new SessionEnded();
    insertRefresh(input.next);
    insertToken(input.token);
    return 'rotated';
  });

  const sessions: SessionStore = {
    createSession: (session, token, refresh) => guarded(() => createSessionTx.immediate(session, token, refresh)),
    listSessions: (user, nowMs) =>
      guarded(() => stmt<[string, number], SessionRow>(SQL.listSessions).all(user, nowMs).map(toSession)),
    findSession: (id) =>
      guarded(() => {
        const row = stmt<[string], SessionRow>(SQL.findSession).get(id);
        return row ? toSession(row) : null;
      }),
    findToken: (jti) =>
      guarded(() => {
        const row = stmt<[string], TokenRow>(SQL.findToken).get(jti);
        return row ? toToken(row) : null;
      }),
    endSession: (id, endedAtMs, leewayMs) => guarded(() => endSessionTx.immediate(id, endedAtMs, leewayMs)),
    touchSessions: (seen) => guarded(() => void touchTx.immediate(seen)),
    findRefreshToken: (digest) =>
      guarded(() => {
        const row = stmt<[string], RefreshRow>(SQL.findRefresh).get(digest);
        return row ? toRefresh(row) : null;
      }),
    rotateRefreshToken: (input) =>
      guarded(() => {
        try {
          return rotateTx.immediate(input);
        } catch (error) {
          // Thrown to roll the spend back: the session is no longer live.
          if (error instanceof SessionEnded) return 'ended' as const;
          throw error;
        }
      }),
  };

  const revokeTokenTx = db.transaction((jti: string, user: string, expiresAtMs: number, issuedAtMs: number | null, nowMs: number) => {
    stmt(SQL.insertTokenRevocation).run(jti, user, expiresAtMs, issuedAtMs, nowMs);
    return stmt<[string], RevocationRow>(SQL.findTokenRevocation).get(jti)!;
  });

  const changesTx = db.transaction((cursor: number, limit: number) =>
    mergeBySeq(
      stmt<[number, number], RevocationRow>(SQL.changesSince).all(cursor, limit).map(toEvent),
      stmt<[number, number], KeyRow>(SQL.keyChangesSince).all(cursor, limit).map(toKeyEvent),
      limit,
    ),
  );

  const updateKeysTx = db.transaction((nowMs: number, plan: Parameters<KeyStore['updateKeys']>[1]) => {
    const changed = plan(stmt<[number], KeyRow>(SQL.listKeys).all(nowMs).map(toStoredKey));
    return changed.map((key) => {
      const seq = stmt<[], { seq: number }>(SQL.nextSeq).get()!.seq;
      if (stmt(SQL.raiseSeq).run(seq).changes === 0) stmt(SQL.firstSeq).run(seq);
      return toKeyEvent(stmt<unknown[], KeyRow>(SQL.upsertKey).get(...keyParams(key), seq)!);
    });
  });

  const keys: KeyStore = {
    listKeys: (nowMs) => guarded(() => stmt<[number], KeyRow>(SQL.listKeys).all(nowMs).map(toStoredKey)),
    updateKeys: (nowMs, plan) => guarded(() => updateKeysTx.immediate(nowMs, plan)),
  };

  /** Replaces the user's earlier not-before rows with one, in a single write transaction. */
  const revokeUserTx = db.transaction((user: string, notBeforeMs: number, expiresAtMs: number, nowMs: number) => {
    const earlier = stmt<[string], { not_before_ms: number | null; expires_at_ms: number | null }>(SQL.userRevocationBounds).get(user)!;
    const lifetimeMs = stmt<[], { ms: number }>(SQL.maxTokenLifetime).get()!.ms;
    const notBefore = Math.max(notBeforeMs, earlier.not_before_ms ?? -Infinity);
    const expires = Math.max(expiresAtMs, notBefore + lifetimeMs, earlier.expires_at_ms ?? -Infinity);
    stmt(SQL.deleteUserRevocations).run(user);
    const row = stmt<unknown[], RevocationRow>(SQL.insertUserRevocation).get(user, notBefore, expires, nowMs)!;
    stmt(SQL.endUserSessions).run(notBeforeMs, user, notBeforeMs);
    return row;
  });

  /** The rows of a paged snapshot query (seq first), page after page; inside snapshotTx's transaction. */
  function* pages<Row extends [number, ...unknown[]]>(sql: string, nowMs: number, from: number): Generator<Row> {
    const page = stmt<[number, number], Row>(sql).raw(true);
    for (let after = from; ; ) {
      const rows = page.all(after, nowMs) as Row[];
      yield* rows;
      if (rows.length < SNAPSHOT_PAGE) return;
      after = rows.at(-1)![0];
    }
  }

  // One read transaction: the cursor and every kind as of one instant.
  const snapshotTx = db.transaction((nowMs: number, sink: SnapshotSink, after: number) => {
    // The cursor is the last seq ever assigned, so rows purged before now are not re-read.
    const cursor = stmt<[], { seq: number }>(SQL.lastAssignedSeq).get()!.seq;
    for (const row of stmt<[number], KeyRow>(SQL.listKeys).all(nowMs)) sink.key(toKeyEvent(row));
    // Read a page at a time, never materialised whole (10^6 rows), as raw arrays: a third cheaper than row objects.
    for (const [seq, user, notBeforeMs, expiresAtMs] of pages<UserTuple>(SQL.activeUsers, nowMs, after)) {
      sink.user(seq, user, notBeforeMs, expiresAtMs);
    }
    for (const [seq, jti, user, expiresAtMs, latestIatMs] of pages<HeldTuple>(SQL.activeTokens, nowMs, after)) {
      sink.token(seq, jti, user, expiresAtMs, latestIatMs ?? undefined);
    }
    for (const [seq, sid, user, expiresAtMs, latestIatMs] of pages<HeldTuple>(SQL.activeSessions, nowMs, after)) {
      sink.session(seq, sid, user, expiresAtMs, latestIatMs ?? undefined);
    }
    return cursor;
  });

  const revocations: RevocationStore = {
    // Already revoked (a repeated logout): answer from the row without taking the write lock.
    revokeToken: ({ jti, user, expiresAtMs, issuedAtMs }) =>
      guarded(() =>
        toEvent(
          stmt<[string], RevocationRow>(SQL.findTokenRevocation).get(jti) ??
            revokeTokenTx.immediate(jti, user, expiresAtMs, issuedAtMs ?? null, Date.now()),
        ),
      ),
    revokeUser: ({ user, notBeforeMs, expiresAtMs }) =>
      guarded(() => toEvent(revokeUserTx.immediate(user, notBeforeMs, expiresAtMs, Date.now()))),
    recordTokenLifetime: (lifetimeMs) => guarded(() => void stmt(SQL.recordTokenLifetime).run(lifetimeMs)),
    headSeq: () => guarded(() => stmt<[], { seq: number }>(SQL.lastAssignedSeq).get()!.seq),
    // One read transaction: both tables as of one instant (another process may be writing).
    changesSince: (cursor, limit) => guarded(() => changesTx(cursor, limit)),
    snapshot: (nowMs, into, after = 0) => guarded(() => snapshotTx(nowMs, toSink(into), after)),
    revocationsOf: (user, nowMs) =>
      guarded(() => stmt<[string, number], RevocationRow>(SQL.revocationsOf).all(user, nowMs).map(toEvent)),
    purgeExpired: (nowMs) =>
      guarded(
        () =>
          db
            .transaction(
              () =>
                stmt(SQL.purgeRevocations).run(nowMs).changes +
                stmt(SQL.purgeTokens).run(nowMs).changes +
                stmt(SQL.purgeSessions).run(nowMs).changes +
                stmt(SQL.purgeRefresh).run(nowMs).changes +
                stmt(SQL.purgeKeys).run(nowMs).changes,
            )
            .immediate(),
      ),
  };

  const checkpointPath = join(resolve(dataDir), CHECKPOINT_FILE);
  const checkpoints: CheckpointStore = {
    read: () =>
      guarded(() => {
        const row = stmt<[], CheckpointRow>(SQL.readCheckpoint).get();
        return row === undefined ? null : openCheckpointFile(checkpointPath, row);
      }),
    cursor: () => guarded(() => stmt<[], { cursor: number }>(SQL.checkpointCursor).get()!.cursor),
    write: (checkpoint) => writeCheckpoint({ database: file, path: checkpointPath, busyTimeoutMs, checkpoint }),
  };

  return {
    kind: 'sqlite',
    location: file,
    users,
    sessions,
    revocations,
    checkpoints,
    throttles: createSqliteThrottleStore(throttleDb),
    keys,
    migrate: () => guarded(() => migrate(db)),
    ping: () => guarded(() => void db.prepare('SELECT 1').get()),
    close: async () => {
      if (throttleDb.open) throttleDb.close();
      if (db.open) db.close();
    },
  };
}

function migrate(db: Database.Database): number[] {
  const apply = db.transaction(() => {
    db.exec(SQL.createMigrationsTable);
    const applied = new Set(db.prepare<[], { version: number }>(SQL.appliedVersions).all().map((r) => r.version));
    const now: number[] = [];
    for (const migration of loadMigrations('sqlite')) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      db.prepare(SQL.recordMigration).run(migration.version, migration.name, Date.now());
      now.push(migration.version);
    }
    return now;
  });
  // IMMEDIATE takes the write lock first, so workers starting together apply each migration once.
  return apply.immediate();
}

function toUser(row: UserRow): UserRecord {
  return { name: row.name, passwordHash: row.password_hash, disabled: row.disabled === 1, createdAtMs: row.created_at_ms };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    user: row.username,
    createdAtMs: row.created_at_ms,
    lastSeenAtMs: row.last_seen_at_ms,
    expiresAtMs: row.expires_at_ms,
    endedAtMs: row.ended_at_ms,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
  };
}

function toToken(row: TokenRow): IssuedTokenRecord {
  return { jti: row.jti, sessionId: row.session_id, user: row.username, issuedAtMs: row.issued_at_ms, expiresAtMs: row.expires_at_ms };
}

function toRefresh(row: RefreshRow): RefreshTokenRecord {
  return {
    digest: row.digest,
    sessionId: row.session_id,
    expiresAtMs: row.expires_at_ms,
    spentAtMs: row.spent_at_ms,
    successor: row.successor,
  };
}

function toEvent(row: Omit<RevocationRow, 'kind'> & { kind: string }): RevocationEvent {
  // Left out rather than undefined: the event travels as JSON (the SSE stream) and is compared whole in tests.
  const latest = row.latest_iat_ms === null ? {} : { latestIatMs: row.latest_iat_ms };
  switch (row.kind) {
    case 'token':
      return { seq: row.seq, kind: 'token', jti: row.jti!, user: row.username, expiresAtMs: row.expires_at_ms, ...latest };
    case 'user':
      return { seq: row.seq, kind: 'user', user: row.username, notBeforeMs: row.not_before_ms!, expiresAtMs: row.expires_at_ms };
    case 'session':
      return { seq: row.seq, kind: 'session', sid: row.session_id!, user: row.username, expiresAtMs: row.expires_at_ms, ...latest };
    default:
      throw new Error(`unknown revocation kind '${row.kind}' (seq ${row.seq}): written by a newer version?`);
  }
}

/** Rolls a rotation back when the session turned out not to be live. */
class SessionEnded extends Error {}
