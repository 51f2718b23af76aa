import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Throttled } from '../errors.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createThrottle, type ThrottlePolicy } from './throttle.js';

const dir = mkdtempSync(join(tmpdir(), 'ats-auth-throttle-unit-'));
const store = openSqliteStore(dir);
await store.migrate();
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const policy: ThrottlePolicy = { windowMs: 60_000, userAddressLimit: 3, addressLimit: 5, userLimit: 4, userDelayMs: 700 };
const clock = { t: 1_000_000, now() { return this.t; } };
const throttle = createThrottle({ store: store.throttles, policy, clock });

async function retryAfter(username: string, address: string): Promise<number | undefined> {
  try {
    await throttle.admit(username, address);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof Throttled);
    return error.retryAfterSeconds;
  }
}

describe('throttle', () => {
  beforeEach(async () => {
    await store.throttles.clearFailures({});
    clock.t = 1_000_000;
  });

  test('a (username, address) pair is refused at its limit until its oldest counted failure leaves the window', async () => {
    // Each admitted attempt counts as a failure until a success uncounts it.
    for (const step of [0, 10_000, 20_000]) {
      clock.t = 1_000_000 + step;
      assert.equal(await retryAfter('ann', '10.0.0.1'), undefined);
    }
    clock.t = 1_000_000 + 30_000;
    assert.equal(await retryAfter('ann', '10.0.0.1'), 30, 'the first failure leaves the window at +60 s');
    assert.equal(await retryAfter('ann', '10.0.0.2'), undefined, 'another address is not affected');
    assert.equal(await retryAfter('bob', '10.0.0.1'), undefined, 'another user from that address is not affected');
    clock.t = 1_000_000 + 60_000;
    assert.equal(await retryAfter('ann', '10.0.0.1'), undefined, 'sliding: one more attempt once the oldest expired');
  });

  test('an address is refused after its limit whatever the usernames', async () => {
    for (const user of ['a', 'b', 'c', 'd', 'e']) await throttle.admit(user, '10.0.0.9');
    assert.equal(await retryAfter('zed', '10.0.0.9'), 60);
    assert.equal(await retryAfter('zed', '10.0.0.8'), undefined);
  });

  test('failures of one username from many addresses only slow it, never refuse it', async () => {
    for (let i = 0; i < 50; i++) await throttle.admit('ann', `10.1.0.${i}`);
    assert.equal(await throttle.admit('ann', '10.2.0.1'), 700, 'a bounded delay');
    assert.equal(await throttle.admit('bob', '10.2.0.1'), 0);
  });

  test('a successful login forgets only that pair', async () => {
    await throttle.admit('ann', '10.0.0.1');
    await throttle.admit('ann', '10.0.0.1');
    await throttle.admit('ann', '10.0.0.2');
    await throttle.succeeded('ann', '10.0.0.1');
    assert.deepEqual(
      (await throttle.list()).map((e) => [e.username, e.address, e.failures]),
      [['ann', '10.0.0.2', 1]],
    );
  });

  test('list marks throttled and slowed entries; clear lifts them', async () => {
    for (let i = 0; i < 3; i++) await throttle.admit('ann', '10.0.0.1');
    await throttle.admit('ann', '10.0.0.2');
    const entries = await throttle.list();
    assert.deepEqual(
      entries.map((e) => [e.address, e.throttled, e.slowed]).sort(),
      [['10.0.0.1', true, true], ['10.0.0.2', false, true]],
    );
    assert.equal(await throttle.clear({ address: '10.0.0.1' }), 3);
    assert.equal(await retryAfter('ann', '10.0.0.1'), undefined);
  });

  test('a limit of 0 is off', async () => {
    const off = createThrottle({ store: store.throttles, policy: { ...policy, userAddressLimit: 0, addressLimit: 0, userLimit: 0 }, clock });
    for (let i = 0; i < 10; i++) await off.admit('ann', '10.0.0.1');
    assert.equal(await off.admit('ann', '10.0.0.1'), 0);
  });
});
