/**
 * One user cannot grow every instance's memory by logging in and out in a loop (#16): past
 * ATS_AUTH_MAX_REVOCATIONS_PER_USER revocations held for a user, they are folded into one
 * not-before (what logout_all does), on both stores, with two instances sharing the store.
 * What is held is observable in /metrics (ats_auth_ended_sessions + ats_auth_revoked_tokens).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './support/fresh-http.js';
import { decodePart } from './support/jwt.js';
import { freshDataDir, removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const MAX = 5;
/** Live sessions per user: a login beyond that ends the oldest, which counts toward MAX too. */
const CAP = 2;
const PASSWORD = 'correct horse battery';
/** Generous for a shared 2-core machine (sessions-instances.test.ts). */
const PROPAGATION_DEADLINE_MS = 1500;

/** Token and session revocations the instance holds in memory, from its /metrics. */
async function held(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return gauge('ats_auth_ended_sessions') + gauge('ats_auth_revoked_tokens');
}

for (const kind of STORES) {
  describe(`revocations held per user are bounded [${kind}]`, () => {
    let db: StoreHandle;
    let a: TestServer, b: TestServer;
    const dataDir = freshDataDir();

    before(async () => {
      db = await storeEnv(kind);
      // SQLite: both instances open the same file (the data directory is shared).
      const env = { ...db.env, ATS_AUTH_MAX_REVOCATIONS_PER_USER: String(MAX), ATS_AUTH_MAX_SESSIONS_PER_USER: String(CAP) };
      a = await startServer({ env, dataDir });
      b = await startServer({ env, dataDir });
      await a.addUser('lou', PASSWORD);
      await a.addUser('cli', PASSWORD);
      await a.addUser('cap', PASSWORD);
    });
    after(async () => {
      await Promise.all([a, b].map((s) => s?.stop()));
      removeDir(dataDir);
      await db?.drop();
    });

    const refusedOnB = (token: string) =>
      eventually('instance B refuses the token', async () => (await b.verify(token)).status === 401, PROPAGATION_DEADLINE_MS);

    test('a user logging in and out 12 times with a bound of 5: every token refused on both instances, memory stays within the bound', async () => {
      const tokens: string[] = [];
      for (let i = 0; i < 12; i++) {
        const token = await a.login('lou', PASSWORD);
        tokens.push(token);
        assert.equal((await a.post('/user/logout', { headers: { authorization: `Bearer ${token}` } })).status, 204);
        assert.ok((await held(a)) <= MAX + 1, `A holds ${await held(a)} after logout ${i + 1}`);
        await refusedOnB(token);
        assert.ok((await held(b)) <= MAX + 1, `B holds ${await held(b)} after logout ${i + 1}`);
      }
      for (const token of tokens) {
        assert.equal((await a.verify(token)).status, 401, 'refused on A');
        assert.equal((await b.verify(token)).status, 401, 'refused on B');
      }
      const fresh = await b.login('lou', PASSWORD);
      assert.equal((await b.verify(fresh)).status, 200, 'a fresh login works on B');
      assert.equal((await a.verify(fresh)).status, 200, 'and on A');
    });

    test('revoke --session from the CLI counts toward the same bound', async () => {
      const tokens: string[] = [];
      for (let i = 0; i <= MAX; i++) {
        const token = await a.login('cli', PASSWORD);
        tokens.push(token);
        const result = await a.cli(['revoke', '--session', decodePart(token, 1).sid as string]);
        assert.equal(result.code, 0, result.stderr);
      }
      for (const token of tokens) await refusedOnB(token);
      await eventually('A has applied the not-before', async () => (await held(a)) <= MAX, PROPAGATION_DEADLINE_MS);
      assert.ok((await held(b)) <= MAX, `B holds ${await held(b)}`);
    });

    test('sessions ended by the cap count too, and the login that ends one gets a token that works', async () => {
      const tokens: string[] = [];
      for (let i = 0; i < 12; i++) {
        const token = await a.login('cap', PASSWORD);
        tokens.push(token);
        assert.equal((await a.verify(token)).status, 200, `login ${i + 1}: its token works`);
      }
      // Revocations of tokens issued in the same second as a login are spared by its fold; one
      // more login a second later folds them too.
      await new Promise((r) => setTimeout(r, 1100));
      const last = await a.login('cap', PASSWORD);
      assert.equal((await a.verify(last)).status, 200);
      assert.ok((await held(a)) <= MAX + 1, `A holds ${await held(a)}`);
      for (const token of tokens.slice(0, -CAP)) await refusedOnB(token);
      assert.equal((await b.verify(last)).status, 200, 'the last login works on B');
      await eventually('B holds within the bound', async () => (await held(b)) <= MAX + 1, PROPAGATION_DEADLINE_MS);
    });
  });
}
