/** POST /user/login — SPEC §2 and the token of §2 "The token". */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodePart } from './support/jwt.js';
import { startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

for (const kind of STORES) {
  describe(`POST /user/login [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      await server.addUser('marco', 's3cret-passw0rd');
      await server.addUser('off', 'disabled-passw0rd');
      assert.equal((await server.cli(['user', 'disable', 'off'])).code, 0);
    });
    after(async () => {
      await server.stop();
      await store.drop();
    });

    const postJson = (body: unknown) =>
      server.post('/user/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    test('valid credentials → 200, exactly {"token"}, JSON content type, no-store', async () => {
      const res = await postJson({ username: 'marco', password: 's3cret-passw0rd' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['token']);
      assert.match(body.token as string, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    test('the token has the specified header and claims', async () => {
      const before = Math.floor(Date.now() / 1000);
      const token = await server.login('marco', 's3cret-passw0rd');
      const afterS = Math.ceil(Date.now() / 1000);
      assert.deepEqual(decodePart(token, 0), { alg: 'HS256', typ: 'JWT' });
      const claims = decodePart(token, 1);
      assert.deepEqual(Object.keys(claims).sort(), ['exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
      assert.match(claims.sid as string, /^[A-Za-z0-9_-]{22,}$/, 'sid (SPEC §12) is ≥128 bits of base64url');
      assert.equal(claims.iss, 'ats.auth');
      assert.equal(claims.sub, 'marco');
      assert.ok(Number.isInteger(claims.iat) && Number.isInteger(claims.exp));
      assert.ok((claims.iat as number) >= before && (claims.iat as number) <= afterS);
      assert.equal((claims.exp as number) - (claims.iat as number), 86400);
      assert.match(claims.jti as string, /^[A-Za-z0-9_-]{22,}$/, 'jti is ≥128 bits of base64url');
      const other = decodePart(await server.login('marco', 's3cret-passw0rd'), 1);
      assert.notEqual(other.jti, claims.jti);
    });

    test('a form-encoded body is accepted too', async () => {
      const res = await server.post('/user/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=marco&password=s3cret-passw0rd',
      });
      assert.equal(res.status, 200);
      assert.ok(((await res.json()) as { token: string }).token);
    });

    for (const [name, body] of [
      ['wrong password', { username: 'marco', password: 'nope' }],
      ['unknown user', { username: 'nobody', password: 's3cret-passw0rd' }],
      ['disabled user', { username: 'off', password: 'disabled-passw0rd' }],
    ] as const) {
      test(`${name} → 401 with the same error body`, async () => {
        const res = await postJson(body);
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), {
          error: 'invalid_credentials',
          message: 'The username or password is not valid.',
        });
      });
    }

    const badBodies: [string, string, string | undefined][] = [
      ['malformed JSON', '{"username": "marco", ', 'application/json'],
      ['a JSON array', '["marco"]', 'application/json'],
      ['missing password', '{"username":"marco"}', 'application/json'],
      ['missing username', '{"password":"x"}', 'application/json'],
      ['non-string username', '{"username":42,"password":"x"}', 'application/json'],
      ['non-string password', '{"username":"marco","password":["x"]}', 'application/json'],
      ['null fields', '{"username":null,"password":null}', 'application/json'],
      ['empty body', '', 'application/json'],
      ['empty username', '{"username":"","password":"x"}', 'application/json'],
    ];
    for (const [name, body, type] of badBodies) {
      test(`${name} → 400 with the error shape`, async () => {
        const res = await server.post('/user/login', { headers: type ? { 'content-type': type } : {}, body });
        assert.equal(res.status, 400);
        const json = (await res.json()) as { error: string; message: string };
        assert.equal(json.error, 'invalid_request');
        assert.equal(typeof json.message, 'string');
      });
    }

    test('a body that is not JSON → 415', async () => {
      const res = await server.post('/user/login', { headers: { 'content-type': 'text/plain' }, body: 'marco:pw' });
      assert.equal(res.status, 415);
      assert.equal(((await res.json()) as { error: string }).error, 'unsupported_media_type');
    });

    test('an oversize body → 413, and the server keeps serving', async () => {
      const res = await postJson({ username: 'marco', password: 'x'.repeat(20_000) });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: string }).error, 'payload_too_large');
      assert.ok(await server.login('marco', 's3cret-passw0rd'));
    });

    test('GET /user/login → 404 JSON, unknown paths too', async () => {
      for (const path of ['/user/login', '/nope']) {
        const res = await fetch(`${server.url}${path}`);
        assert.equal(res.status, 404);
        assert.equal(((await res.json()) as { error: string }).error, 'not_found');
      }
    });
  });
}
