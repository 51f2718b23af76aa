import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hashKey, HeldTable, NONE, type UserHeld } from './held.js';

const owner = (user: string): UserHeld => ({ user, index: 0, count: 0, tokens: NONE, sessions: NONE });

function add(table: HeldTable, key: string, who: UserHeld, expiresAtMs: number, latestIatMs?: number): void {
  const { hi, lo } = hashKey(key, { hi: 0, lo: 0 });
  table.add(hi, lo, who, expiresAtMs, latestIatMs);
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

test('slots are found by key, listed per owner, and reused after removal', () => {
  const table = new HeldTable('tokens');
  const u = owner('u');
  const v = owner('v');
  add(table, 'a', u, 10, 5);
  add(table, 'b', u, 20);
  add(table, 'c', v, 30);
  assert.equal(table.size, 3);
  assert.equal(u.count, 2);
  const a = table.slotOf('a')!;
  assert.equal(table.expiresAtMs(a), 10);
  assert.equal(table.latestIatMs(a), 5);
  assert.equal(table.latestIatMs(table.slotOf('b')!), undefined);
  assert.equal(table.ownerOf(a), u);
  assert.deepEqual([...table.slotsOf(u)].sort(), [a, table.slotOf('b')!].sort());
  table.extend(a, 5);
  assert.equal(table.expiresAtMs(a), 10, 'extend never shortens');
  table.extend(a, 15);
  assert.equal(table.expiresAtMs(a), 15);
  assert.equal(table.remove(a), u);
  assert.equal(table.has('a'), false);
  assert.equal(u.count, 1);
  add(table, 'd', v, 40);
  assert.equal(table.slotOf('d'), a, 'the freed slot is reused');
  assert.equal(table.has('c'), true);
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
      const table = new HeldTable('sessions');
      let owners = new Map<number, UserHeld>();
      const model = new Map<string, { user: number; exp: number }>();
      const ownerOf = (user: number) => {
        let o = owners.get(user);
        if (o === undefined) owners.set(user, (o = owner(`user-${user}`)));
        return o;
      };
      for (const o of ops) {
        if (o.kind === 'add') {
          const key = `k${o.key}`;
          if (table.has(key)) table.extend(table.slotOf(key)!, o.exp);
          else add(table, key, ownerOf(o.user), o.exp);
          const known = model.get(key);
          model.set(key, known ? { user: known.user, exp: Math.max(known.exp, o.exp) } : { user: o.user, exp: o.exp });
        } else if (o.kind === 'remove') {
          const slot = table.slotOf(`k${o.key}`);
          if (slot !== undefined) table.remove(slot);
          model.delete(`k${o.key}`);
        } else if (o.kind === 'removeUser') {
          for (const slot of table.slotsOf(owners.get(o.user))) table.remove(slot);
          for (const [key, v] of model) if (v.user === o.user) model.delete(key);
        } else if (o.kind === 'purge') {
          for (const slot of table.slots()) if (table.expiresAtMs(slot) <= o.before) table.remove(slot);
          for (const [key, v] of model) if (v.exp <= o.before) model.delete(key);
        } else {
          table.clear();
          owners = new Map();
          model.clear();
        }
      }
      assert.equal(table.size, model.size);
      for (let k = 0; k <= 3000; k++) {
        const key = `k${k}`;
        const slot = table.slotOf(key);
        const expected = model.get(key);
        assert.equal(slot !== undefined, expected !== undefined, key);
        if (slot === undefined || expected === undefined) continue;
        assert.equal(table.expiresAtMs(slot), expected.exp, key);
        assert.equal(table.ownerOf(slot).user, `user-${expected.user}`, key);
      }
      for (const [user, o] of owners) {
        const held = [...model.values()].filter((v) => v.user === user).length;
        assert.equal(o.count, held, `count of user-${user}`);
        assert.equal([...table.slotsOf(o)].length, held, `list of user-${user}`);
      }
    }),
    { seed: 20261205, numRuns: 60 },
  );
});
