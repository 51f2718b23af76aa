/** The store: ports and the factory that picks an adapter from the configuration (§7). */
import type { Config } from '../config/index.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './ports.js';

export type * from './ports.js';

export async function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Store> {
  if (config.databaseUrl !== undefined) return openPostgresStore(config.databaseUrl);
  return openSqliteStore(config.dataDir);
}
