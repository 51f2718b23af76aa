/**
 * The shared store: PostgreSQL through the `postgres` client (a small connection pool). Several
 * instances and workers use one database; each follows the revocation log (LISTEN/NOTIFY for
 * wake-ups, see change-signal.ts, plus polling). Every driver failure becomes StoreUnavailable.
 */
import postgres from 'postgres';
import { AppError, StoreUnavailable, UserExists, UserNotFound } from '../../errors.js';
import { keyParams, mergeBySeq, toKeyEvent, toStoredKey, type KeyRow } from '../key-rows.js';
import { loadMigrations } from '../migrations.js';
import { toSink } from '../snapshot-sink.js';
import type {
  IssuedTokenRecord,
  RefreshTokenRecord,
  KeyStore,
  RevocationEvent,
  RevocationStore,
  SessionRecord,
  SessionStore,
  Store,
  UserRecord,
  UserStore,
} from '../ports.js';
import { createListenSignal, REVOCATION_CHANNEL } from './change-signal.js';
import { createPostgresThrottleStore } from './postgres-throttle-store.js';

type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;
/** BIGINT columns arrive as strings; millisecond instants and seqs fit a double exactly. */
type Int8 = string | number;

/** Advisory lock key (any constant) held while migrating, so instances starting together apply each migration once. */
const MIGRATION_LOCK_KEY = 0x617473_0001;

/** Rows per round trip when loading the snapshot. */
const SNAPSHOT_BATCH = 10_000;

const SQL = {
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)`,
  migrationLock: 'SELECT pg_advisory_xact_lock($1)',
  appliedVersions: 'SELECT version FROM schema_migrations',
  recordMigration: 'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)',

  findUser: 'SELECT name, password_hash, disabled, created_at_ms FROM users WHERE name = $1',
  createUser: 'INSERT INTO users (name, password_hash, disabled, created_at_ms) VALUES ($1, $2, false, $3)',
  setPasswordHash: 'UPDATE users SET password_hash = $1 WHERE name = $2',
  setDisabled: 'UPDATE users SET disabled = $1 WHERE name = $2',
  removeUser: 'DELETE FROM users WHERE name = $1',
  listUsers: 'SELECT name, password_hash, disabled, created_at_ms FROM users ORDER BY name',

  createSession: `INSERT INTO sessions (id, username, created_at_ms, last_seen_at_ms, expires_at_ms, ended_at_ms,
    client_address, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  recordToken: `INSERT INTO issued_tokens (jti, session_id, username, issued_at_ms, expires_at_ms)
    VALUES ($1, $2, $3, $4, $5)`,
  recordRefresh: `INSERT INTO refresh_tokens (digest, session_id, expires_at_ms, spent_at_ms, successor)
    VALUES ($1, $2, $3, $4, $5)`,
  listSessions: `SELECT * FROM sessions WHERE username = $1 AND ended_at_ms IS NULL AND expires_at_ms > $2
    ORDER BY created_at_ms DESC, id`,
  findSession: 'SELECT * FROM sessions WHERE id = $1',
  findToken: 'SELECT * FROM issued_tokens WHERE jti = $1',
  endSession: `UPDATE sessions SET ended_at_ms = COALESCE(ended_at_ms, $1) WHERE id = $2
    RETURNING username, expires_at_ms, last_seen_at_ms`,
  insertSessionRevocation: `INSERT INTO revocations (kind, session_id, username, expires_at_ms, latest_iat_ms, created_at_ms)
    VALUES ('session', $1, $2, $3, $4, $5) ON CONFLICT (session_id) WHERE kind = 'session' DO NOTHING RETURNING *`,
  findSessionRevocation: "SELECT * FROM revocations WHERE kind = 'session' AND session_id = $1",
  endUserSessions: 'UPDATE sessions SET ended_at_ms = $1 WHERE username = $2 AND ended_at_ms IS NULL AND created_at_ms <= $3',
  touchSessions: `UPDATE sessions s SET last_seen_at_ms = GREATEST(s.last_seen_at_ms, v.at_ms)
    FROM json_to_recordset($1::json) AS v(id text, at_ms bigint) WHERE s.id = v.id`,
  findRefresh: 'SELECT * FROM refresh_tokens WHERE digest = $1',
  spendRefresh: 'UPDATE refresh_tokens SET spent_at_ms = $1, successor = $2 WHERE digest = $3 AND spent_at_ms IS NULL',
  extendSession: `UPDATE sessions SET expires_at_ms = GREATEST(expires_at_ms, $1), last_seen_at_ms = GREATEST(last_seen_at_ms, $2)
    WHERE id = $3 AND ended_at_ms IS NULL AND expires_at_ms > $2`,

  // Taken before the insert draws its seq and held until commit: see serialisedInsert().
  lockRevocations: 'LOCK TABLE revocations IN SHARE ROW EXCLUSIVE MODE',
  insertTokenRevocation: `INSERT INTO revocations (kind, jti, username, expires_at_ms, latest_iat_ms, created_at_ms)
    VALUES ('token', $1, $2, $3, $4, $5) ON CONFLICT (jti) WHERE kind = 'token' DO NOTHING RETURNING *`,
  findTokenRevocation: "SELECT * FROM revocations WHERE kind = 'token' AND jti = $1",
  // Replaces the user's earlier not-before rows (under the table lock, see serialisedInsert):
  // keeps the latest instant, and lives at least as long as the longest recorded token lifetime.
  replaceUserRevocation: `WITH earlier AS (
      DELETE FROM revocations WHERE kind = 'user' AND username = $1 RETURNING not_before_ms, expires_at_ms
    ), nb AS (
      SELECT GREATEST($2::bigint, (SELECT MAX(not_before_ms) FROM earlier)) AS ms
    )
    INSERT INTO revocations (kind, username, not_before_ms, expires_at_ms, created_at_ms)
    SELECT 'user', $1, nb.ms,
      GREATEST($3::bigint, nb.ms + COALESCE((SELECT max_lifetime_ms FROM token_bounds WHERE id = 1), 0),
        (SELECT MAX(expires_at_ms) FROM earlier)),
      $4
    FROM nb RETURNING *`,
  recordTokenLifetime: `INSERT INTO token_bounds (id, max_lifetime_ms) VALUES (1, $1)
    ON CONFLICT (id) DO UPDATE SET max_lifetime_ms = excluded.max_lifetime_ms
    WHERE excluded.max_lifetime_ms > token_bounds.max_lifetime_ms`,
  notify: `SELECT pg_notify('${REVOCATION_CHANNEL}', $1)`,
  changesSince: 'SELECT * FROM revocations WHERE seq > $1 ORDER BY seq LIMIT $2',
  // The snapshot, kind by kind with only the columns each needs; not-befores first, so the state
  // skips the revocations they already cover.
  activeUsers: `SELECT seq, username, not_before_ms, expires_at_ms FROM revocations
    WHERE kind = 'user' AND expires_at_ms > $1 AND seq > $2`,
  activeTokens: `SELECT seq, jti AS id, username, expires_at_ms, latest_iat_ms FROM revocations
    WHERE kind = 'token' AND expires_at_ms > $1 AND seq > $2`,
  activeSessions: `SELECT seq, session_id AS id, username, expires_at_ms, latest_iat_ms FROM revocations
    WHERE kind = 'session' AND expires_at_ms > $1 AND seq > $2`,
  revocationsOf: 'SELECT * FROM revocations WHERE username = $1 AND expires_at_ms > $2 ORDER BY seq',
  maxSeq: `SELECT GREATEST((SELECT COALESCE(MAX(seq), 0) FROM revocations),
    (SELECT COALESCE(MAX(seq), 0) FROM signing_keys)) AS seq`,
  // The identity column's sequence (named by PostgreSQL after table and column): the last seq
  // drawn, committed or not, purged or not; 0 before the first (or after RESTART).
  headSeq: 'SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS seq FROM revocations_seq_seq',
  purgeRevocations: 'DELETE FROM revocations WHERE expires_at_ms <= $1',
  purgeTokens: 'DELETE FROM issued_tokens WHERE expires_at_ms <= $1',
  purgeSessions: 'DELETE FROM sessions WHERE expires_at_ms <= $1 OR ended_at_ms IS NOT NULL',
  purgeRefresh: `DELETE FROM refresh_tokens r WHERE r.expires_at_ms <= $1
    OR NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = r.session_id AND s.ended_at_ms IS NULL)`,

  listKeys: 'SELECT * FROM signing_keys WHERE expires_at_ms > $1 ORDER BY created_at_ms, kid',
  keyChangesSince: 'SELECT * FROM signing_keys WHERE seq > $1 ORDER BY seq LIMIT $2',
  // A key change draws its seq from the revocation log's sequence, under the same table lock.
  upsertKey: `INSERT INTO signing_keys
    (kid, alg, state, public_jwk, private_key, created_at_ms, activated_at_ms, expires_at_ms, seq)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nextval(pg_get_serial_sequence('revocations', 'seq')))
    ON CONFLICT (kid) DO UPDATE SET state = excluded.state, private_key = excluded.private_key,
      activated_at_ms = excluded.activated_at_ms, expires_at_ms = excluded.expires_at_ms, seq = excluded.seq
    RETURNING *`,
  purgeKeys: 'DELETE FROM signing_keys WHERE expires_at_ms <= $1',
} as const;

interface UserRow {
  name: string;
  password_hash: string;
  disabled: boolean;
  created_at_ms: Int8;
}

interface SessionRow {
  id: string;
  username: string;
  created_at_ms: Int8;
  last_seen_at_ms: Int8;
  expires_at_ms: Int8;
  ended_at_ms: Int8 | null;
  client_address: string | null;
  user_agent: string | null;
}

interface TokenRow {
  jti: string;
  session_id: string | null;
  username: string;
  issued_at_ms: Int8;
  expires_at_ms: Int8;
}

interface RefreshRow {
  digest: string;
  session_id: string;
  expires_at_ms: Int8;
  spent_at_ms: Int8 | null;
  successor: string | null;
}

interface RevocationRow {
  seq: Int8;
  kind: string;
  jti: string | null;
  session_id: string | null;
  username: string;
  not_before_ms: Int8 | null;
  expires_at_ms: Int8;
  latest_iat_ms: Int8 | null;
}

/** Rows of the snapshot's per-kind queries (SQL.activeUsers, activeTokens and activeSessions). */
interface ActiveUserRow {
  seq: Int8;
  username: string;
  not_before_ms: Int8;
  expires_at_ms: Int8;
}

interface ActiveHeldRow {
  seq: Int8;
  id: string;
  username: string;
  expires_at_ms: Int8;
  latest_iat_ms: Int8 | null;
}

/** Seconds to wait for a connection before a request fails with 503 (unless the URL sets connect_timeout). */
const CONNECT_TIMEOUT_S = 5;

/**
 * Seconds between reconnection attempts after failures. Requests queue behind this delay, and
 * the client's default grows to 20 s: the service would answer slowly while the database is
 * down and stay stale for up to 20 s after it is back. Capped at 0.2 s instead.
 */
const reconnectBackoff = (retries: number) => Math.min(0.025 * 2 ** retries, 0.2);

export function openPostgresStore(url: string): Store {
  const fromUrl = new URL(url).searchParams;
  const options: postgres.Options<{}> = {
    max: 10,
    fetch_types: false,
    backoff: reconnectBackoff,
    // Notices (e.g. "relation exists, skipping") would go to stdout as plain text, not JSON logs.
    onnotice: () => {},
    connection: { application_name: fromUrl.get('application_name') ?? 'ats-auth' },
    ...(fromUrl.has('connect_timeout') ? {} : { connect_timeout: CONNECT_TIMEOUT_S }),
  };
  let sql: Sql;
  try {
    sql = postgres(url, options);
  } catch (error) {
    throw new StoreUnavailable(error);
  }
  const location = describe(sql.options);

  /** Runs a query, turning driver failures into StoreUnavailable. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // Domain errors (a user that exists, a key plan refusing) pass; driver failures do not.
      if (error instanceof AppError && !(error instanceof StoreUnavailable)) throw error;
      throw new StoreUnavailable(error);
    }
  }

  async function mustChange(query: Promise<{ count: number }>, name: string): Promise<void> {
    if ((await query).count === 0) throw new UserNotFound(name);
  }

  const users: UserStore = {
    findUser: (name) =>
      guarded(async () => {
        const [row] = await sql.unsafe<UserRow[]>(SQL.findUser, [name]);
        return row ? toUser(row) : null;
      }),
    createUser: (name, passwordHash, nowMs) =>
      guarded(async () => {
        try {
          await sql.unsafe(SQL.createUser, [name, passwordHash, nowMs]);
        } catch (error) {
          if ((error as { code?: string }).code === '23505') throw new UserExists(name);
          throw error;
        }
      }),
    setPasswordHash: (name, passwordHash) =>
      guarded(() => mustChange(sql.unsafe(SQL.setPasswordHash, [passwordHash, name]), name)),
    setDisabled: (name, disabled) => guarded(() => mustChange(sql.unsafe(SQL.setDisabled, [disabled, name]), name)),
    removeUser: (name) => guarded(() => mustChange(sql.unsafe(SQL.removeUser, [name]), name)),
    listUsers: () => guarded(async () => (await sql.unsafe<UserRow[]>(SQL.listUsers)).map(toUser)),
  };

  const insertToken = (tx: Tx, t: IssuedTokenRecord) =>
    tx.unsafe(SQL.recordToken, [t.jti, t.sessionId, t.user, t.issuedAtMs, t.expiresAtMs]);
  const insertRefresh = (tx: Tx, r: RefreshTokenRecord) =>
    tx.unsafe(SQL.recordRefresh, [r.digest, r.sessionId, r.expiresAtMs, r.spentAtMs, r.successor]);

  const sessions: SessionStore = {
    createSession: (session, token, refresh) =>
      guarded(async () => {
        await sql.begin(async (tx) => {
          await tx.unsafe(SQL.createSession, [
            session.id,
            session.user,
            session.createdAtMs,
            session.lastSeenAtMs,
            session.expiresAtMs,
            session.endedAtMs,
            session.clientAddress,
            session.userAgent,
          ]);
          await insertToken(tx, token);
          if (refresh) await insertRefresh(tx, refresh);
        });
      }),
    listSessions: (user, nowMs) =>
      guarded(async () => (await sql.unsafe<SessionRow[]>(SQL.listSessions, [user, nowMs])).map(toSession)),
    findSession: (id) =>
      guarded(async () => {
        const [row] = await sql.unsafe<SessionRow[]>(SQL.findSession, [id]);
        return row ? toSession(row) : null;
      }),
    findToken: (jti) =>
      guarded(async () => {
        const [row] = await sql.unsafe<TokenRow[]>(SQL.findToken, [jti]);
        return row ? toToken(row) : null;
      }),
    endSession: (id, endedAtMs, leewayMs) =>
      guarded(async () => {
        // Already ended (a repeated DELETE or logout): answer from the row, without the table lock.
        const [known] = await sql.unsafe<RevocationRow[]>(SQL.findSessionRevocation, [id]);
        if (known) return toEvent(known);
        const row = await sql.begin(async (tx) => {
          await tx.unsafe(SQL.lockRevocations);
          const [session] = await tx.unsafe<{ username: string; expires_at_ms: Int8; last_seen_at_ms: Int8 }[]>(SQL.endSession, [
            endedAtMs,
            id,
          ]);
          if (session === undefined) return null;
          const [inserted] = await tx.unsafe<RevocationRow[]>(SQL.insertSessionRevocation, [
            id,
            session.username,
            Number(session.expires_at_ms) + leewayMs,
            Number(session.last_seen_at_ms),
            Date.now(),
          ]);
          if (inserted) {
            await tx.unsafe(SQL.notify, [String(inserted.seq)]);
            return inserted;
          }
          const [existing] = await tx.unsafe<RevocationRow[]>(SQL.findSessionRevocation, [id]);
          return existing!;
        });
        return row === null ? null : toEvent(row);
      }),
    touchSessions: (seen) =>
      guarded(async () => {
        if (seen.size === 0) return;
        // One statement for the whole batch, as JSON: the client runs without array types (fetch_types: false).
        await sql.unsafe(SQL.touchSessions, [[...seen].map(([id, at_ms]) => ({ id, at_ms }))] as never);
      }),
    findRefreshToken: (digest) =>
      guarded(async () => {
        const [row] = await sql.unsafe<RefreshRow[]>(SQL.findRefresh, [digest]);
        return row ? toRefresh(row) : null;
      }),
    rotateRefreshToken: (input) =>
      guarded(async () => {
        try {
          return await sql.begin(async (tx) => {
            const spent = await tx.unsafe(SQL.spendRefresh, [input.spentAtMs, input.successor, input.spentDigest]);
            if (spent.count === 0) return 'already_spent' as const;
            const live = await tx.unsafe(SQL.extendSession, [input.sessionExpiresAtMs, input.spentAtMs, input.next.sessionId]);
            if (live.count === 0) throw new SessionEnded();
            await insertRefresh(tx, input.next);
            await insertToken(tx, input.token);
            return 'rotated' as const;
          });
        } catch (error) {
          // Thrown to roll the spend back: the session is no longer live.
          if (error instanceof SessionEnded) return 'ended' as const;
          throw error;
        }
      }),
  };

  /**
   * Inserts into the revocation log so that rows become visible in seq order. An identity column
   * draws seq when the INSERT runs, but transactions commit in any order: if seq 11 committed
   * before seq 10, a follower could read 11, move its cursor past 10 and never see 10. Holding a
   * self-conflicting table lock from before the seq is drawn until commit makes the log
   * append-only in commit order. Readers (ACCESS SHARE) are not blocked; revocations are rare,
   * so writers queueing briefly is cheap. The NOTIFY is part of the same transaction, so it is
   * delivered only once the row is visible.
   */
  function serialisedInsert(insert: (tx: Tx) => Promise<RevocationRow>): Promise<RevocationEvent> {
    return guarded(async () => {
      const row = await sql.begin(async (tx) => {
        await tx.unsafe(SQL.lockRevocations);
        const inserted = await insert(tx);
        await tx.unsafe(SQL.notify, [String(inserted.seq)]);
        return inserted;
      });
      return toEvent(row);
    });
  }

  const revocations: RevocationStore = {
    revokeToken: async ({ jti, user, expiresAtMs, issuedAtMs }) => {
      // Already revoked (a repeated logout): answer from the row, without the table lock that
      // serialises writers or a NOTIFY waking every follower for nothing.
      const [known] = await guarded(() => sql.unsafe<RevocationRow[]>(SQL.findTokenRevocation, [jti]));
      if (known) return toEvent(known);
      return serialisedInsert(async (tx) => {
        const [inserted] = await tx.unsafe<RevocationRow[]>(SQL.insertTokenRevocation, [jti, user, expiresAtMs, issuedAtMs ?? null, Date.now()]);
        if (inserted) return inserted;
        const [existing] = await tx.unsafe<RevocationRow[]>(SQL.findTokenRevocation, [jti]);
        return existing!;
      });
    },
    revokeUser: ({ user, notBeforeMs, expiresAtMs }) =>
      serialisedInsert(async (tx) => {
        const [row] = await tx.unsafe<RevocationRow[]>(SQL.replaceUserRevocation, [user, notBeforeMs, expiresAtMs, Date.now()]);
        await tx.unsafe(SQL.endUserSessions, [notBeforeMs, user, notBeforeMs]);
        return row!;
      }),
    headSeq: () =>
      guarded(async () => {
        const [row] = await sql.unsafe<{ seq: Int8 }[]>(SQL.headSeq);
        return Number(row!.seq);
      }),
    recordTokenLifetime: (lifetimeMs) =>
      guarded(async () => {
        await sql.unsafe(SQL.recordTokenLifetime, [lifetimeMs]);
      }),
    changesSince: (cursor, limit) =>
      guarded(() =>
        // Both tables as of one snapshot: writers commit in seq order (see serialisedInsert), so
        // a read of one table after the other could otherwise skip a row committed in between.
        sql.begin('isolation level repeatable read read only', async (tx) => {
          const revoked = await tx.unsafe<RevocationRow[]>(SQL.changesSince, [cursor, limit]);
          const keys = await tx.unsafe<KeyRow[]>(SQL.keyChangesSince, [cursor, limit]);
          return mergeBySeq(revoked.map(toEvent), keys.map(toKeyEvent), limit);
        }),
      ),
    snapshot: (nowMs, into, after = 0) =>
      guarded(() =>
        // One REPEATABLE READ snapshot: every row committed later has a larger seq than the cursor.
        sql.begin('isolation level repeatable read read only', async (tx) => {
          const [last] = await tx.unsafe<{ seq: Int8 }[]>(SQL.maxSeq);
          const sink = toSink(into);
          for (const row of await tx.unsafe<KeyRow[]>(SQL.listKeys, [nowMs])) sink.key(toKeyEvent(row));
          // Read in batches through a cursor: start-up may load millions of rows.
          await tx.unsafe<ActiveUserRow[]>(SQL.activeUsers, [nowMs, after]).cursor(SNAPSHOT_BATCH, (rows) => {
            for (const r of rows) sink.user(Number(r.seq), r.username, Number(r.not_before_ms), Number(r.expires_at_ms));
          });
          for (const [query, hold] of [
            [SQL.activeTokens, sink.token],
            [SQL.activeSessions, sink.session],
          ] as const) {
            await tx.unsafe<ActiveHeldRow[]>(query, [nowMs, after]).cursor(SNAPSHOT_BATCH, (rows) => {
              for (const r of rows) {
                hold.call(sink, Number(r.seq), r.id, r.username, Number(r.expires_at_ms), r.latest_iat_ms === null ? undefined : Number(r.latest_iat_ms));
              }
            });
          }
          return Number(last!.seq);
        }),
      ),
    revocationsOf: (user, nowMs) =>
      guarded(async () => (await sql.unsafe<RevocationRow[]>(SQL.revocationsOf, [user, nowMs])).map(toEvent)),
    purgeExpired: (nowMs) =>
      guarded(async () => {
        let removed = 0;
        for (const query of [SQL.purgeRevocations, SQL.purgeTokens, SQL.purgeSessions, SQL.purgeRefresh, SQL.purgeKeys]) {
          removed += (await sql.unsafe(query, [nowMs])).count;
        }
        return removed;
      }),
  };

  const keys: KeyStore = {
    listKeys: (nowMs) => guarded(async () => (await sql.unsafe<KeyRow[]>(SQL.listKeys, [nowMs])).map(toStoredKey)),
    updateKeys: (nowMs, plan) =>
      guarded(() =>
        sql.begin(async (tx) => {
          // The revocation log's writer lock: key rows take seqs in commit order like revocations.
          await tx.unsafe(SQL.lockRevocations);
          const changed = plan((await tx.unsafe<KeyRow[]>(SQL.listKeys, [nowMs])).map(toStoredKey));
          const events: RevocationEvent[] = [];
          for (const key of changed) {
            const [row] = await tx.unsafe<KeyRow[]>(SQL.upsertKey, keyParams(key) as never[]);
            events.push(toKeyEvent(row!));
          }
          if (events.length > 0) await tx.unsafe(SQL.notify, [String(events.at(-1)!.seq)]);
          return events;
        }),
      ),
  };

  const signal = createListenSignal(url, options);

  return {
    kind: 'postgres',
    location,
    users,
    sessions,
    revocations,
    throttles: createPostgresThrottleStore(sql),
    keys,
    changeSignal: signal,
    migrate: () => guarded(() => migrate(sql)),
    ping: () => guarded(async () => void (await sql.unsafe('SELECT 1'))),
    close: async () => {
      await signal.close();
      await sql.end({ timeout: 5 });
    },
  };
}

/** Applies pending migrations in one transaction under an advisory lock (DDL is transactional). */
function migrate(sql: Sql): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx.unsafe(SQL.migrationLock, [MIGRATION_LOCK_KEY]);
    await tx.unsafe(SQL.createMigrationsTable);
    const applied = new Set((await tx.unsafe<{ version: number }[]>(SQL.appliedVersions)).map((r) => r.version));
    const now: number[] = [];
    for (const migration of loadMigrations('postgres')) {
      if (applied.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx.unsafe(SQL.recordMigration, [migration.version, migration.name, Date.now()]);
      now.push(migration.version);
    }
    return now;
  });
}

/** host:port/database for the log; never the user name or password. */
function describe(options: { host: string[]; port: number[]; database: string | null }): string {
  const hosts = options.host.map((host, i) => `${host}:${options.port[i] ?? options.port[0]}`).join(',');
  return `${hosts}/${options.database ?? ''}`;
}

function toUser(row: UserRow): UserRecord {
  return { name: row.name, passwordHash: row.password_hash, disabled: row.disabled, createdAtMs: Number(row.created_at_ms) };
}

function toSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    user: row.username,
    createdAtMs: Number(row.created_at_ms),
    lastSeenAtMs: Number(row.last_seen_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
    endedAtMs: row.ended_at_ms === null ? null : Number(row.ended_at_ms),
    clientAddress: row.client_address,
    userAgent: row.user_agent,
  };
}

function toToken(row: TokenRow): IssuedTokenRecord {
  return {
    jti: row.jti,
    sessionId: row.session_id,
    user: row.username,
    issuedAtMs: Number(row.issued_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
  };
}

function toRefresh(row: RefreshRow): RefreshTokenRecord {
  return {
    digest: row.digest,
    sessionId: row.session_id,
    expiresAtMs: Number(row.expires_at_ms),
    spentAtMs: row.spent_at_ms === null ? null : Number(row.spent_at_ms),
    successor: row.successor,
  };
}

function toEvent(row: RevocationRow): RevocationEvent {
  const seq = Number(row.seq);
  const expiresAtMs = Number(row.expires_at_ms);
  // Left out rather than undefined: the event travels as JSON (the SSE stream) and is compared whole in tests.
  const latest = row.latest_iat_ms === null ? {} : { latestIatMs: Number(row.latest_iat_ms) };
  switch (row.kind) {
    case 'token':
      return { seq, kind: 'token', jti: row.jti!, user: row.username, expiresAtMs, ...latest };
    case 'user':
      return { seq, kind: 'user', user: row.username, notBeforeMs: Number(row.not_before_ms), expiresAtMs };
    case 'session':
      return { seq, kind: 'session', sid: row.session_id!, user: row.username, expiresAtMs, ...latest };
    default:
      throw new Error(`unknown revocation kind '${row.kind}' (seq ${seq}): written by a newer version?`);
  }
}

/** Rolls a rotation back when the session turned out not to be live. */
class SessionEnded extends Error {}
