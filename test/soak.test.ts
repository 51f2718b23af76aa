/**
 * Soak: ~30 s of mixed traffic (verify, login, logout, bad tokens, bad passwords) against one
 * server. No 5xx at all, and memory flat once warmed up: the least heap in use over the last
 * seconds is not above the least heap in use just after warm-up by more than a small margin.
 * One store (SQLite): the store's own behaviour under faults and restarts is covered elsewhere,
 * and running it twice would add half a minute to the suite.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { forge } from './support/jwt.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';

const SOAK_MS = 30_000;
const WARM_UP_MS = 8_000;
/** Heap growth allowed between the warm-up minimum and the final minimum. */
const MAX_GROWTH_BYTES = 8 * 1024 * 1024;
const PASSWORD = 'correct horse battery staple';

describe('soak: 30 s of mixed traffic', () => {
  let server: TestServer;
  before(async () => {
    // No throttling: wrong passwords are part of the mix.
    server = await startServer({ env: { ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_USER_LIMIT: '0', ATS_AUTH_THROTTLE_USER_CAP: '0' } });
    await server.addUser('marco', PASSWORD);
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('no 5xx, memory flat after warm-up', async () => {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const heap: { at: number; bytes: number }[] = [];
    const post = (path: string, init: { headers?: Record<string, string>; body?: string }) => server.post(path, init);
    const loginBody = (password: string) => ({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'marco', password }),
    });

    const verifier = async () => {
      let token = await server.login('marco', PASSWORD);
      for (let i = 0; elapsed() < SOAK_MS; i++) {
        const res = await server.verify(i % 10 === 9 ? forge('another-secret-0123456789-abcdefghijklmnop') : token);
        await res.arrayBuffer();
        count(res.status);
        if (i % 200 === 199) {
          // Log this device out and in again: revocations accumulate as they would in production.
          const out = await post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
          await out.arrayBuffer();
          count(out.status);
          const res = await post('/user/login', loginBody(PASSWORD));
          count(res.status);
          if (res.status === 200) token = ((await res.json()) as { token: string }).token;
          else await res.arrayBuffer();
        }
      }
    };
    const badLogins = async () => {
      while (elapsed() < SOAK_MS) {
        const res = await post('/user/login', loginBody('wrong password'));
        await res.arrayBuffer();
        count(res.status);
        // A token never seen before each time: the verified-token cache must stay bounded.
        const fresh = await server.verify(forge(TEST_SECRET, { sub: 'marco' }));
        await fresh.arrayBuffer();
        count(fresh.status);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const sampler = async () => {
      while (elapsed() < SOAK_MS) {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes '));
        if (line) heap.push({ at: elapsed(), bytes: Number(line.split(' ')[1]) });
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await Promise.all([verifier(), verifier(), verifier(), badLogins(), sampler()]);

    const fiveHundreds = [...statuses].filter(([status]) => status >= 500);
    assert.deepEqual(fiveHundreds, [], `no 5xx (saw ${JSON.stringify([...statuses])})`);
    assert.ok((statuses.get(200) ?? 0) > 200, `traffic flowed: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(204) ?? 0) > 0 && (statuses.get(401) ?? 0) > 0, 'logouts and refusals were part of it');

    const least = (from: number, to: number) => Math.min(...heap.filter((s) => s.at >= from && s.at < to).map((s) => s.bytes));
    const afterWarmUp = least(WARM_UP_MS, WARM_UP_MS + 6000);
    const atEnd = least(SOAK_MS - 6000, SOAK_MS + 1000);
    assert.ok(Number.isFinite(afterWarmUp) && Number.isFinite(atEnd), 'heap sampled throughout');
    assert.ok(
      atEnd - afterWarmUp < MAX_GROWTH_BYTES,
      `heap in use grew from ${(afterWarmUp / 1e6).toFixed(1)} MB to ${(atEnd / 1e6).toFixed(1)} MB`,
    );
    assert.equal(server.child.exitCode, null);
  });
});
