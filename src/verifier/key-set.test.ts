/** The verifier's key set: the stream's key events count, the JWK Set fills in, nothing resurrects a removed key. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { PublicKeyRecord } from '../store/ports.js';
import { VerifierKeys } from './key-set.js';

const T = Date.now();
const key = (kid: string, state: PublicKeyRecord['state'] = 'active'): PublicKeyRecord => ({
  kid,
  alg: 'EdDSA',
  state,
  publicJwk: generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<string, string>,
  createdAtMs: T,
  activatedAtMs: state === 'active' ? T : null,
  expiresAtMs: T + 3_600_000,
});
const event = (record: PublicKeyRecord, seq = 1) => ({ seq, kind: 'key' as const, ...record });

test('a key removed by the stream is not brought back by a JWK Set fetched before the removal', () => {
  const keys = new VerifierKeys();
  const k1 = key('k1');
  keys.applyJwks([k1]);
  assert.ok(keys.ring.get('k1'));
  keys.applyEvent(event({ ...k1, state: 'removed' }));
  assert.equal(keys.ring.get('k1'), undefined);
  keys.applyJwks([k1]);
  assert.equal(keys.ring.get('k1'), undefined, 'still removed');
  keys.purge(T + 3_600_000);
  keys.applyJwks([k1]);
  assert.ok(keys.ring.get('k1'), 'forgotten once no token of it can be valid');
});

test("the stream's word about a key wins over the JWK Set's", () => {
  const keys = new VerifierKeys();
  const k1 = key('k1');
  keys.applyEvent(event(k1));
  keys.applyJwks([{ ...k1, state: 'next', activatedAtMs: null }]);
  assert.equal(keys.ring.get('k1')?.activatedAtMs, T);
});

test('after a whole state, keys it did not describe are dropped; after a resumed one, kept', () => {
  const keys = new VerifierKeys();
  const [k1, k2] = [key('k1'), key('k2')];
  keys.applyEvent(event(k1));
  keys.applyEvent(event(k2));
  keys.beginState(false);
  keys.applyEvent(event(k2, 5));
  keys.endState();
  assert.deepEqual(keys.ring.all().map((k) => k.kid).sort(), ['k1', 'k2'], 'resumed: only news');
  keys.beginState(true);
  keys.applyEvent(event(k2, 5));
  assert.ok(keys.ring.get('k1'), 'kept while the state arrives (no window of refusals)');
  keys.endState();
  assert.deepEqual(keys.ring.all().map((k) => k.kid), ['k2'], 'k1 is no longer in force (its removal purged while away)');
});

test('a key event whose key cannot be used verifies nothing', () => {
  const keys = new VerifierKeys();
  keys.applyEvent(event({ ...key('bad'), publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'short' } }));
  keys.applyEvent(event({ ...key('mismatch'), alg: 'ES256' }));
  assert.equal(keys.ring.size, 0);
});
