/** /user/verify, /user/logout and /user/logout_all — SPEC §2 and §3. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { forge, seedStyleToken } from './support/jwt.js';
import { startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery';

async function assertRefused(res: Response): Promise<void> {
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  assert.equal(res.headers.get('x-auth-userid'), null);
}

for (const kind of STORES) {
  describe(`verify, logout and logout_all [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      for (const name of ['alice', 'bob', 'carol', 'dave']) await server.addUser(name, PASSWORD);
    });
    after(async () => {
      await server.stop();
      await store.drop();
    });

    test('verify: a fresh token → 200, empty body, X-Auth-UserId; for any method', async () => {
      const token = await server.login('alice', PASSWORD);
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const res = await server.verify(token, { method });
        assert.equal(res.status, 200, method);
        assert.equal(res.headers.get('x-auth-userid'), 'alice', method);
        assert.equal(await res.text(), '', method);
      }
    });

    test('verify ignores whatever body a gateway forwards', async () => {
      const token = await server.login('alice', PASSWORD);
      const res = await server.verify(token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
      assert.equal(res.status, 200);
    });

    test('verify without a token, or with a non-Bearer scheme → 401 + WWW-Authenticate', async () => {
      await assertRefused(await server.verify(undefined));
      await assertRefused(await fetch(`${server.url}/user/verify`, { headers: { authorization: 'Basic YWxpY2U6eA==' } }));
      await assertRefused(await fetch(`${server.url}/user/verify`, { headers: { authorization: 'Bearer' } }));
      await assertRefused(await server.verify('not-a-jwt'));
    });

    test('logout → 204 (empty); the token is refused from then on; logout again → 204', async () => {
      const token = await server.login('alice', PASSWORD);
      const other = await server.login('alice', PASSWORD);
      assert.equal((await server.verify(token)).status, 200);
      const res = await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
      await assertRefused(await server.verify(token));
      const again = await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(again.status, 204);
      assert.equal((await server.verify(other)).status, 200, 'another token of the same user still works');
    });

    test('logout without a token → 401 + WWW-Authenticate', async () => {
      const res = await server.post('/user/logout');
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
    });

    const now = () => Math.floor(Date.now() / 1000);
    const foreign: [string, () => string][] = [
      ['expired', () => forge(TEST_SECRET, { sub: 'alice', iat: now() - 7200, exp: now() - 3600 })],
      ['wrong issuer', () => forge(TEST_SECRET, { sub: 'alice', iss: 'someone.else' })],
      ['signed with another secret', () => forge('another-secret-of-sufficient-length-0123456789', { sub: 'alice' })],
      ['alg none', () => {
        const [, payload] = forge(TEST_SECRET, { sub: 'alice' }).split('.');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      }],
      ['tampered payload', () => {
        const [header, , signature] = forge(TEST_SECRET, { sub: 'alice' }).split('.');
        const payload = Buffer.from(JSON.stringify({ iss: 'ats.auth', sub: 'admin', iat: now(), exp: now() + 60, jti: 'x' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      }],
    ];
    for (const [name, make] of foreign) {
      test(`a token ${name} → 401 on verify, logout and logout_all`, async () => {
        const token = make();
        await assertRefused(await server.verify(token));
        await assertRefused(await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } }));
        await assertRefused(await server.post('/user/logout_all', { headers: { authorization: `Bearer ${token}` } }));
      });
    }

    test('a forged-but-valid token proves the secret is what signs: it verifies', async () => {
      // Guards the table above: the same forge() with the right secret and claims is accepted.
      const res = await server.verify(forge(TEST_SECRET, { sub: 'alice' }));
      assert.equal(res.status, 200);
    });

    test("a token from the seed's service (float dates, no jti) verifies; logout revokes exactly it; logout_all too", async () => {
      const seedToken = seedStyleToken(TEST_SECRET, 'dave');
      const sibling = seedStyleToken(TEST_SECRET, 'dave');
      assert.equal((await server.verify(seedToken)).status, 200);
      const res = await server.post('/user/logout', { headers: { authorization: `Bearer ${seedToken}` } });
      assert.equal(res.status, 204);
      await assertRefused(await server.verify(seedToken));
      assert.equal((await server.verify(sibling)).status, 200, 'another token of the same user is untouched');
      await new Promise((r) => setTimeout(r, 5));
      assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'dave' } })).status, 204);
      await assertRefused(await server.verify(sibling));
    });

    test('logout_all (gateway header) revokes every earlier token of that user only; later tokens work', async () => {
      const bob1 = await server.login('bob', PASSWORD);
      const bob2 = await server.login('bob', PASSWORD);
      const carol = await server.login('carol', PASSWORD);
      const res = await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'bob' } });
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
      await assertRefused(await server.verify(bob1));
      await assertRefused(await server.verify(bob2));
      assert.equal((await server.verify(carol)).status, 200, "other users' tokens are untouched");
      const bob3 = await server.login('bob', PASSWORD);
      const later = await server.verify(bob3);
      assert.equal(later.status, 200, 'a token issued after logout_all works');
      assert.equal(later.headers.get('x-auth-userid'), 'bob');
    });

    test("logout_all with only a Bearer token revokes that token's user", async () => {
      const c1 = await server.login('carol', PASSWORD);
      const c2 = await server.login('carol', PASSWORD);
      const res = await server.post('/user/logout_all', { headers: { authorization: `Bearer ${c1}` } });
      assert.equal(res.status, 204);
      await assertRefused(await server.verify(c1));
      await assertRefused(await server.verify(c2));
    });

    test('logout_all with neither header nor token → 401', async () => {
      const res = await server.post('/user/logout_all');
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.deepEqual(Object.keys((await res.json()) as object), ['error', 'message']);
    });
  });
}
