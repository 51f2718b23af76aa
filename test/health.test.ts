/** /healthz and /readyz on the real server: what probes and load balancers see. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';
import { removeDir, startServer, type TestServer } from './support/server.js';

for (const kind of STORES) {
  describe(`health probes (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
    });
    after(async () => {
      await server.stop();
      removeDir(server.dataDir);
      await store.drop();
    });

    test('GET /healthz answers 200 {"status":"ok"} without credentials', async () => {
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), { status: 'ok' });
    });

    test('GET /readyz answers 200 with the store reachable and the feed current', async () => {
      const res = await fetch(`${server.url}/readyz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ready', store: 'ok', feed: 'current' });
    });

    test('HEAD /healthz works for load balancers that probe with HEAD', async () => {
      const res = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
      assert.equal(res.status, 200);
    });
  });
}
