/**
 * The JWK Set as the verifier reads it: only usable public keys whose type fits their alg, and
 * fetches rate-limited however many unknown kids come in.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { JwksClient, parseJwks } from './jwks.js';

const jwkOf = (pair: { publicKey: { export(o: { format: 'jwk' }): object } }) => pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
const ed = jwkOf(generateKeyPairSync('ed25519'));
const ec = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const ecOther = jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }));

test('parseJwks keeps usable public keys of their own algorithm only', () => {
  const privateEd = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const keys = parseJwks(
    {
      keys: [
        { ...ed, kid: 'ed', alg: 'EdDSA', use: 'sig' },
        { ...ec, kid: 'ec', alg: 'ES256' },
        { ...privateEd, kid: 'with-d', alg: 'EdDSA', use: 'sig' },
        { ...ed, kid: 'ed-as-es', alg: 'ES256', use: 'sig' },
        { ...ecOther, kid: 'p384', alg: 'ES256', use: 'sig' },
        { ...ed, kid: 'enc', alg: 'EdDSA', use: 'enc' },
        { ...ed, alg: 'EdDSA', use: 'sig' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac', alg: 'HS256', use: 'sig' },
        { ...ed, kid: 'none', alg: 'none' },
        { kty: 'OKP', crv: 'Ed25519', x: 'not-a-key', kid: 'broken', alg: 'EdDSA' },
        null,
        'text',
      ],
    },
    1000,
  );
  assert.deepEqual(keys.map((k) => k.kid), ['ed', 'ec', 'with-d']);
  assert.equal((keys[2]!.publicJwk as Record<string, string>).d, undefined, 'only the public members are kept');
  assert.deepEqual(Object.keys(keys[0]!.publicJwk).sort(), ['crv', 'kty', 'x']);
  assert.throws(() => parseJwks({ nope: [] }, 0), /no keys array/);
});

test('fetches are rate-limited: one in flight, one per interval, a later ask scheduled once', async () => {
  let fetches = 0;
  const fakeFetch = (async () => {
    fetches++;
    return new Response(JSON.stringify({ keys: [{ ...ed, kid: 'ed', alg: 'EdDSA' }] }), { status: 200 });
  }) as typeof fetch;
  const seen: string[][] = [];
  const client = new JwksClient({ url: 'http://service/.well-known/jwks.json', fetch: fakeFetch, now: Date.now, minIntervalMs: 200, onKeys: (k) => seen.push(k.map((x) => x.kid)), onError: (e) => assert.fail(e) });
  try {
    const first = await Promise.all(Array.from({ length: 50 }, () => client.refresh()));
    assert.ok(first.every(Boolean), 'asks during the fetch share it');
    assert.equal(fetches, 1);
    for (let i = 0; i < 50; i++) assert.equal(await client.refresh(), false, 'too soon: not fetched now');
    assert.equal(fetches, 1);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(fetches, 2, 'one fetch at the end of the interval for all the asks');
    assert.deepEqual(seen, [['ed'], ['ed']]);
  } finally {
    client.close();
  }
});

test('a redirect, an error status or a non-JSON body is an error, never keys', async () => {
  for (const res of [new Response('x', { status: 500 }), new Response('<html>', { status: 200 })]) {
    const errors: string[] = [];
    const client = new JwksClient({ url: 'http://service/jwks', fetch: (async () => res) as typeof fetch, now: Date.now, minIntervalMs: 0, onKeys: () => assert.fail('keys'), onError: (e) => errors.push(e.message) });
    assert.equal(await client.refresh(), false);
    assert.equal(errors.length, 1);
  }
  let init: RequestInit | undefined;
  const client = new JwksClient({ url: 'http://service/jwks', fetch: (async (_u: string, i: RequestInit) => ((init = i), new Response('{"keys":[]}'))) as unknown as typeof fetch, now: Date.now, minIntervalMs: 0, onKeys: () => {}, onError: () => {} });
  await client.refresh();
  assert.equal(init?.redirect, 'error', 'redirects are not followed');
});
