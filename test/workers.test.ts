/**
 * `serve --workers N` (§3, §8): workers share one port and one store, and a revocation answered
 * by one worker is refused by the others within a bounded time, on every store. The primary
 * replaces a worker that dies and drains all of them on SIGTERM.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, freshRequest, freshVerify } from './support/fresh-http.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery staple';

for (const kind of STORES) {
  describe(`serve --workers 2 on ${kind}`, () => {
    let db: StoreHandle;
    let server: TestServer;

    before(async () => {
      db = await storeEnv(kind);
      server = await startServer({ env: db.env, args: ['--workers', '2'] });
      await server.addUser('marco', PASSWORD);
    });
    after(async () => {
      await server?.stop();
      if (server) removeDir(server.dataDir);
      await db?.drop();
    });

    const login = async () => {
      const res = await freshRequest(`${server.url}/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'marco', password: PASSWORD }),
      });
      assert.equal(res.status, 200, res.body);
      return (JSON.parse(res.body) as { token: string }).token;
    };
    const workersThatLoggedIn = () =>
      new Set(server.logs.filter((l) => l.includes('"login.ok"')).map((l) => (JSON.parse(l) as { worker: number }).worker));

    test('fresh connections reach both workers', async () => {
      for (let i = 0; i < 6; i++) await login();
      assert.deepEqual([...workersThatLoggedIn()].sort(), [1, 2]);
    });

    test('a logout answered by one worker is refused by every worker shortly after', async () => {
      const token = await login();
      const statuses = await Promise.all(Array.from({ length: 8 }, () => freshVerify(server.url, token)));
      assert.deepEqual(statuses, Array(8).fill(200));

      const res = await freshRequest(`${server.url}/user/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 204);
      await eventually(
        'ten verifies in a row over fresh connections all answer 401',
        async () => (await Promise.all(Array.from({ length: 10 }, () => freshVerify(server.url, token)))).every((s) => s === 401),
        1500,
      );
    });

    test('one scrape shows the whole group: verify counts summed over workers, never going backwards', async () => {
      const token = await login();
      const okVerifies = async () => {
        const res = await freshRequest(`${server.url}/metrics`);
        assert.equal(res.status, 200);
        const line = res.body.split('\n').find((l) => l.startsWith('ats_auth_verifies_total{outcome="ok"}'));
        assert.ok(line, 'the verify counter is exported');
        return Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      const base = await okVerifies();
      let previous = base;
      const N = 12;
      for (let i = 1; i <= N; i++) {
        assert.equal(await freshVerify(server.url, token), 200);
        // Fresh connections alternate between the workers; each scrape must still count them all.
        const now = await okVerifies();
        assert.ok(now >= base + i, `scrape after ${i} verifies shows ${now - base}`);
        assert.ok(now >= previous, `monotonic: ${previous} then ${now}`);
        previous = now;
      }
    });

    test('a worker that dies is replaced and the service keeps answering', async () => {
      const pids = () =>
        server.logs.filter((l) => l.includes('"worker listening"')).map((l) => (JSON.parse(l) as { pid: number }).pid);
      const [victim] = pids();
      process.kill(victim!, 'SIGKILL');
      await eventually('a replacement worker listens', async () => pids().length >= 3, 10_000, 50);
      assert.ok(server.logs.some((l) => l.includes('worker exited; starting a replacement')), 'the primary logs the replacement');
      const token = await login();
      for (let i = 0; i < 4; i++) assert.equal(await freshVerify(server.url, token), 200);
    });

    test('SIGTERM drains every worker and the primary exits 0', async () => {
      assert.equal(await server.stop(), 0);
      const drained = server.logs.filter((l) => l.includes('"worker"') && l.includes('"msg":"shutting down: no new connections'));
      assert.equal(drained.length, 2, 'each worker drains');
    });
  });
}
