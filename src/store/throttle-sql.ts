/**
 * The throttle's statements (§6), one text for both stores: SQLite and PostgreSQL differ only in
 * how a parameter is written (`?` or `$n`), so each store renders this once with its own.
 */
export type ThrottleScope = { username?: string; address?: string };

type Kind = 'recent' | 'clear';

export interface ThrottleSql {
  /** Inserts a failure and answers its id (RETURNING: SQLite ≥ 3.35 and PostgreSQL). */
  recordFailure: string;
  forgetFailure: string;
  list: string;
  purge: string;
  /** The query for a scope, with the scope's own leading parameters. */
  scoped(kind: Kind, scope: ThrottleScope): { sql: string; params: string[] };
}

export function throttleSql(placeholder: (n: number) => string): ThrottleSql {
  const p = placeholder;
  const recent = (where: string, first: number) =>
    `SELECT at_ms FROM login_failures WHERE ${where}at_ms >= ${p(first)} ORDER BY at_ms DESC LIMIT ${p(first + 1)}`;
  const statements = {
    recentByUserAddress: recent(`username = ${p(1)} AND address = ${p(2)} AND `, 3),
    recentByUser: recent(`username = ${p(1)} AND `, 2),
    recentByAddress: recent(`address = ${p(1)} AND `, 2),
    recentAll: recent('', 1),
    clearByUserAddress: `DELETE FROM login_failures WHERE username = ${p(1)} AND address = ${p(2)}`,
    clearByUser: `DELETE FROM login_failures WHERE username = ${p(1)}`,
    clearByAddress: `DELETE FROM login_failures WHERE address = ${p(1)}`,
    clearAll: 'DELETE FROM login_failures',
  };
  return {
    recordFailure: `INSERT INTO login_failures (username, address, at_ms) VALUES (${p(1)}, ${p(2)}, ${p(3)}) RETURNING id`,
    forgetFailure: `DELETE FROM login_failures WHERE id = ${p(1)}`,
    list: `SELECT username, address, COUNT(*) AS count, MAX(at_ms) AS last_ms FROM login_failures
      WHERE at_ms >= ${p(1)} GROUP BY username, address ORDER BY last_ms DESC, username, address`,
    purge: `DELETE FROM login_failures WHERE at_ms < ${p(1)}`,
    scoped(kind, { username, address }) {
      if (username !== undefined && address !== undefined) return { sql: statements[`${kind}ByUserAddress`], params: [username, address] };
      if (username !== undefined) return { sql: statements[`${kind}ByUser`], params: [username] };
      if (address !== undefined) return { sql: statements[`${kind}ByAddress`], params: [address] };
      return { sql: statements[`${kind}All`], params: [] };
    },
  };
}
