/** §6 and §15 throttling, black-box: 429 + Retry-After, shared through the store, CLI list/clear. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const LIMITS = {
  ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '3',
  ATS_AUTH_THROTTLE_ADDRESS_LIMIT: '6',
  ATS_AUTH_THROTTLE_USER_LIMIT: '4',
  ATS_AUTH_THROTTLE_USER_DELAY_MS: '1500',
  ATS_AUTH_THROTTLE_USER_CAP: '10',
};

for (const kind of STORES) {
  describe(`throttling (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: { ...store.env, ...LIMITS } });
      await server.addUser('marco', 'right-password');
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    // Loopback is a trusted peer, so X-Forwarded-For names the client address.
    const attempt = (username: string, password: string, from: string) =>
      server.post('/user/login', {
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ username, password }),
      });

    test('past the (username, address) limit: 429, Retry-After, JSON error, even with the right password', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await attempt('marco', 'wrong', '10.0.0.1')).status, 401);
      const res = await attempt('marco', 'right-password', '10.0.0.1');
      assert.equal(res.status, 429);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(await res.json()), ['error', 'message']);
      assert.equal((await attempt('marco', 'right-password', '10.0.0.2')).status, 200, 'another address logs in');
    });

    test('the throttle is in the store: it survives a restart, and the CLI lists and clears it', async () => {
      await server.stop();
      server = await startServer({ env: { ...store.env, ...LIMITS }, dataDir: server.dataDir });
      assert.equal((await attempt('marco', 'right-password', '10.0.0.1')).status, 429);
      const list = await server.cli(['throttle', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^USER +ADDRESS +FAILURES +LAST +STATUS\n/);
      assert.match(list.stdout, /\nmarco +10\.0\.0\.1 +3 +\S+Z +throttled\n/);
      const clear = await server.cli(['throttle', 'clear', '--user', 'marco', '--address', '10.0.0.1']);
      assert.equal(clear.code, 0, clear.stderr);
      assert.equal(clear.stdout, 'cleared 3 failed logins\n');
      assert.equal((await attempt('marco', 'right-password', '10.0.0.1')).status, 200);
      assert.equal((await server.cli(['throttle', 'clear'])).code, 2, 'clear needs a scope');
    });

    test('a successful login resets the (username, address) count', async () => {
      for (let i = 0; i < 2; i++) assert.equal((await attempt('marco', 'wrong', '10.0.0.3')).status, 401);
      assert.equal((await attempt('marco', 'right-password', '10.0.0.3')).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await attempt('marco', 'wrong', '10.0.0.3')).status, 401);
      assert.equal((await attempt('marco', 'right-password', '10.0.0.3')).status, 200, 'not throttled: the count restarted');
    });

    test('one address guessing many usernames is refused past the address limit', async () => {
      for (let i = 0; i < 6; i++) assert.equal((await attempt(`nobody${i}`, 'x', '10.0.0.4')).status, 401);
      assert.equal((await attempt('marco', 'right-password', '10.0.0.4')).status, 429);
    });

    test('guesses sent in parallel get no more tries between them than the limit', async () => {
      const burst = await Promise.all(Array.from({ length: 12 }, () => attempt('marco', 'wrong', '10.0.0.7')));
      const statuses = burst.map((res) => res.status);
      assert.ok(statuses.every((s) => s === 401 || s === 429), `only 401 and 429: ${statuses.join(' ')}`);
      let checked = statuses.filter((s) => s === 401).length;
      assert.ok(checked <= 3, `at most the limit (3) reached the password check, got ${checked}`);
      // Sequential attempts use up what the burst left; then the pair is refused.
      for (;;) {
        const res = await attempt('marco', 'wrong', '10.0.0.7');
        if (res.status === 429) break;
        assert.equal(res.status, 401);
        checked++;
      }
      assert.equal(checked, 3, 'exactly the limit of guesses were checked in the window');
    });

    test('guessing one username from many addresses only slows it: the user still logs in', async () => {
      await server.cli(['throttle', 'clear', '--all']);
      for (let i = 0; i < 4; i++) assert.equal((await attempt('marco', 'wrong', `10.9.0.${i}`)).status, 401);
      const started = performance.now();
      const res = await attempt('marco', 'right-password', '10.0.0.5');
      const elapsed = performance.now() - started;
      assert.equal(res.status, 200);
      assert.ok(elapsed >= 1400, `delayed by the configured bound (took ${elapsed.toFixed(0)} ms)`);
    });

    test('guesses for one username from many addresses at once are capped across addresses (429)', async () => {
      await server.cli(['throttle', 'clear', '--all']);
      const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => attempt('marco', 'wrong', `10.30.0.${i}`)));
      const statuses = burst.map((res) => res.status);
      assert.ok(statuses.every((s) => s === 401 || s === 429), `only 401 and 429: ${statuses.join(' ')}`);
      let checked = statuses.filter((s) => s === 401).length;
      assert.ok(checked <= 10, `at most the cap (10) reached the password check, got ${checked}`);
      for (let i = 0; ; i++) {
        const res = await attempt('marco', 'wrong', `10.31.0.${i}`);
        if (res.status === 429) break;
        assert.equal(res.status, 401);
        checked++;
      }
      assert.equal(checked, 10, 'exactly the cap of guesses were checked, whatever the addresses');
      const capped = await attempt('marco', 'right-password', '10.32.0.1');
      assert.equal(capped.status, 429, 'the cap holds for the right password from a new address too');
      const retryAfter = Number(capped.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
      assert.equal((await server.cli(['throttle', 'clear', '--user', 'marco'])).code, 0);
      assert.equal((await attempt('marco', 'right-password', '10.32.0.1')).status, 200, 'an operator lifts the cap');
    });

    test('IPv6 clients count per /64, with any port in the forwarded address ignored', async () => {
      await server.cli(['throttle', 'clear', '--all']);
      for (const from of ['2001:db8:1:2::a', '2001:db8:1:2:abcd::b', '[2001:db8:1:2::c]:443']) {
        assert.equal((await attempt('marco', 'wrong', from)).status, 401);
      }
      assert.equal((await attempt('marco', 'right-password', '2001:db8:1:2:ffff:ffff:ffff:1')).status, 429, 'the same /64');
      assert.equal((await attempt('marco', 'right-password', '2001:db8:1:3::a')).status, 200, 'the next /64 is another client');
      const list = await server.cli(['throttle', 'list']);
      assert.match(list.stdout, /\nmarco +2001:db8:1:2::\/64 +3 +\S+Z +throttled\n/);
      const clear = await server.cli(['throttle', 'clear', '--address', '2001:db8:1:2::99']);
      assert.equal(clear.stdout, 'cleared 3 failed logins\n', 'clearing one address of the network clears the network');
    });
  });
}
