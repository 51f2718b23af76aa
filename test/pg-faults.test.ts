/**
 * Store faults with the real server and real PostgreSQL (§3, §7): connections ended by the
 * database, the database unreachable for one instance while others carry on, and the database
 * refusing everyone. Writes answer 503 (never 204), verify answers from memory until the feed
 * is stale, then 503; on recovery the instance catches up without a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './support/fresh-http.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { setReachable, storeEnv, terminateBackends, type StoreHandle } from './support/stores.js';
import { TcpProxy } from './support/tcp-proxy.js';

const PASSWORD = 'correct horse battery staple';
const STALE_MS = 2000;
/** The default ATS_AUTH_STORE_TIMEOUT_MS. */
const STORE_TIMEOUT_MS = 2000;

describe('PostgreSQL faults', () => {
  let db: StoreHandle;
  let proxy: TcpProxy;
  /** a reaches the database through the proxy; b directly. */
  let a: TestServer, b: TestServer;

  before(async () => {
    db = await storeEnv('postgres');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
    const viaProxy = new URL(db.databaseUrl!);
    viaProxy.port = String(proxy.port);
    const feedEnv = { ATS_AUTH_FEED_STALE_MS: String(STALE_MS) };
    [a, b] = await Promise.all([
      startServer({ env: { ...db.env, ...feedEnv, ATS_AUTH_DATABASE_URL: viaProxy.toString() } }),
      startServer({ env: { ...db.env, ...feedEnv } }),
    ]);
    await b.addUser('marco', PASSWORD);
  });
  after(async () => {
    await Promise.all([a, b].map((s) => s?.stop()));
    for (const s of [a, b]) if (s) removeDir(s.dataDir);
    await proxy?.close();
    await db?.drop();
  });

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const loginBody = { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'marco', password: PASSWORD }) };

  async function assertUnavailable(res: Response): Promise<void> {
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { error: string; message: string };
    assert.equal(body.error, 'store_unavailable');
    assert.equal(typeof body.message, 'string');
  }

  function assertStillRunning(server: TestServer): void {
    assert.equal(server.child.exitCode, null, 'the service must not exit');
    assert.ok(!server.logs.some((l) => /unhandled|uncaught/i.test(l)), 'no unhandled rejection or exception');
  }

  test('connections ended by the database (pg_terminate_backend) are replaced transparently', async () => {
    const token = await a.login('marco', PASSWORD);
    assert.ok((await terminateBackends(db.database!)) > 0, 'the service had connections to end');
    await new Promise((r) => setTimeout(r, 100));
    // The next writes use new connections.
    assert.equal((await a.post('/user/login', loginBody)).status, 200);
    const other = await a.login('marco', PASSWORD);
    assert.equal((await b.post('/user/logout', bearer(token))).status, 204);
    // a follows b again: its listening connection was ended too, and is back.
    await eventually('a refuses the token b revoked', async () => (await a.verify(token)).status === 401, 1500);
    assert.equal((await a.post('/user/logout', bearer(other))).status, 204);
    await eventually('b refuses the token a revoked', async () => (await b.verify(other)).status === 401, 1500);
    assertStillRunning(a);
    assertStillRunning(b);
  });

  test('cut off from the database: 503 for writes, verify from memory until stale, then catch up', async () => {
    const kept = await a.login('marco', PASSWORD);
    const revokedElsewhere = await a.login('marco', PASSWORD);
    await proxy.down();
    try {
      const downAt = Date.now();

      await assertUnavailable(await a.post('/user/login', loginBody));
      await assertUnavailable(await a.post('/user/logout', bearer(kept)));
      await assertUnavailable(await a.post('/user/logout_all', bearer(kept)));
      const ready = await fetch(`${a.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { store: string }).store, 'unreachable');
      // Within the staleness bound, verify answers from memory: nothing was revoked.
      assert.equal((await a.verify(kept)).status, 200);
      assert.ok(Date.now() - downAt < STALE_MS, 'checked within the bound');

      // Meanwhile another instance revokes a token; a cannot know yet.
      assert.equal((await b.post('/user/logout', bearer(revokedElsewhere))).status, 204);

      // Past the bound, verify fails closed rather than trust stale state.
      await eventually('verify answers 503 once the feed is stale', async () => (await a.verify(revokedElsewhere)).status === 503, STALE_MS + 2000, 100);
      // Stale counts from the start of the last successful read, up to a poll interval (or a busy
      // machine's timer delay) before the cut; what matters is that it did not fail closed at once.
      assert.ok(Date.now() - downAt >= STALE_MS / 2, 'verify answered from memory for a while first');
      const stale = await a.verify(kept);
      assert.equal(stale.status, 503);
      assert.equal(((await stale.json()) as { error: string }).error, 'feed_stale');
      assertStillRunning(a);
    } finally {
      await proxy.up();
    }
    await eventually('a is ready again', async () => (await fetch(`${a.url}/readyz`)).status === 200, 5000, 50);
    assert.equal((await a.verify(revokedElsewhere)).status, 401, 'caught up with the revocation made meanwhile');
    assert.equal((await a.verify(kept)).status, 200);
    const fresh = await a.login('marco', PASSWORD);
    assert.equal((await a.post('/user/logout', bearer(fresh))).status, 204);
    assertStillRunning(a);
  });

  test('a black-holed path (nothing forwarded, nothing reset): writes 503 within the store deadline, verify until stale', async () => {
    const kept = await a.login('marco', PASSWORD);
    proxy.hold();
    try {
      const heldAt = Date.now();
      assert.equal((await a.verify(kept)).status, 200, 'verify answers from memory within the staleness bound');
      const timed = async (send: () => Promise<Response>) => {
        const started = Date.now();
        const res = await send();
        return { res, ms: Date.now() - started };
      };
      const answers = await Promise.all([
        timed(() => a.post('/user/login', loginBody)),
        timed(() => a.post('/user/logout', bearer(kept))),
        timed(() => a.post('/user/logout_all', bearer(kept))),
        timed(() => fetch(`${a.url}/readyz`)),
      ]);
      for (const { res, ms } of answers.slice(0, 3)) {
        await assertUnavailable(res);
        // The deadline (2 s by default), not TCP keepalive (minutes); margin for a busy machine.
        assert.ok(ms >= STORE_TIMEOUT_MS - 100 && ms < STORE_TIMEOUT_MS + 2000, `answered after ${ms} ms`);
      }
      assert.equal(answers[3]!.res.status, 503, 'not ready');
      await eventually('verify fails closed once the feed is stale', async () => (await a.verify(kept)).status === 503, STALE_MS + 3000, 100);
      assert.ok(Date.now() - heldAt >= STALE_MS / 2, 'verify answered from memory for a while first');
      assertStillRunning(a);
    } finally {
      proxy.release();
    }
    await eventually('a is ready again', async () => (await fetch(`${a.url}/readyz`)).status === 200, 8000, 50);
    // The held writes may still have landed after their 503 (only ever stricter); new ones work.
    const fresh = await a.login('marco', PASSWORD);
    assert.equal((await a.verify(fresh)).status, 200);
    assert.equal((await a.post('/user/logout', bearer(fresh))).status, 204);
    assert.equal((await a.verify(fresh)).status, 401);
    assertStillRunning(a);
  });

  test('the database refusing all connections: 503, then recovery without a restart', async () => {
    const token = await a.login('marco', PASSWORD);
    await setReachable(db.database!, false);
    try {
      await assertUnavailable(await b.post('/user/login', loginBody));
      await assertUnavailable(await b.post('/user/logout', bearer(token)));
      await assertUnavailable(await b.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } }));
      assert.equal((await fetch(`${b.url}/readyz`)).status, 503);
      assert.equal((await b.verify(token)).status, 200, 'not revoked: the logout was refused');
    } finally {
      await setReachable(db.database!, true);
    }
    await eventually('b is ready again', async () => (await fetch(`${b.url}/readyz`)).status === 200, 5000, 50);
    assert.equal((await b.post('/user/logout', bearer(token))).status, 204);
    await eventually('a follows b again', async () => (await a.verify(token)).status === 401, 1500);
    assertStillRunning(a);
    assertStillRunning(b);
  });
});
