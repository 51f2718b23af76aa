/** The store: ports and the factory that picks an adapter from the configuration (§7). */
import type { Config } from '../config/index.js';
import { withDeadlines } from './deadline.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './ports.js';

export type * from './ports.js';

export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'storeTimeoutMs'>): Promise<Store> {
  // PostgreSQL calls are bounded by a timer; SQLite calls are synchronous, and its only wait is
  // for another process's write lock, bounded by its busy timeout.
  // The PostgreSQL adapter and its driver are imported only when configured (start-up time).
  if (config.databaseUrl !== undefined) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return withDeadlines(openPostgresStore(config.databaseUrl), config.storeTimeoutMs);
  }
  return openSqliteStore(config.dataDir, config.storeTimeoutMs);
}
