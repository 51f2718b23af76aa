/**
 * The ThrottleStore contract, run against every adapter on its real backend: SQLite in a temp
 * dir, and PostgreSQL in a scratch database (ATS_AUTH_TEST_POSTGRES_URL, default the local
 * server .ci/run starts). Until the PostgreSQL adapter is merged, only 0002's table is created.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { createPostgresThrottleStore } from './postgres/postgres-throttle-store.js';
import type { ThrottleStore } from './ports.js';

const PG_URL = process.env.ATS_AUTH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Backend {
  open(): Promise<ThrottleStore>;
  close(): Promise<void>;
}

const backends: Record<string, () => Backend> = {
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-throttle-'));
    const store = openSqliteStore(dir);
    return {
      open: async () => (await store.migrate(), store.throttles),
      close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })),
    };
  },
  postgres: () => {
    const name = `ats_auth_throttle_${process.pid}_${Date.now()}`;
    const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
    let sql: postgres.Sql | undefined;
    return {
      async open() {
        await admin.unsafe(`CREATE DATABASE ${name}`);
        const url = new URL(PG_URL);
        url.pathname = `/${name}`;
        sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
        await sql.unsafe(readFileSync(new URL('./migrations/postgres/0002_throttle.sql', import.meta.url), 'utf8'));
        return createPostgresThrottleStore(sql);
      },
      async close() {
        await sql?.end();
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
        await admin.end();
      },
    };
  },
};

for (const [kind, make] of Object.entries(backends)) {
  describe(`ThrottleStore contract (${kind})`, () => {
    const backend = make();
    let store: ThrottleStore;
    before(async () => {
      store = await backend.open();
    });
    after(() => backend.close());

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
  });
}
