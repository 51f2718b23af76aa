/** The SQLite side of the throttle's store (§6): one row per failed login, in login_failures. */
import type Database from 'better-sqlite3';
import { StoreUnavailable } from '../../errors.js';
import type { FailureGroup, ThrottleStore } from '../ports.js';

type Scope = { username?: string; address?: string };

const SQL = {
  recordFailure: 'INSERT INTO login_failures (username, address, at_ms) VALUES (?, ?, ?)',
  forgetFailure: 'DELETE FROM login_failures WHERE id = ?',
  recentByUserAddress: `SELECT at_ms FROM login_failures WHERE username = ? AND address = ? AND at_ms >= ?
    ORDER BY at_ms DESC LIMIT ?`,
  recentByUser: 'SELECT at_ms FROM login_failures WHERE username = ? AND at_ms >= ? ORDER BY at_ms DESC LIMIT ?',
  recentByAddress: 'SELECT at_ms FROM login_failures WHERE address = ? AND at_ms >= ? ORDER BY at_ms DESC LIMIT ?',
  recentAll: 'SELECT at_ms FROM login_failures WHERE at_ms >= ? ORDER BY at_ms DESC LIMIT ?',
  clearByUserAddress: 'DELETE FROM login_failures WHERE username = ? AND address = ?',
  clearByUser: 'DELETE FROM login_failures WHERE username = ?',
  clearByAddress: 'DELETE FROM login_failures WHERE address = ?',
  clearAll: 'DELETE FROM login_failures',
  list: `SELECT username, address, COUNT(*) AS count, MAX(at_ms) AS last_ms FROM login_failures
    WHERE at_ms >= ? GROUP BY username, address ORDER BY last_ms DESC, username, address`,
  purge: 'DELETE FROM login_failures WHERE at_ms < ?',
} as const;

/** The query and its leading parameters for a scope. */
function scoped<K extends 'recent' | 'clear'>(kind: K, scope: Scope): { sql: string; params: string[] } {
  const { username, address } = scope;
  if (username !== undefined && address !== undefined) return { sql: SQL[`${kind}ByUserAddress`], params: [username, address] };
  if (username !== undefined) return { sql: SQL[`${kind}ByUser`], params: [username] };
  if (address !== undefined) return { sql: SQL[`${kind}ByAddress`], params: [address] };
  return { sql: SQL[`${kind}All`], params: [] };
}

export function createSqliteThrottleStore(db: Database.Database): ThrottleStore {
  const statements = new Map<string, Database.Statement>();
  const stmt = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  const guarded = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(new StoreUnavailable(error));
    }
  };

  return {
    recordFailure: ({ username, address, atMs }) =>
      guarded(() => Number(stmt(SQL.recordFailure).run(username, address, atMs).lastInsertRowid)),
    forgetFailure: (id) => guarded(() => void stmt(SQL.forgetFailure).run(id)),
    recentFailures: (scope, sinceMs, limit) =>
      guarded(() => {
        const { sql, params } = scoped('recent', scope);
        return (stmt(sql).all(...params, sinceMs, limit) as { at_ms: number }[]).map((row) => row.at_ms);
      }),
    clearFailures: (scope) =>
      guarded(() => {
        const { sql, params } = scoped('clear', scope);
        return stmt(sql).run(...params).changes;
      }),
    listFailures: (sinceMs) =>
      guarded(() =>
        (stmt(SQL.list).all(sinceMs) as { username: string; address: string; count: number; last_ms: number }[]).map(
          (row): FailureGroup => ({ username: row.username, address: row.address, count: row.count, lastMs: row.last_ms }),
        ),
      ),
    purgeFailures: (beforeMs) => guarded(() => stmt(SQL.purge).run(beforeMs).changes),
  };
}
