/**
 * The stores every black-box suite runs against. A test asks storeEnv(kind) for the environment
 * that points a server (or several sharing state) at a fresh, empty store, and drops it after.
 */
export type StoreKind = 'sqlite' | 'postgres';

export const STORES: readonly StoreKind[] = ['sqlite'];

export interface StoreHandle {
  /** Extra environment for startServer / runCli. SQLite needs none: each data dir is fresh. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export async function storeEnv(kind: StoreKind): Promise<StoreHandle> {
  if (kind === 'sqlite') return { env: {}, drop: async () => {} };
  throw new Error(`store ${kind} is not available in tests yet`);
}
