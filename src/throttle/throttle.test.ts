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

const policy: ThrottlePolicy = { windowMs: 60_000, userAddressLimit: 3, addressLimit: 5, userLimit: 4, userDelayMs: 700, userCap: 0, ipv6Prefix: 64 };
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

  test('failures of one username from many addresses only slow it while the cap is off', async () => {
    for (let i = 0; i < 50; i++) await throttle.admit('ann', `10.1.0.${i}`);
    assert.equal((await throttle.admit('ann', '10.2.0.1')).delayMs, 700, 'a bounded delay');
    assert.equal((await throttle.admit('bob', '10.2.0.1')).delayMs, 0);
  });

  test('failures of one username from many addresses are refused at the per-user cap', async () => {
    const capped = createThrottle({ store: store.throttles, policy: { ...policy, userCap: 6 }, clock });
    for (let i = 0; i < 6; i++) {
      clock.t = 1_000_000 + i * 1000;
      assert.equal((await capped.admit('ann', `10.1.0.${i}`)).delayMs, i < 4 ? 0 : 700, 'slowed past userLimit');
    }
    clock.t = 1_000_000 + 10_000;
    await assert.rejects(capped.admit('ann', '10.3.0.1'), (e) => e instanceof Throttled && e.retryAfterSeconds === 50);
    await assert.rejects(capped.admit('ANN', '10.3.0.2'), Throttled, 'case-folded like the other counts');
    assert.equal((await capped.admit('bob', '10.3.0.1')).delayMs, 0, 'another user is not affected');
    assert.ok((await capped.list()).filter((e) => e.username === 'ann').every((e) => e.throttled), 'list shows the cap');
    clock.t = 1_000_000 + 60_000;
    assert.equal((await capped.admit('ann', '10.3.0.1')).delayMs, 700, 'sliding: allowed once the oldest left the window');
  });

  test('IPv6 addresses count per network of the configured prefix; IPv4-mapped ones as IPv4', async () => {
    for (const address of ['2001:db8:0:1::1', '2001:db8:0:1:ffff::2', '2001:db8:0:1:1:2:3:4']) await throttle.admit('ann', address);
    await assert.rejects(throttle.admit('ann', '2001:db8:0:1::99'), Throttled);
    assert.equal((await throttle.admit('ann', '2001:db8:0:2::1')).delayMs, 0, 'the next /64');
    for (let i = 0; i < 3; i++) await throttle.admit('bob', '::ffff:10.4.0.1');
    await assert.rejects(throttle.admit('bob', '10.4.0.1'), Throttled, 'the mapped form is the same client');
    assert.deepEqual(
      [...new Set((await throttle.list()).map((e) => e.address))].sort(),
      ['10.4.0.1', '2001:db8:0:1::/64', '2001:db8:0:2::/64'],
    );
    const wide = createThrottle({ store: store.throttles, policy: { ...policy, ipv6Prefix: 48 }, clock });
    for (const address of ['2001:db8:5:1::1', '2001:db8:5:2::1', '2001:db8:5:3::1']) await wide.admit('cy', address);
    await assert.rejects(wide.admit('cy', '2001:db8:5:ffff::1'), Throttled, 'a /48 groups these');
    const exact = createThrottle({ store: store.throttles, policy: { ...policy, ipv6Prefix: 128 }, clock });
    for (let i = 0; i < 3; i++) await exact.admit('dee', '2001:db8:9::1');
    await assert.rejects(exact.admit('dee', '2001:db8:9::1'), Throttled);
    await exact.admit('dee', '2001:db8:9::2'); // a /128 counts single addresses: this one is let through
  });

  test('a withdrawn attempt (the backend could not answer) is not counted', async () => {
    for (let i = 0; i < 5; i++) await (await throttle.admit('ann', '10.0.0.1')).withdraw();
    assert.equal((await throttle.admit('ann', '10.0.0.1')).delayMs, 0);
    assert.deepEqual((await throttle.list()).map((e) => e.failures), [1]);
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
    assert.equal((await off.admit('ann', '10.0.0.1')).delayMs, 0);
  });
});
