/**
 * The ThrottleStore contract, run against every adapter on its real backend: SQLite in a temp
 * dir, and a fresh PostgreSQL database from test/support/stores.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORES, storeEnv, type StoreKind } from '../../test/support/stores.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store, ThrottleStore } from './ports.js';

/** A migrated store of that kind, and how to close and remove it. */
async function backend(kind: StoreKind): Promise<{ store: Store; close(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-throttle-'));
    const store = openSqliteStore(dir);
    await store.migrate();
    return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
  }
  const handle = await storeEnv('postgres');
  const store = openPostgresStore(handle.databaseUrl!);
  await store.migrate();
  return { store, close: async () => (await store.close(), await handle.drop()) };
}

for (const kind of STORES) {
  describe(`ThrottleStore contract (${kind})`, () => {
    let opened: Awaited<ReturnType<typeof backend>>;
    let store: ThrottleStore;
    before(async () => {
      opened = await backend(kind);
      store = opened.store.throttles;
    });
    after(() => opened.close());

    test('counts failures per pair, per address and per username, newest first, up to a limit', async () => {
      await store.clearFailures({});
      await store.recordFailure({ username: 'ann', address: '10.0.0.1', atMs: 1000 });
      await store.recordFailure({ username: 'ann', address: '10.0.0.1', atMs: 3000 });
      await store.recordFailure({ username: 'ann', address: '10.0.0.2', atMs: 2000 });
      await store.recordFailure({ username: 'bob', address: '10.0.0.1', atMs: 4000 });
      assert.deepEqual(await store.recentFailures({ username: 'ann', address: '10.0.0.1' }, 0, 10), [3000, 1000]);
      assert.deepEqual(await store.recentFailures({ username: 'ann' }, 0, 10), [3000, 2000, 1000]);
      assert.deepEqual(await store.recentFailures({ address: '10.0.0.1' }, 0, 10), [4000, 3000, 1000]);
      assert.deepEqual(await store.recentFailures({ address: '10.0.0.1' }, 0, 2), [4000, 3000]);
      assert.deepEqual(await store.recentFailures({ username: 'ann' }, 2000, 10), [3000, 2000], 'sinceMs is inclusive');
      assert.deepEqual(await store.recentFailures({}, 0, 10), [4000, 3000, 2000, 1000]);
    });

    test('lists groups by pair, most recent first', async () => {
      assert.deepEqual(await store.listFailures(1500), [
        { username: 'bob', address: '10.0.0.1', count: 1, lastMs: 4000 },
        { username: 'ann', address: '10.0.0.1', count: 1, lastMs: 3000 },
        { username: 'ann', address: '10.0.0.2', count: 1, lastMs: 2000 },
      ]);
    });

    test('clears by pair, username, address or everything, and purges old rows', async () => {
      assert.equal(await store.clearFailures({ username: 'ann', address: '10.0.0.1' }), 2);
      assert.deepEqual(await store.recentFailures({ username: 'ann' }, 0, 10), [2000]);
      assert.equal(await store.purgeFailures(2500), 1);
      assert.deepEqual(await store.recentFailures({}, 0, 10), [4000]);
      await store.recordFailure({ username: 'cy', address: '10.0.0.9', atMs: 5000 });
      assert.equal(await store.clearFailures({ address: '10.0.0.1' }), 1);
      assert.equal(await store.clearFailures({ username: 'cy' }), 1);
      await store.recordFailure({ username: 'dee', address: '', atMs: 6000 });
      assert.equal(await store.clearFailures({}), 1);
      assert.deepEqual(await store.listFailures(0), []);
    });

    test('forgets exactly the failure whose id recordFailure returned', async () => {
      const first = await store.recordFailure({ username: 'eve', address: '10.0.0.5', atMs: 7000 });
      const second = await store.recordFailure({ username: 'eve', address: '10.0.0.5', atMs: 7000 });
      assert.notEqual(first, second, 'each failure has its own id');
      await store.forgetFailure(second);
      assert.deepEqual(await store.recentFailures({ username: 'eve' }, 0, 10), [7000]);
      await store.forgetFailure(first);
      assert.deepEqual(await store.recentFailures({ username: 'eve' }, 0, 10), []);
    });
  });
}
