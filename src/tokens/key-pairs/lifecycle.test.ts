import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyNotFound, KeysUnreadable } from '../../errors.js';
import type { StoredKey } from '../../store/index.js';
import { autoRotatePlan, NeedNewKey, NEVER, NextKeyNotReady, revokePlan, rotatePlan, startPlan, type KeyPolicy } from './lifecycle.js';
import { createSealer } from './seal.js';

const DAY = 86_400_000;
const policy: KeyPolicy = { alg: 'EdDSA', maxTokenLifetimeMs: DAY, jwksMaxAgeMs: 300_000, rotationMs: 30 * DAY };
const key = (kid: string, state: StoredKey['state'], over: Partial<StoredKey> = {}): StoredKey => ({
  kid,
  alg: 'EdDSA',
  state,
  publicJwk: { kty: 'OKP', crv: 'Ed25519', x: kid },
  createdAtMs: 0,
  activatedAtMs: state === 'active' ? 0 : null,
  expiresAtMs: NEVER,
  sealedPrivateKey: 'sealed',
  ...over,
});
const states = (keys: StoredKey[]) => keys.map((k) => [k.kid, k.state]);

test('start: a key of the configured algorithm that signs is kept; else next signs; else a new key', () => {
  assert.deepEqual(startPlan(policy, 10)([key('a', 'active')], undefined), []);
  assert.deepEqual(states(startPlan(policy, 10)([key('n', 'next')], undefined)), [['n', 'active']]);
  assert.throws(() => startPlan(policy, 10)([], undefined), NeedNewKey);
  const made = startPlan(policy, 10)([key('es', 'active', { alg: 'ES256' })], key('f', 'active', { activatedAtMs: null }));
  assert.deepEqual(states(made), [['f', 'active'], ['es', 'retired']]);
  assert.equal(made[0]!.activatedAtMs, 10);
  assert.deepEqual(startPlan({ ...policy, alg: 'HS256' }, 10)([], undefined), []);
});

test('rotate: publishes next; promotes it only after one JWKS max-age (or --now); retired drops the private key', () => {
  assert.throws(() => rotatePlan(policy, 10, { now: false })([key('a', 'active')], undefined), NeedNewKey);
  const keys = [key('a', 'active'), key('n', 'next', { createdAtMs: 1000 })];
  assert.throws(() => rotatePlan(policy, 1000 + 299_999, { now: false })(keys, undefined), NextKeyNotReady);
  const rotated = rotatePlan(policy, 1000 + 300_000, { now: false })(keys, undefined);
  assert.deepEqual(states(rotated), [['n', 'active'], ['a', 'retired']]);
  assert.equal(rotated[1]!.sealedPrivateKey, null);
  assert.equal(rotated[1]!.expiresAtMs, 1000 + 300_000 + DAY);
  assert.deepEqual(states(rotatePlan(policy, 1001, { now: true })(keys, undefined)), [['n', 'active'], ['a', 'retired']]);
});

test('revoke: removed at once, kept as a row for a token lifetime; the signing key is replaced', () => {
  assert.throws(() => revokePlan('x', policy, 10)([key('a', 'active')], undefined), KeyNotFound);
  assert.throws(() => revokePlan('r', policy, 10)([key('r', 'removed')], undefined), KeyNotFound);
  const [removed] = revokePlan('r', policy, 10)([key('a', 'active'), key('r', 'retired')], undefined);
  assert.deepEqual([removed!.state, removed!.sealedPrivateKey, removed!.expiresAtMs], ['removed', null, 10 + DAY]);
  assert.deepEqual(states(revokePlan('a', policy, 10)([key('a', 'active'), key('n', 'next')], undefined)), [
    ['a', 'removed'],
    ['n', 'active'],
  ]);
  assert.throws(() => revokePlan('a', policy, 10)([key('a', 'active')], undefined), NeedNewKey);
});

test('automatic rotation: next one JWKS max-age before the period ends, signing once both have passed', () => {
  const active = key('a', 'active', { activatedAtMs: 0 });
  const due = 30 * DAY;
  assert.deepEqual(autoRotatePlan(policy, due - 300_001)([active], undefined), []);
  assert.throws(() => autoRotatePlan(policy, due - 300_000)([active], undefined), NeedNewKey);
  const next = key('n', 'next', { createdAtMs: due - 300_000 });
  assert.deepEqual(autoRotatePlan(policy, due - 1)([active, next], undefined), []);
  assert.deepEqual(states(autoRotatePlan(policy, due)([active, next], undefined)), [['n', 'active'], ['a', 'retired']]);
  const late = key('n', 'next', { createdAtMs: due });
  assert.deepEqual(autoRotatePlan(policy, due + 299_999)([active, late], undefined), [], 'published one max-age before signing');
  assert.deepEqual(autoRotatePlan({ ...policy, rotationMs: 0 }, 10 * due)([active], undefined), []);
});

test('sealed private keys open only with a configured secret and under their own kid', () => {
  const one = Buffer.from('a'.repeat(40));
  const two = Buffer.from('b'.repeat(40));
  const sealed = createSealer([one]).seal('kid-1', 'PEM TEXT');
  assert.doesNotMatch(sealed, /PEM TEXT/);
  assert.equal(createSealer([two, one]).open('kid-1', sealed), 'PEM TEXT', 'an older secret still listed opens it');
  assert.throws(() => createSealer([two]).open('kid-1', sealed), KeysUnreadable);
  assert.throws(() => createSealer([one]).open('kid-2', sealed), KeysUnreadable);
  assert.throws(() => createSealer([one]).open('kid-1', 'garbage'), KeysUnreadable);
});
