/**
 * The stores every black-box suite runs against. A test asks storeEnv(kind) for the environment
 * that points a server (or several sharing state) at a fresh, empty store, and drops it after.
 * PostgreSQL: a new database per call on the local server (CREATE DATABASE copies template1,
 * ~0.2 s), dropped with FORCE so leftover connections do not block the drop.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

export type StoreKind = 'sqlite' | 'postgres';

export const STORES: readonly StoreKind[] = ['sqlite', 'postgres'];

/** Where tests create their databases: a role allowed to CREATE DATABASE, trust auth on loopback. */
export const PG_ADMIN_URL = process.env.ATS_AUTH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreHandle {
  /** Extra environment for startServer / runCli. SQLite needs none: each data dir is fresh. */
  env: Record<string, string>;
  /** PostgreSQL only: the database's name and URL. */
  database?: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

export async function storeEnv(kind: StoreKind): Promise<StoreHandle> {
  if (kind === 'sqlite') return { env: {}, drop: async () => {} };
  const database = `ats_auth_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((sql) => sql.unsafe(`CREATE DATABASE ${database}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  return {
    env: { ATS_AUTH_DATABASE_URL: databaseUrl },
    database,
    databaseUrl,
    drop: () => admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).then(() => {}),
  };
}

/** Runs statements on the admin connection, opened for this call only (an idle socket would keep the test process alive). */
export async function admin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {}, fetch_types: false });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Ends every connection to `database` (what a failover or a DBA's pg_terminate_backend does). */
export function terminateBackends(database: string): Promise<number> {
  return admin(async (sql) => {
    const rows = await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid()`;
    return rows.length;
  });
}

/** Makes `database` refuse (false) or accept (true) new connections; refusing also ends current ones. */
export async function setReachable(database: string, reachable: boolean): Promise<void> {
  await admin((sql) => sql.unsafe(`ALTER DATABASE ${database} ALLOW_CONNECTIONS ${reachable}`));
  if (!reachable) await terminateBackends(database);
}
