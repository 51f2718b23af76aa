import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hashKey, HeldTable, NONE, UserTable } from './held.js';

function userSlot(users: UserTable, name: string): number {
  const { hi, lo } = hashKey(name, { hi: 0, lo: 0 });
  return users.slotFor(hi, lo);
}

function add(table: HeldTable, key: string, user: number, expiresAtMs: number, latestIatMs?: number): void {
  const { hi, lo } = hashKey(key, { hi: 0, lo: 0 });
  table.add(hi, lo, user, expiresAtMs, latestIatMs);
}

test('hashKey: 64 bits that differ for keys that differ by one character, the same for equal keys', () => {
  const a = hashKey('revoked-00000001-bench', { hi: 0, lo: 0 });
  const b = hashKey('revoked-00000002-bench', { hi: 0, lo: 0 });
  assert.deepEqual(hashKey('revoked-00000001-bench', { hi: 0, lo: 0 }), a);
  assert.notEqual(a.lo, b.lo);
  assert.notEqual(a.hi, b.hi);
  const seen = new Set<string>();
  for (let i = 0; i < 200_000; i++) {
    const { hi, lo } = hashKey(`jti-${i}`, { hi: 0, lo: 0 });
    seen.add(`${hi}:${lo}`);
  }
  assert.equal(seen.size, 200_000, 'no collision among 200,000 keys');
});

test('slots are found by key, listed per user, and reused after removal', () => {
  const users = new UserTable();
  const table = new HeldTable('tokens', users);
  const u = userSlot(users, 'u');
  const v = userSlot(users, 'v');
  add(table, 'a', u, 10, 5);
  add(table, 'b', u, 20);
  add(table, 'c', v, 30);
  assert.equal(table.size, 3);
  assert.equal(users.count[u], 2);
  const a = table.slotOfKey('a');
  assert.equal(table.expiresAtMs(a), 10);
  assert.equal(table.latestIatMs(a), 5);
  assert.equal(table.latestIatMs(table.slotOfKey('b')), undefined);
  assert.equal(table.userOf(a), u);
  assert.deepEqual([...table.slotsOf(u)].sort(), [a, table.slotOfKey('b')].sort());
  table.extend(a, 5);
  assert.equal(table.expiresAtMs(a), 10, 'extend never shortens');
  table.extend(a, 15);
  assert.equal(table.expiresAtMs(a), 15);
  assert.equal(table.remove(a), u);
  assert.equal(table.has('a'), false);
  assert.equal(users.count[u], 1);
  add(table, 'd', v, 40);
  assert.equal(table.slotOfKey('d'), a, 'the freed slot is reused');
  assert.equal(table.has('c'), true);
});

test('a user slot keeps the later not-before and is released once it has neither a not-before nor a revocation', () => {
  const users = new UserTable();
  const table = new HeldTable('sessions', users);
  const u = userSlot(users, 'u');
  users.raiseNotBefore(u, 100, 1000);
  users.raiseNotBefore(u, 50, 2000);
  assert.deepEqual([users.notBeforeMs[u], users.notBeforeExpiresAtMs[u], users.notBeforeCount], [100, 2000, 1]);
  add(table, 's', u, 10);
  users.dropNotBefore(u);
  assert.equal(users.slotOfKey('u'), u, 'kept: it still holds a revocation');
  assert.equal(users.notBeforeCount, 0);
  users.releaseIfEmpty(table.remove(table.slotOfKey('s')));
  assert.equal(users.slotOfKey('u'), NONE);
  assert.equal(users.size, 0);
});

test('against a Map model: any sequence of adds, removals, purges and clears', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 3000 }), user: fc.integer({ min: 0, max: 20 }), exp: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ kind: fc.constant('remove' as const), key: fc.integer({ min: 0, max: 3000 }) }),
    fc.record({ kind: fc.constant('removeUser' as const), user: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ kind: fc.constant('purge' as const), before: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ kind: fc.constant('clear' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 4000 }), (ops) => {
      const users = new UserTable();
      const table = new HeldTable('sessions', users);
      const model = new Map<string, { user: number; exp: number }>();
      const forget = (slot: number) => users.releaseIfEmpty(table.remove(slot));
      for (const o of ops) {
        if (o.kind === 'add') {
          const key = `k${o.key}`;
          if (table.has(key)) table.extend(table.slotOfKey(key), o.exp);
          else add(table, key, userSlot(users, `user-${o.user}`), o.exp);
          const known = model.get(key);
          model.set(key, known ? { user: known.user, exp: Math.max(known.exp, o.exp) } : { user: o.user, exp: o.exp });
        } else if (o.kind === 'remove') {
          const slot = table.slotOfKey(`k${o.key}`);
          if (slot !== NONE) forget(slot);
          model.delete(`k${o.key}`);
        } else if (o.kind === 'removeUser') {
          for (const slot of table.slotsOf(users.slotOfKey(`user-${o.user}`))) forget(slot);
          for (const [key, v] of model) if (v.user === o.user) model.delete(key);
        } else if (o.kind === 'purge') {
          for (const slot of table.slots()) if (table.expiresAtMs(slot) <= o.before) forget(slot);
          for (const [key, v] of model) if (v.exp <= o.before) model.delete(key);
        } else {
          table.clear();
          users.clear();
          model.clear();
        }
      }
      assert.equal(table.size, model.size);
      for (let k = 0; k <= 3000; k++) {
        const key = `k${k}`;
        const slot = table.slotOfKey(key);
        const expected = model.get(key);
        assert.equal(slot !== NONE, expected !== undefined, key);
        if (slot === NONE || expected === undefined) continue;
        assert.equal(table.expiresAtMs(slot), expected.exp, key);
        assert.equal(table.userOf(slot), users.slotOfKey(`user-${expected.user}`), key);
      }
      for (let user = 0; user <= 20; user++) {
        const held = [...model.values()].filter((v) => v.user === user).length;
        const slot = users.slotOfKey(`user-${user}`);
        assert.equal(slot === NONE ? 0 : users.count[slot], held, `count of user-${user}`);
        assert.equal([...table.slotsOf(slot)].length, held, `list of user-${user}`);
        assert.equal(slot !== NONE, held > 0, `user-${user} has a slot exactly while holding something`);
      }
    }),
    { seed: 20261205, numRuns: 60 },
  );
});
