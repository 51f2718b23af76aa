import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { allocateCheckpoint, CHECKPOINT_FORMAT } from './checkpoint.js';
import type { ByteSource, RevocationEvent } from '../store/index.js';
import { RevocationState } from './state.js';

const T = 1_800_000_000_000;

/** A checkpoint's bytes as the store hands them over (the SQLite store reads them from its file). */
function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    byteLength: bytes.byteLength,
    read(into, position) {
      if (position + into.byteLength > bytes.byteLength) throw new Error('checkpoint too short');
      into.set(bytes.subarray(position, position + into.byteLength));
    },
  };
}
const HOUR = 3_600_000;

/** What a state answers, for the checks below: every kind, per user, and what purge removes. */
function answers(state: RevocationState, users: readonly string[], keys: readonly string[], nowMs: number) {
  return {
    counts: [state.revokedTokenCount, state.endedSessionCount, state.notBeforeCount],
    perUser: users.map((u) => [state.heldCount(u), state.latestHeldIatMs(u), state.notBeforeMs(u)]),
    refused: users.flatMap((sub) =>
      keys.map((k) => [state.isRevoked({ sub, revocationId: k, iatMs: T }), state.isRevoked({ sub, revocationId: 'none', sid: k, iatMs: T + HOUR })]),
    ),
    purged: state.purge(nowMs),
  };
}

function restored(from: RevocationState, nowMs = T): RevocationState {
  const state = new RevocationState();
  state.restore(bytesSource(from.checkpoint()), nowMs);
  return state;
}

test('a restored checkpoint answers as the state it was taken from: tokens, sessions, not-befores, per-user lists', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T + HOUR, latestIatMs: T - 10 });
  state.apply({ seq: 2, kind: 'token', jti: 'legacy', user: 'ü-名前', expiresAtMs: T + 2 * HOUR });
  state.apply({ seq: 3, kind: 'session', sid: 's1', user: 'u', expiresAtMs: T + 3 * HOUR, latestIatMs: T + 5 });
  state.apply({ seq: 4, kind: 'user', user: 'only-not-before', notBeforeMs: T - 1000, expiresAtMs: T + HOUR });
  state.apply({ seq: 5, kind: 'user', user: 'u', notBeforeMs: T - 100, expiresAtMs: T + HOUR });
  const copy = restored(state);
  const users = ['u', 'ü-名前', 'only-not-before', 'nobody'];
  const keys = ['a', 'legacy', 's1', 'b'];
  assert.deepEqual(answers(copy, users, keys, T + HOUR), answers(state, users, keys, T + HOUR));
  // What follows the restore (the log after the cursor) applies as to any state.
  copy.apply({ seq: 6, kind: 'user', user: 'u', notBeforeMs: T + 10, expiresAtMs: T + 4 * HOUR });
  assert.equal(copy.heldCount('u'), 0, 'the not-before covers and drops the session held for u');
  assert.equal(copy.isRevoked({ sub: 'u', revocationId: 'x', sid: 's1', iatMs: T + 5 }), true);
});

test('restore leaves out what expired by then', () => {
  const state = new RevocationState();
  state.apply({ seq: 1, kind: 'token', jti: 'gone', user: 'u', expiresAtMs: T });
  state.apply({ seq: 2, kind: 'token', jti: 'kept', user: 'u', expiresAtMs: T + 1 });
  state.apply({ seq: 3, kind: 'session', sid: 'gone', user: 'v', expiresAtMs: T });
  state.apply({ seq: 4, kind: 'user', user: 'w', notBeforeMs: T - 5, expiresAtMs: T });
  const copy = restored(state, T);
  assert.deepEqual([copy.revokedTokenCount, copy.endedSessionCount, copy.notBeforeCount], [1, 0, 0]);
  assert.deepEqual([copy.heldCount('u'), copy.heldCount('v')], [1, 0]);
  assert.equal(copy.isRevoked({ sub: 'u', revocationId: 'kept', iatMs: 0 }), true);
  assert.equal(copy.isRevoked({ sub: 'u', revocationId: 'gone', iatMs: 0 }), false);
});

test('a damaged checkpoint or one of another format is refused whole: nothing is held from it', () => {
  const state = new RevocationState();
  for (let i = 0; i < 100; i++) state.apply({ seq: i + 1, kind: 'token', jti: `t${i}`, user: `u${i % 7}`, expiresAtMs: T + HOUR });
  const good = state.checkpoint();
  const cases: [string, Uint8Array][] = [
    ['truncated', good.slice(0, good.length - 8)],
    ['too short for a header', good.slice(0, 16)],
    ['another format', withWord(good, 1, CHECKPOINT_FORMAT + 1)],
    ['not a checkpoint', new Uint8Array(good.length)],
    ['a user number out of range', corruptUser(good)],
  ];
  for (const [label, bytes] of cases) {
    const copy = new RevocationState();
    assert.throws(() => copy.restore(bytesSource(bytes), T), Error, label);
    assert.deepEqual([copy.revokedTokenCount, copy.heldCount('u1')], [0, 0], label);
  }
  const unaligned = new Uint8Array(good.length + 1).subarray(1);
  unaligned.set(good);
  const copy = new RevocationState();
  copy.restore(bytesSource(unaligned), T);
  assert.equal(copy.revokedTokenCount, 100, 'a checkpoint not at an aligned offset is read all the same');
});

function withWord(bytes: Uint8Array, word: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(word * 4, value, true);
  return copy;
}

/** The first token's user number set past the users (layout: allocateCheckpoint). */
function corruptUser(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const { columns } = allocateCheckpoint({ users: 7, tokens: 100, sessions: 0 });
  const offset = columns.tokens.user.byteOffset;
  new DataView(copy.buffer).setUint32(offset, 1000, true);
  return copy;
}

test('model: after any events, a restored checkpoint answers as the state (fixed seeds)', () => {
  const users = ['a', 'b', 'c', 'd'];
  const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];
  const event = fc.oneof(
    fc.record({ kind: fc.constant('token' as const), jti: fc.constantFrom(...keys), user: fc.constantFrom(...users), at: fc.integer({ min: -5, max: 5 }), iat: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }) }),
    fc.record({ kind: fc.constant('session' as const), sid: fc.constantFrom(...keys), user: fc.constantFrom(...users), at: fc.integer({ min: -5, max: 5 }), iat: fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined }) }),
    fc.record({ kind: fc.constant('user' as const), user: fc.constantFrom(...users), at: fc.integer({ min: -5, max: 5 }), nb: fc.integer({ min: -5, max: 5 }) }),
  );
  fc.assert(
    fc.property(fc.array(event, { maxLength: 40 }), fc.integer({ min: -6, max: 6 }), (events, purgeAt) => {
      const state = new RevocationState();
      events.forEach((e, seq) => state.apply(toEvent(e, seq + 1)));
      state.purge(T + purgeAt * 1000);
      const copy = restored(state, T + purgeAt * 1000);
      assert.deepEqual(answers(copy, users, keys, T + 6000), answers(state, users, keys, T + 6000));
    }),
    { seed: 15, numRuns: 300 },
  );
});

type ModelEvent =
  | { kind: 'token'; jti: string; user: string; at: number; iat: number | undefined }
  | { kind: 'session'; sid: string; user: string; at: number; iat: number | undefined }
  | { kind: 'user'; user: string; at: number; nb: number };

function toEvent(e: ModelEvent, seq: number): RevocationEvent {
  const expiresAtMs = T + e.at * 1000;
  if (e.kind === 'user') return { seq, kind: 'user', user: e.user, notBeforeMs: T + e.nb * 1000, expiresAtMs };
  const latest = e.iat === undefined ? {} : { latestIatMs: T + e.iat * 1000 };
  return e.kind === 'token' ? { seq, kind: 'token', jti: e.jti, user: e.user, expiresAtMs, ...latest } : { seq, kind: 'session', sid: e.sid, user: e.user, expiresAtMs, ...latest };
}
