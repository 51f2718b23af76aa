/**
 * Bulk data written straight into ats-auth's SQLite file before it starts (after `ats-auth
 * migrate` created the schema), in one transaction with syncing off: millions of rows in seconds.
 * It follows src/store/migrations/sqlite/ (0001_init.sql, 0006_sessions.sql).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { AtsInstance } from './ats.js';
import { atsCli } from './ats.js';

export async function seedSqlite(instance: AtsInstance, fill: (db: Database.Database) => void): Promise<void> {
  await atsCli(instance, ['migrate']);
  const db = new Database(join(instance.dataDir, 'ats-auth.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.transaction(() => fill(db))();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Token revocations of unexpired tokens; `jti(i)` names the i-th. */
export function insertTokenRevocations(db: Database.Database, count: number, jti: (i: number) => string, expiresAtMs: (i: number) => number): void {
  const insert = db.prepare(
    "INSERT INTO revocations (kind, jti, username, expires_at_ms, created_at_ms) VALUES ('token', ?, ?, ?, ?)",
  );
  const now = Date.now();
  for (let i = 0; i < count; i++) insert.run(jti(i), `user-${i % 100_000}`, expiresAtMs(i), now);
}

/** logout_all rows: users user-0 … user-(count-1) refuse tokens issued up to notBeforeMs. */
export function insertUserRevocations(db: Database.Database, count: number, notBeforeMs: number, expiresAtMs: number): void {
  const insert = db.prepare(
    "INSERT INTO revocations (kind, username, not_before_ms, expires_at_ms, created_at_ms) VALUES ('user', ?, ?, ?, ?)",
  );
  const now = Date.now();
  for (let i = 0; i < count; i++) insert.run(`user-${i}`, notBeforeMs, expiresAtMs, now);
}

/** The default ATS_AUTH_MAX_SESSIONS_PER_USER: a user never has more live sessions. */
const MAX_SESSIONS_PER_USER = 100;

/**
 * A builtin account with `count` issued tokens, spread over as many sessions as the per-user cap allows
 * (logins beyond it end the oldest session, so more never exist).
 */
export function insertSessions(db: Database.Database, user: string, count: number, issuedAtMs: number, expiresAtMs: number): void {
  // The account itself: logout_all answers 404 unknown_user for a name no backend knows. '!' is no
  // hash any password matches.
  db.prepare("INSERT OR IGNORE INTO users (name, password_hash, created_at_ms) VALUES (?, '!', ?)").run(user, issuedAtMs);
  const sessions = Math.min(count, MAX_SESSIONS_PER_USER);
  const session = db.prepare(
    `INSERT INTO sessions (id, username, created_at_ms, last_seen_at_ms, expires_at_ms, client_address, user_agent)
     VALUES (?, ?, ?, ?, ?, '127.0.0.1', 'bench')`,
  );
  for (let i = 0; i < sessions; i++) session.run(`${user}-session-${i}`, user, issuedAtMs, issuedAtMs, expiresAtMs);
  const token = db.prepare('INSERT INTO issued_tokens (jti, session_id, username, issued_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)');
  for (let i = 0; i < count; i++) token.run(`${user}-token-${i}`, `${user}-session-${i % sessions}`, user, issuedAtMs, expiresAtMs);
}
