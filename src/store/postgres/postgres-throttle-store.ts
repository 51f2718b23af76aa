/**
 * The PostgreSQL side of the throttle's store (§6), for the `postgres` driver: one row per
 * failed login in login_failures, shared by every instance.
 */
import type { Sql } from 'postgres';
import { StoreUnavailable } from '../../errors.js';
import type { FailureGroup, ThrottleStore } from '../ports.js';

type Scope = { username?: string; address?: string };

const SQL = {
  recordFailure: 'INSERT INTO login_failures (username, address, at_ms) VALUES ($1, $2, $3) RETURNING id',
  forgetFailure: 'DELETE FROM login_failures WHERE id = $1',
  recentByUserAddress: `SELECT at_ms FROM login_failures WHERE username = $1 AND address = $2 AND at_ms >= $3
    ORDER BY at_ms DESC LIMIT $4`,
  recentByUser: 'SELECT at_ms FROM login_failures WHERE username = $1 AND at_ms >= $2 ORDER BY at_ms DESC LIMIT $3',
  recentByAddress: 'SELECT at_ms FROM login_failures WHERE address = $1 AND at_ms >= $2 ORDER BY at_ms DESC LIMIT $3',
  recentAll: 'SELECT at_ms FROM login_failures WHERE at_ms >= $1 ORDER BY at_ms DESC LIMIT $2',
  clearByUserAddress: 'DELETE FROM login_failures WHERE username = $1 AND address = $2',
  clearByUser: 'DELETE FROM login_failures WHERE username = $1',
  clearByAddress: 'DELETE FROM login_failures WHERE address = $1',
  clearAll: 'DELETE FROM login_failures',
  list: `SELECT username, address, COUNT(*) AS count, MAX(at_ms) AS last_ms FROM login_failures
    WHERE at_ms >= $1 GROUP BY username, address ORDER BY last_ms DESC, username, address`,
  purge: 'DELETE FROM login_failures WHERE at_ms < $1',
} as const;

function scoped<K extends 'recent' | 'clear'>(kind: K, scope: Scope): { sql: string; params: string[] } {
  const { username, address } = scope;
  if (username !== undefined && address !== undefined) return { sql: SQL[`${kind}ByUserAddress`], params: [username, address] };
  if (username !== undefined) return { sql: SQL[`${kind}ByUser`], params: [username] };
  if (address !== undefined) return { sql: SQL[`${kind}ByAddress`], params: [address] };
  return { sql: SQL[`${kind}All`], params: [] };
}

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
      const { sql: query, params } = scoped('recent', scope);
      return run(query, [...params, sinceMs, limit], (rows) => rows.map((row) => Number(row.at_ms)));
    },
    clearFailures: (scope) => {
      const { sql: query, params } = scoped('clear', scope);
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
