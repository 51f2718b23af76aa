/** The SQLite side of the throttle's store (§6): one row per failed login, in login_failures. */
import type Database from 'better-sqlite3';
import { StoreUnavailable } from '../../errors.js';
import type { FailureGroup, ThrottleStore } from '../ports.js';
import { throttleSql } from '../throttle-sql.js';

const SQL = throttleSql(() => '?');

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
      guarded(() => (stmt(SQL.recordFailure).get(username, address, atMs) as { id: number }).id),
    forgetFailure: (id) => guarded(() => void stmt(SQL.forgetFailure).run(id)),
    recentFailures: (scope, sinceMs, limit) =>
      guarded(() => {
        const { sql, params } = SQL.scoped('recent', scope);
        return (stmt(sql).all(...params, sinceMs, limit) as { at_ms: number }[]).map((row) => row.at_ms);
      }),
    clearFailures: (scope) =>
      guarded(() => {
        const { sql, params } = SQL.scoped('clear', scope);
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
