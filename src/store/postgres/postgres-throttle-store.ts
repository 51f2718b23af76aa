/**
 * The PostgreSQL side of the throttle's store (§6), for the `postgres` driver: one row per
 * failed login in login_failures, shared by every instance.
 */
import type { Sql } from 'postgres';
import { StoreUnavailable } from '../../errors.js';
import type { FailureGroup, ThrottleStore } from '../ports.js';
import { throttleSql } from '../throttle-sql.js';

const SQL = throttleSql((n) => `$${n}`);

export function createPostgresThrottleStore(sql: Sql): ThrottleStore {
  // BIGINT and COUNT arrive as strings from the driver; instants fit a double exactly.
  const run = async <T>(query: string, params: (string | number)[], map: (rows: Record<string, unknown>[] & { count: number }) => T) => {
    try {
      return map(await sql.unsafe(query, params, { prepare: true }));
    } catch (error) {
      throw new StoreUnavailable(error);
    }
  };

  return {
    recordFailure: ({ username, address, atMs }) => run(SQL.recordFailure, [username, address, atMs], (rows) => Number(rows[0]!.id)),
    forgetFailure: (id) => run(SQL.forgetFailure, [id], () => undefined),
    recentFailures: (scope, sinceMs, limit) => {
      const { sql: query, params } = SQL.scoped('recent', scope);
      return run(query, [...params, sinceMs, limit], (rows) => rows.map((row) => Number(row.at_ms)));
    },
    clearFailures: (scope) => {
      const { sql: query, params } = SQL.scoped('clear', scope);
      return run(query, params, (rows) => rows.count);
    },
    listFailures: (sinceMs) =>
      run(SQL.list, [sinceMs], (rows) =>
        rows.map(
          (row): FailureGroup => ({
            username: String(row.username),
            address: String(row.address),
            count: Number(row.count),
            lastMs: Number(row.last_ms),
          }),
        ),
      ),
    purgeFailures: (beforeMs) => run(SQL.purge, [beforeMs], (rows) => rows.count),
  };
}
