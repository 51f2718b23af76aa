/**
 * §4 equal answers: unknown user, disabled user and wrong password give the same status and
 * body, and take the same time (medians within 10 %). Requests are interleaved in random order
 * so machine noise hits all three alike; a measurement run may be repeated (at most 5 times)
 * because a shared machine can stall during one run, while a real timing leak (e.g. skipping
 * the hash for unknown users, ~100 % apart) fails every run. A control shows the measurement
 * does see a difference of that kind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const TRIES = 50;
const TOLERANCE = 0.1;
const RUNS = 5;
const WARM_UP = 10;

const KINDS = {
  'unknown user': { username: 'nobody-here', password: 'some-password' },
  'disabled user': { username: 'dora', password: 'dora-password' },
  'wrong password': { username: 'marco', password: 'not-the-password' },
};
type Kind = keyof typeof KINDS;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

for (const kind of STORES) {
  describe(`equal answers (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      const off = { ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_USER_LIMIT: '0', ATS_AUTH_THROTTLE_USER_CAP: '0' };
      server = await startServer({ env: { ...store.env, ...off } });
      await server.addUser('marco', 'right-password');
      await server.addUser('dora', 'dora-password');
      assert.equal((await server.cli(['user', 'disable', 'dora'])).code, 0);
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    async function timed(body: unknown): Promise<{ ms: number; status: number; text: string }> {
      const started = performance.now();
      const res = await server.post('/user/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      return { ms: performance.now() - started, status: res.status, text };
    }

    test('same status and body', async () => {
      const answers = await Promise.all(Object.values(KINDS).map(timed));
      for (const answer of answers) assert.deepEqual([answer.status, answer.text], [answers[0]!.status, answers[0]!.text]);
      assert.equal(answers[0]!.status, 401);
    });

    test(`same time: medians of ${TRIES} interleaved tries each within ${TOLERANCE * 100} %`, async (t) => {
      const spreads: string[] = [];
      // JIT, connection pool and page cache settle before anything is measured.
      for (let i = 0; i < WARM_UP; i++) for (const body of Object.values(KINDS)) await timed(body);
      for (let run = 1; run <= RUNS; run++) {
        const samples: Record<Kind, number[]> = { 'unknown user': [], 'disabled user': [], 'wrong password': [] };
        const control: number[] = [];
        for (let i = 0; i < TRIES; i++) {
          const order = (Object.keys(KINDS) as Kind[]).sort(() => Math.random() - 0.5);
          for (const k of order) samples[k].push((await timed(KINDS[k])).ms);
          // A request refused before any hashing (empty password → 400): the control.
          control.push((await timed({ username: 'marco', password: '' })).ms);
        }
        const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<Kind, number>;
        const values = Object.values(medians);
        const spread = Math.max(...values) / Math.min(...values) - 1;
        const line = Object.entries(medians).map(([k, m]) => `${k} ${m.toFixed(1)} ms`).join(', ');
        spreads.push(`run ${run}: ${line}; spread ${(spread * 100).toFixed(1)} %; control ${median(control).toFixed(1)} ms`);
        t.diagnostic(spreads.at(-1)!);
        assert.ok(median(control) < 0.5 * Math.min(...values), `the measurement sees hashing time: ${spreads.at(-1)}`);
        if (spread <= TOLERANCE) return;
      }
      assert.fail(`timing differs in every run:\n${spreads.join('\n')}`);
    });
  });
}
