/**
 * /user/verify as each gateway calls it (docs/gateways.md): Traefik ForwardAuth (GET plus
 * X-Forwarded-*), Envoy ext_authz HTTP (original method, path_prefix + original path, optional
 * body), nginx auth_request / HAProxy (original method, no body).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

for (const kind of STORES) {
  describe(`verify as gateways call it (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    let token: string;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      await server.addUser('marco', 'correct horse battery');
      token = await server.login('marco', 'correct horse battery');
    });
    after(async () => {
      await server?.stop();
      if (server) removeDir(server.dataDir);
      await store?.drop();
    });

    const at = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);

    test('Traefik ForwardAuth: GET with X-Forwarded-Method/-Uri/-Host/-Proto/-For', async () => {
      const headers = {
        authorization: `Bearer ${token}`,
        'x-forwarded-method': 'DELETE',
        'x-forwarded-uri': '/orders/42?force=1',
        'x-forwarded-host': 'shop.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-for': '203.0.113.7',
      };
      const res = await at('/user/verify', { headers });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-auth-userid'), 'marco');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const refused = await at('/user/verify', { headers: { ...headers, authorization: 'Bearer nope' } });
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    });

    test('Envoy ext_authz: path_prefix + original path and query, original method', async () => {
      for (const method of ['GET', 'POST', 'DELETE', 'HEAD']) {
        for (const path of ['/user/verify/', '/user/verify/orders/42', '/user/verify/a/b/c?x=1&y=%2F']) {
          const res = await at(path, { method, headers: { authorization: `Bearer ${token}` } });
          assert.equal(res.status, 200, `${method} ${path}`);
          assert.equal(res.headers.get('x-auth-userid'), 'marco');
          const refused = await at(path, { method });
          assert.equal(refused.status, 401, `${method} ${path} without token`);
          assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
        }
      }
      // Only the verify endpoint: a neighbour is not an alias of it.
      assert.equal((await at('/user/verifyx', { headers: { authorization: `Bearer ${token}` } })).status, 404);
    });

    test('Envoy with_request_body / Traefik forwardBody: a forwarded body (any type, even broken) is ignored', async () => {
      for (const [type, body] of [
        ['application/json', '{"order": 42}'],
        ['application/json', '{broken'],
        ['multipart/form-data; boundary=x', '--x\r\n\r\nabc\r\n--x--'],
        ['application/octet-stream', 'x'.repeat(8 * 1024)],
      ] as const) {
        const res = await at('/user/verify/upload', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': type },
          body,
        });
        assert.equal(res.status, 200, type);
        assert.equal(res.headers.get('x-auth-userid'), 'marco');
      }
    });
  });
}
