import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RevocationState } from './state.js';

const T = 1_800_000_000_000;
const HOUR = 3_600_000;

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

test('a not-before drops the revoked jtis and ended sessions of its user it covers, and still refuses their tokens', () => {
  const state = new RevocationState();
  const tokens = Array.from({ length: 50 }, (_, i) => ({ sub: 'u', revocationId: `t${i}`, sid: `s${i}`, iatMs: T + i * 1000 }));
  tokens.forEach((t, i) => {
    if (i % 2 === 0) state.apply({ seq: i + 1, kind: 'token', jti: t.revocationId, user: 'u', expiresAtMs: T + HOUR, latestIatMs: t.iatMs });
    else state.apply({ seq: i + 1, kind: 'session', sid: t.sid, user: 'u', expiresAtMs: T + HOUR, latestIatMs: t.iatMs });
  });
  state.apply({ seq: 99, kind: 'token', jti: 'other', user: 'v', expiresAtMs: T + HOUR, latestIatMs: T });
  assert.equal(state.heldCount('u'), 50);
  assert.equal(state.latestHeldIatMs('u'), T + 49_000);

  state.apply({ seq: 100, kind: 'user', user: 'u', notBeforeMs: T + 49_000, expiresAtMs: T + 2 * HOUR });
  assert.equal(state.heldCount('u'), 0, 'every entry of u is covered and dropped');
  assert.equal(state.revokedTokenCount + state.endedSessionCount, 1, "only v's entry is left");
  assert.equal(state.heldCount('v'), 1, 'another user is not touched');
  for (const t of tokens) assert.equal(state.isRevoked(t), true, `${t.revocationId} still refused`);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'fresh', sid: 'fresh', iatMs: T + 50_000 }), false, 'a token issued after it is accepted');

  // The feed may hand the folded events again (a snapshot overlapping it): they stay folded.
  state.apply({ seq: 1, kind: 'token', jti: 't0', user: 'u', expiresAtMs: T + HOUR, latestIatMs: T });
  assert.equal(state.heldCount('u'), 0);
});

test('a not-before keeps what it does not cover: a later iat, or an entry that does not record one', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'token', jti: 'later', user: 'u', expiresAtMs: T + HOUR, latestIatMs: T + 5000 });
  state.apply({ seq: 2, kind: 'session', sid: 'unknown-iat', user: 'u', expiresAtMs: T + HOUR });
  state.apply({ seq: 3, kind: 'user', user: 'u', notBeforeMs: T, expiresAtMs: T + 2 * HOUR });
  assert.equal(state.heldCount('u'), 2);
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'later', iatMs: T + 5000 }), true, 'issued after the not-before: its own entry refuses it');
  assert.equal(state.isRevoked({ sub: 'u', revocationId: 'x', sid: 'unknown-iat', iatMs: T + 9000 }), true);
});

test('the per-user count follows purge, clear and replaceWith', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T + 1000, latestIatMs: T });
  state.apply({ seq: 2, kind: 'session', sid: 's', user: 'u', expiresAtMs: T + 2000, latestIatMs: T });
  state.apply({ seq: 3, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T + 1000, latestIatMs: T });
  assert.equal(state.heldCount('u'), 2, 'the same event twice counts once');
  state.purge(T + 1000);
  assert.equal(state.heldCount('u'), 1);
  const fresh = new RevocationState();
  fresh.apply({ seq: 4, kind: 'token', jti: 'b', user: 'w', expiresAtMs: T + 1000, latestIatMs: T });
  state.replaceWith(fresh);
  assert.equal(state.heldCount('u'), 0);
  assert.equal(state.heldCount('w'), 1);
  state.purge(T + 1000);
  assert.equal(state.heldCount('w'), 0);
  state.apply({ seq: 5, kind: 'token', jti: 'c', user: 'w', expiresAtMs: T + 1000, latestIatMs: T });
  state.clear();
  assert.equal(state.heldCount('w'), 0);
});

test('a snapshot loaded kind by kind (not-befores first) holds what its events applied in seq order hold', () => {
  const byEvents = new RevocationState();
  const bySink = new RevocationState();
  const events = [
    { seq: 1, kind: 'token', jti: 'covered', user: 'u', expiresAtMs: T + HOUR, latestIatMs: T - 10 },
    { seq: 2, kind: 'token', jti: 'legacy', user: 'u', expiresAtMs: T + HOUR },
    { seq: 3, kind: 'session', sid: 's-later', user: 'u', expiresAtMs: T + HOUR, latestIatMs: T + 10 },
    { seq: 4, kind: 'user', user: 'u', notBeforeMs: T, expiresAtMs: T + HOUR },
    { seq: 5, kind: 'session', sid: 's-covered', user: 'u', expiresAtMs: T + HOUR, latestIatMs: T },
    { seq: 6, kind: 'token', jti: 'other', user: 'v', expiresAtMs: T + 2 * HOUR, latestIatMs: T },
  ] as const;
  for (const event of events) byEvents.apply(event);
  for (const e of events) if (e.kind === 'user') bySink.user(e.seq, e.user, e.notBeforeMs, e.expiresAtMs);
  for (const e of events) if (e.kind === 'token') bySink.token(e.seq, e.jti, e.user, e.expiresAtMs, 'latestIatMs' in e ? e.latestIatMs : undefined);
  for (const e of events) if (e.kind === 'session') bySink.session(e.seq, e.sid, e.user, e.expiresAtMs, e.latestIatMs);
  for (const state of [byEvents, bySink]) {
    assert.deepEqual([state.revokedTokenCount, state.endedSessionCount, state.notBeforeCount], [2, 1, 1]);
    assert.deepEqual([state.heldCount('u'), state.heldCount('v')], [2, 1]);
    assert.equal(state.latestHeldIatMs('u'), T + 10);
    assert.equal(state.isRevoked({ sub: 'u', revocationId: 'legacy', iatMs: T + 1000 }), true);
    assert.equal(state.isSessionEnded('s-later'), true);
    assert.equal(state.isSessionEnded('s-covered'), false, 'covered by the not-before: not held');
    assert.equal(state.purge(T + HOUR), 3);
    assert.deepEqual([state.heldCount('u'), state.heldCount('v')], [0, 1]);
  }
});
