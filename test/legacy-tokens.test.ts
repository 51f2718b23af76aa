/**
 * Tokens of the older service (§2): no jti, float NumericDates, made the way the seed shows them.
 * `logout` revokes one by a digest of its text: 204, exactly that token, on every instance
 * sharing the store, after a restart, and the revocation is purged once the token has expired.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { eventually } from './support/fresh-http.js';
import { seedStyleToken } from './support/jwt.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle, type StoreKind } from './support/stores.js';

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const digestOf = (token: string) => `sha256:${createHash('sha256').update(token).digest('base64url')}`;

for (const kind of STORES) {
  describe(`tokens of the older service [${kind}]`, () => {
    let store: StoreHandle;
    /** Two instances on one store: SQLite shares the data directory, PostgreSQL the database. */
    let a: TestServer, b: TestServer;
    // No leeway, so a revocation is purgeable as soon as its token has expired.
    const env = () => ({ ...store.env, ATS_AUTH_CLOCK_LEEWAY: '0' });

    before(async () => {
      store = await storeEnv(kind);
      a = await startServer({ env: env() });
      b = await startServer({ env: env(), dataDir: a.dataDir });
    });
    after(async () => {
      await Promise.all([a, b].map((s) => s?.stop()));
      removeDir(a.dataDir);
      await store.drop();
    });

    /** Rows of the revocation log stored for this token's digest. */
    async function storedRows(token: string): Promise<number> {
      return countRevocations(kind, store, a.dataDir, digestOf(token));
    }

    test('logout → 204; that token is refused here at once and on the other instance soon; its siblings are not', async () => {
      const token = seedStyleToken(TEST_SECRET, 'marco');
      const sibling = seedStyleToken(TEST_SECRET, 'marco');
      for (const s of [a, b]) assert.equal((await s.verify(token)).status, 200, 'valid before the logout');

      const res = await a.post('/user/logout', bearer(token));
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
      assert.equal((await a.verify(token)).status, 401, 'read-your-writes');
      await eventually('the other instance refuses it', async () => (await b.verify(token)).status === 401, 2000);
      for (const s of [a, b]) assert.equal((await s.verify(sibling)).status, 200, 'exactly that token');
      assert.equal((await b.post('/user/logout', bearer(token))).status, 204, 'idempotent');
      assert.equal(await storedRows(token), 1);
      assert.ok(
        a.logs.some((line) => line.includes('"event":"logout"') && line.includes(digestOf(token))),
        'the audit event names the digest',
      );
      assert.ok(!a.logs.some((line) => line.includes(token)), 'the token itself is never logged');
    });

    test('kept across a restart, and kept past the token\'s expiry for the clock-leeway margin', async () => {
      const lasting = seedStyleToken(TEST_SECRET, 'marco');
      const shortLived = seedStyleToken(TEST_SECRET, 'marco', 2);
      assert.equal((await a.post('/user/logout', bearer(lasting))).status, 204);
      assert.equal((await a.post('/user/logout', bearer(shortLived))).status, 204);
      assert.equal(await storedRows(shortLived), 1);

      await a.stop();
      await new Promise((r) => setTimeout(r, 2100));
      a = await startServer({ env: env(), dataDir: a.dataDir });
      assert.equal((await a.verify(lasting)).status, 401, 'still revoked after the restart');
      assert.equal((await a.verify(seedStyleToken(TEST_SECRET, 'marco'))).status, 200);
      // A token-revocation row lives until 60 s (the largest clock leeway any instance may use)
      // past the token's exp, so a peer with that leeway still refuses it; the purge of rows past
      // that point is the store contract's (src/store/contract.test.ts).
      assert.equal(await storedRows(shortLived), 1, 'kept within the leeway margin after expiry');
      assert.equal(await storedRows(lasting), 1);
      const metrics = await (await fetch(`${a.url}/metrics`)).text();
      // The restarted instance holds both revocations of this test and the first test's.
      assert.match(metrics, /^ats_auth_revoked_tokens 3$/m);
    });
  });
}

async function countRevocations(kind: StoreKind, store: StoreHandle, dataDir: string, jti: string): Promise<number> {
  if (kind === 'postgres') {
    const sql = postgres(store.databaseUrl!, { max: 1, onnotice: () => {}, fetch_types: false });
    try {
      const rows = await sql`SELECT count(*)::int AS n FROM revocations WHERE kind = 'token' AND jti = ${jti}`;
      return rows[0]!.n as number;
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  const db = new Database(join(dataDir, 'ats-auth.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM revocations WHERE kind = 'token' AND jti = ?").get(jti) as { n: number }).n;
  } finally {
    db.close();
  }
}
