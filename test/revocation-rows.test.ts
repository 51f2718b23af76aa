/**
 * Regressions (#16, Medium) about revocation rows:
 * - a revocation's lifetime came from the writer's settings: a CLI with a shorter TTL wrote a
 *   logout_all row that was purged while the server still accepted the tokens it covered;
 * - logout_all accepted an already revoked Bearer token, and each call added a row.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../src/store/index.js';
import type { RevocationEvent } from '../src/store/index.js';
import { runCli, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'rows-passw0rd';
const HOUR = 3_600_000;

for (const kind of STORES) {
  describe(`revocation rows [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;
    const openOurStore = () => openStore({ dataDir: server.dataDir, databaseUrl: store.databaseUrl, storeTimeoutMs: 5000 });

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      for (const name of ['ann', 'ben', 'cid']) await server.addUser(name, PASSWORD);
    });
    after(async () => {
      await server.stop();
      await store.drop();
    });

    test('a logout_all written by a CLI with a shorter TTL outlives every token it covers', async () => {
      const token = await server.login('ann', PASSWORD); // lives 24 h (the server's TTL)
      const res = await runCli(['revoke', '--user', 'ann'], { env: { ...server.env, ATS_AUTH_TOKEN_TTL: '60' } });
      assert.equal(res.code, 0, res.stderr);
      // Two hours later the purger runs (any instance's): the row must still be there.
      const db = await openOurStore();
      try {
        await db.revocations.purgeExpired(Date.now() + 2 * HOUR);
      } finally {
        await db.close();
      }
      // A restarted server loads what the store holds.
      await server.stop();
      server = await startServer({ env: store.env, dataDir: server.dataDir });
      assert.equal((await server.verify(token)).status, 401, 'the token is still refused');
    });

    test('logout_all with a revoked Bearer token → 401, and it revokes nothing more', async () => {
      const stolen = await server.login('ben', PASSWORD);
      assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${stolen}` } })).status, 204);
      const fresh = await server.login('ben', PASSWORD);
      const res = await server.post('/user/logout_all', { headers: { authorization: `Bearer ${stolen}` } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.equal((await res.json() as { error: string }).error, 'invalid_token');
      assert.equal((await server.verify(fresh)).status, 200, "the owner's other sessions live on");
    });

    test('repeated logout_all keeps one not-before per user in the store', async () => {
      for (let i = 0; i < 3; i++) {
        const token = await server.login('cid', PASSWORD);
        assert.equal((await server.post('/user/logout_all', { headers: { authorization: `Bearer ${token}` } })).status, 204);
        assert.equal((await server.verify(token)).status, 401);
      }
      assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'cid' } })).status, 204);
      const db = await openOurStore();
      const rows: RevocationEvent[] = [];
      try {
        await db.revocations.snapshot(Date.now(), (event) => rows.push(event));
      } finally {
        await db.close();
      }
      assert.equal(rows.filter((e) => e.kind === 'user' && e.user === 'cid').length, 1);
    });
  });
}
