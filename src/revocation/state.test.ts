import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RevocationState } from './state.js';

const T = 1_800_000_000_000;

test('a revoked jti is refused until purged after its expiry', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T + 1000 });
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'a', iatMs: T - 5000 }), true);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'b', iatMs: T - 5000 }), false);
  assert.equal(state.purge(T + 999), 0);
  assert.equal(state.purge(T + 1000), 1);
  assert.equal(state.revokedTokenCount, 0);
});

test('a not-before refuses tokens issued at or before it, of that user only', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'user', user: 'u', notBeforeMs: T, expiresAtMs: T + 10_000 });
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'x', iatMs: T - 1 }), true);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'x', iatMs: T }), true);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'x', iatMs: T + 1000 }), false);
  assert.equal(state.isRevoked({ sub: 'v', revocationId: 'x', iatMs: T - 1 }), false);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'sha256:x', iatMs: T - 1 }), true, 'tokens without jti too');
});

test('the latest not-before wins whatever order events arrive in', () => {
  const state = new RevocationState();
  state.apply({ seq: 2, kind: 'user', user: 'u', notBeforeMs: T + 5000, expiresAtMs: T + 20_000 });
  state.apply({ seq: 1, kind: 'user', user: 'u', notBeforeMs: T, expiresAtMs: T + 10_000 });
  assert.equal(state.notBeforeMs('u'), T + 5000);
  assert.equal(state.purge(T + 15_000), 0, 'kept until the later expiry');
  assert.equal(state.notBeforeCount, 1);
});

test('clear forgets everything before a snapshot is loaded', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'token', jti: 'old', user: 'u', expiresAtMs: T });
  state.clear();
  state.apply({ seq: 2, kind: 'token', jti: 'new', user: 'u', expiresAtMs: T });
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'old', iatMs: 0 }), false);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'new', iatMs: 0 }), true);
});

test('applying the same event twice is harmless', () => {
  const state = new RevocationState();
  const event = { seq: 1, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T } as const;
  state.apply(event);
  state.apply(event);
  assert.equal(state.revokedTokenCount, 1);
});

test('an ended session refuses every token carrying its sid until purged', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'session', sid: 's1', user: 'u', expiresAtMs: T + 1000 });
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'a', sid: 's1', iatMs: T }), true);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'b', sid: 's2', iatMs: T }), false);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'c', iatMs: T }), false, 'a token without sid is not touched');
  assert.equal(state.isSessionEnded('s1'), true);
  assert.equal(state.purge(T + 1000), 1);
  assert.equal(state.endedSessionCount, 0);
});

test('replaceWith takes over every kind the other state holds: tokens, users, sessions and keys', () => {
  const fresh = new RevocationState();
  fresh.apply({ seq: 1, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T });
  fresh.apply({ seq: 2, kind: 'user', user: 'v', notBeforeMs: T, expiresAtMs: T + 1000 });
  fresh.apply({ seq: 3, kind: 'session', sid: 's1', user: 'u', expiresAtMs: T });
  const key = { kid: 'k1', alg: 'EdDSA', state: 'active', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' }, createdAtMs: T - 1000, activatedAtMs: T - 1000, expiresAtMs: T + 1000 } as const;
  fresh.apply({ seq: 4, kind: 'key', ...key });
  const state = new RevocationState();
  state.apply({ seq: 9, kind: 'token', jti: 'old', user: 'u', expiresAtMs: T });
  state.replaceWith(fresh);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'old', iatMs: 0 }), false, 'its own forgotten');
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'a', iatMs: 0 }), true);
  assert.equal(state.notBeforeMs('v'), T);
  assert.equal(state.isSessionEnded('s1'), true, 'ended sessions kept');
  assert.deepEqual(state.keys.get('k1'), key, 'signing keys kept');
});
