import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreUnavailable } from '../errors.js';
import { withDeadlines } from './deadline.js';
import type { Store } from './ports.js';

const never = () => new Promise<never>(() => {});

test('a store call that never answers fails with StoreUnavailable at the deadline; long start-up work is not bounded', async () => {
  const fake = {
    kind: 'postgres',
    location: 'x',
    users: { findUser: never, listUsers: async () => [] },
    revocations: { revokeToken: never, snapshot: () => new Promise((r) => setTimeout(() => r(7), 150)) },
    ping: never,
    migrate: async () => [],
    close: async () => {},
  } as unknown as Store;
  const store = withDeadlines(fake, 50);
  const started = Date.now();
  await assert.rejects(store.users.findUser('marco'), StoreUnavailable);
  await assert.rejects(store.revocations.revokeToken({ jti: 'j', user: 'u', expiresAtMs: 0 }), StoreUnavailable);
  await assert.rejects(store.ping(), StoreUnavailable);
  assert.ok(Date.now() - started < 1000, 'each call gave up at its deadline');
  assert.deepEqual(await store.users.listUsers(), [], 'answers within the deadline pass through');
  assert.equal(await store.revocations.snapshot(0, () => {}), 7, 'the snapshot may take longer than the deadline');
  assert.equal(store.kind, 'postgres');
});
