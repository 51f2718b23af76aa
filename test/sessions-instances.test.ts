/**
 * Ending a session reaches every instance through the change feed (SPEC §12, §3 bounds), on both
 * stores: two instances share one PostgreSQL database, or one SQLite file. A session ended on A
 * (DELETE, logout_others, refresh token reuse) is refused on B within the bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './support/fresh-http.js';
import { decodePart } from './support/jwt.js';
import { freshDataDir, removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

/** Generous for a shared 2-core machine; the benchmark measures the real figure. */
const PROPAGATION_DEADLINE_MS = 1500;
const PASSWORD = 'correct horse battery';

for (const kind of STORES) {
  describe(`sessions across two instances [${kind}]`, () => {
    let db: StoreHandle;
    let a: TestServer, b: TestServer;
    const dataDir = freshDataDir();

    before(async () => {
      db = await storeEnv(kind);
      // SQLite: both instances open the same file (the data directory is shared).
      const env = { ...db.env, ATS_AUTH_REFRESH_TTL: '3600', ATS_AUTH_REFRESH_REUSE_SECONDS: '0' };
      a = await startServer({ env, dataDir });
      b = await startServer({ env, dataDir });
      await a.addUser('mia', PASSWORD);
    });
    after(async () => {
      await Promise.all([a, b].map((s) => s?.stop()));
      removeDir(dataDir);
      await db?.drop();
    });

    const login = async () => {
      const res = await a.post('/user/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'mia', password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      const pair = (await res.json()) as { token: string; refresh_token: string };
      return { ...pair, sid: decodePart(pair.token, 1).sid as string };
    };
    const refusedOnB = (token: string) =>
      eventually('instance B refuses the token', async () => (await b.verify(token)).status === 401, PROPAGATION_DEADLINE_MS);

    test('a session ended on A (DELETE) is refused on B within the bound; the others still work', async () => {
      const keep = await login();
      const gone = await login();
      assert.equal((await b.verify(gone.token)).status, 200);
      const res = await fetch(`${a.url}/user/sessions/${gone.sid}`, { method: 'DELETE', headers: { authorization: `Bearer ${keep.token}` } });
      assert.equal(res.status, 204);
      await refusedOnB(gone.token);
      assert.equal((await b.verify(keep.token)).status, 200);
      const listedOnB = (await (await fetch(`${b.url}/user/sessions`, { headers: { authorization: `Bearer ${keep.token}` } })).json()) as { id: string }[];
      assert.ok(!listedOnB.some((s) => s.id === gone.sid), 'B does not list it');
    });

    test('logout_others on A reaches B', async () => {
      const other = await login();
      const current = await login();
      assert.equal((await a.post('/user/logout_others', { headers: { authorization: `Bearer ${current.token}` } })).status, 204);
      await refusedOnB(other.token);
      assert.equal((await b.verify(current.token)).status, 200);
    });

    test('refresh token reuse detected on B ends the session on A too', async () => {
      const first = await login();
      const rotated = await a.post('/user/refresh', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: first.refresh_token }) });
      assert.equal(rotated.status, 200);
      const { token } = (await rotated.json()) as { token: string };
      await new Promise((r) => setTimeout(r, 1100));
      const reused = await b.post('/user/refresh', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: first.refresh_token }) });
      assert.equal(reused.status, 401);
      assert.equal(((await reused.json()) as { error: string }).error, 'refresh_token_reused');
      assert.equal((await b.verify(token)).status, 401, 'at once on the instance that detected it');
      await eventually('instance A refuses the session', async () => (await a.verify(token)).status === 401, PROPAGATION_DEADLINE_MS);
    });
  });
}
