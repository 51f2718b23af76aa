/**
 * RFC 8725 checks, black-box: a table of attack tokens, each refused with 401 by verify,
 * logout and logout_all. A well-formed forged token with the real secret gets 200, so the
 * table fails if the service starts accepting any of its entries for an unrelated reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from './support/jwt.js';
import { attackerRsa, claims, hmac, nonCanonical, rawToken } from './support/attack-tokens.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const OTHER_SECRET = 'another-secret-that-is-long-enough-0123456789';
const now = () => Math.floor(Date.now() / 1000);
const good = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  sign(claims(overrides), TEST_SECRET, header);
const hs256 = { alg: 'HS256', typ: 'JWT' };
const without = (name: string) => Object.fromEntries(Object.entries(claims()).filter(([key]) => key !== name));

function attackTable(): [string, string][] {
  const rsa = attackerRsa();
  const stolen = good();
  const [h, , s] = stolen.split('.');
  const otherPayload = Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url');
  return [
    ['alg none, no signature', rawToken({ alg: 'none', typ: 'JWT' }, claims(), () => '')],
    ['alg none with a signature', rawToken({ alg: 'none', typ: 'JWT' }, claims(), hmac('sha256', TEST_SECRET))],
    ['alg "None"', rawToken({ alg: 'None', typ: 'JWT' }, claims(), () => '')],
    ['alg HS512 with the real secret', rawToken({ alg: 'HS512', typ: 'JWT' }, claims(), hmac('sha512', TEST_SECRET))],
    ['alg RS256 header, HMAC signature with the real secret (key confusion)', rawToken({ alg: 'RS256', typ: 'JWT' }, claims(), hmac('sha256', TEST_SECRET))],
    ['RS256 signed by the attacker', rsa.sign(claims())],
    ['RS256 with the attacker public key as jwk', rsa.sign(claims(), { jwk: rsa.jwk })],
    ['HS256 with an attacker oct jwk', rawToken({ ...hs256, jwk: { kty: 'oct', k: Buffer.from(OTHER_SECRET).toString('base64url') } }, claims(), hmac('sha256', OTHER_SECRET))],
    ['jku pointing at the attacker', rawToken({ ...hs256, jku: 'http://127.0.0.1:1/jwks.json' }, claims(), hmac('sha256', OTHER_SECRET))],
    ['x5u pointing at the attacker', rawToken({ ...hs256, x5u: 'http://127.0.0.1:1/cert.pem' }, claims(), hmac('sha256', OTHER_SECRET))],
    ['kid naming a file', rawToken({ ...hs256, kid: '../../../../dev/null' }, claims(), hmac('sha256', ''))],
    ['kid with SQL', rawToken({ ...hs256, kid: "x' UNION SELECT 'k" }, claims(), hmac('sha256', 'k'))],
    ['typ missing', rawToken({ alg: 'HS256' }, claims(), hmac('sha256', TEST_SECRET))],
    ['typ at+jwt', good({}, { typ: 'at+jwt' })],
    ['wrong iss', good({ iss: 'evil.auth' })],
    ['iss missing', sign(without('iss'), TEST_SECRET)],
    ['expired beyond the leeway', good({ iat: now() - 7200, exp: now() - 31 })],
    ['nbf in the future beyond the leeway', good({ nbf: now() + 120 })],
    ['iat in the future beyond the leeway', good({ iat: now() + 120, exp: now() + 3600 })],
    ['lifetime longer than the TTL', good({ exp: now() + 10 * 86400 })],
    ['oversize token (> 8 KiB)', good({ pad: 'x'.repeat(9000) })],
    ['unknown crit header', good({}, { crit: ['ats-ext'], 'ats-ext': true })],
    ['sub missing', sign(without('sub'), TEST_SECRET)],
    ['sub empty', good({ sub: '' })],
    ['sub not a string', rawToken(hs256, claims({ sub: 42 }), hmac('sha256', TEST_SECRET))],
    ['exp missing', sign(without('exp'), TEST_SECRET)],
    ['iat missing', sign(without('iat'), TEST_SECRET)],
    ['exp not a number', rawToken(hs256, claims({ exp: 'tomorrow' }), hmac('sha256', TEST_SECRET))],
    ['iat negative', rawToken(hs256, claims({ iat: -1 }), hmac('sha256', TEST_SECRET))],
    ['tampered payload', `${h}.${otherPayload}.${s}`],
    ['signed with another secret', sign(claims(), OTHER_SECRET)],
    ['signature of another token', `${good().split('.').slice(0, 2).join('.')}.${s}`],
    ['signature spelled differently (non-canonical base64url)', nonCanonical(stolen)],
    ['signature stripped', `${h}.${stolen.split('.')[1]}.`],
    ['two segments', stolen.split('.').slice(0, 2).join('.')],
  ];
}

for (const kind of STORES) {
  describe(`RFC 8725 attack tokens (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    test('control: a well-formed token signed with the real secret is accepted', async () => {
      assert.equal((await server.verify(good())).status, 200);
    });

    for (const [name, token] of attackTable()) {
      test(`${name} → 401 on verify, logout and logout_all`, async () => {
        for (const path of ['/user/verify', '/user/logout', '/user/logout_all']) {
          const res = await server.post(path, { headers: { authorization: `Bearer ${token}` } });
          assert.equal(res.status, 401, `${path}`);
          assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/, path);
        }
      });
    }

    test('an Authorization header beyond its bound → 401 everywhere; beyond the HTTP header limit → 431', async () => {
      for (const [size, status] of [[9_000, 401], [14_000, 401], [40_000, 431]] as const) {
        const header = `Bearer ${good()}.${'A'.repeat(size)}`;
        for (const path of ['/user/verify', '/user/logout', '/user/logout_all']) {
          assert.equal((await server.post(path, { headers: { authorization: header } })).status, status, `${path} ${size}`);
        }
      }
    });
  });

  describe(`audience (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: { ...store.env, ATS_AUTH_AUDIENCE: 'orders-api' } });
      await server.addUser('marco', 'right-password');
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    test('issued tokens carry the configured aud and verify', async () => {
      const token = await server.login('marco', 'right-password');
      assert.equal(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).aud, 'orders-api');
      assert.equal((await server.verify(token)).status, 200);
    });

    for (const [name, aud] of [['no aud', undefined], ['another aud', 'billing-api'], ['aud list without ours', ['a', 'b']]] as const) {
      test(`${name} → 401 on verify, logout and logout_all`, async () => {
        const token = good(aud === undefined ? {} : { aud });
        for (const path of ['/user/verify', '/user/logout', '/user/logout_all']) {
          assert.equal((await server.post(path, { headers: { authorization: `Bearer ${token}` } })).status, 401, path);
        }
      });
    }
  });
}
