/**
 * Durability (§2: never a 204 for a revocation that is not durable): the server is killed with
 * SIGKILL in the middle of a burst of logouts; after a restart on the same store, every token
 * whose logout was answered 204 is refused.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { forge } from './support/jwt.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const TOKENS = 400;
const CONCURRENCY = 16;
/** SIGKILL once this many logouts have been answered 204. */
const KILL_AFTER = 60;

for (const kind of STORES) {
  describe(`SIGKILL during a burst of logouts [${kind}]`, () => {
    let store: StoreHandle;
    let server: TestServer | undefined;
    const dirs: string[] = [];
    after(async () => {
      await server?.stop();
      for (const dir of dirs) removeDir(dir);
      await store?.drop();
    });

    test('every logout answered 204 before the kill is kept after the restart', async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      dirs.push(server.dataDir);
      const victim = server;
      // Tokens signed with the server's secret are as good as issued ones for logout and verify.
      const tokens = Array.from({ length: TOKENS }, (_, i) => forge(TEST_SECRET, { sub: `user${i % 7}`, jti: `burst-${i}` }));
      const kept: string[] = [];
      let next = 0;
      let killed = false;
      const logoutLoop = async () => {
        while (next < tokens.length) {
          const token = tokens[next++]!;
          try {
            const res = await fetch(`${victim.url}/user/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
            await res.arrayBuffer();
            if (res.status === 204) kept.push(token);
            else assert.ok(res.status === 503, `only 204, or 503 while going down; got ${res.status}`);
          } catch {
            // Connection refused or reset: the server is gone; this logout was never answered.
          }
          if (!killed && kept.length >= KILL_AFTER) {
            killed = true;
            victim.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, logoutLoop));
      await victim.exited();
      assert.ok(killed, 'the server was killed mid-burst');
      assert.ok(kept.length >= KILL_AFTER && kept.length < TOKENS, `${kept.length} logouts answered before the kill`);

      server = await startServer({ env: store.env, dataDir: victim.dataDir });
      const refused = await Promise.all(kept.map(async (token) => (await server!.verify(token)).status));
      assert.deepEqual(
        refused.map((status, i) => (status === 401 ? null : kept[i]!.slice(-12))).filter((x) => x !== null),
        [],
        'every token whose logout answered 204 is refused after the restart',
      );
      const notLoggedOut = tokens.filter((t) => !kept.includes(t)).at(-1)!;
      assert.equal((await server.verify(notLoggedOut)).status, 200, 'a token never logged out still works');
    });
  });
}
