/**
 * A store whose revocation log went backwards (a restored database, a reset sequence) under a
 * running service: the feed reloads it (src/revocation/feed.ts), and the stream must then send
 * its consumers the whole state again at the new cursor. Otherwise the hub, still at the old
 * cursor, drops every new event as already sent, and an in-process verifier never learns of
 * revocations written after the reset.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
// Through the package's own `exports`, as a user would import it.
import { createVerifier, TokenInvalid, type Verifier } from 'ats-auth/verifier';
import { eventually } from './support/fresh-http.js';
import { forge } from './support/jwt.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle, type StoreKind } from './support/stores.js';

const isRevoked = (verifier: Verifier, token: string) => {
  try {
    verifier.verify(token);
    return false;
  } catch (error) {
    return error instanceof TokenInvalid && error.reason === 'revoked';
  }
};

/** Empties the revocation log and restarts its numbering, as a restore of an older backup would. */
async function resetLog(kind: StoreKind, server: TestServer, store: StoreHandle): Promise<void> {
  if (kind === 'sqlite') {
    const db = new Database(join(server.dataDir, 'ats-auth.sqlite'));
    try {
      db.exec("DELETE FROM revocations; DELETE FROM sqlite_sequence WHERE name = 'revocations'");
    } finally {
      db.close();
    }
    return;
  }
  const sql = postgres(store.databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    await sql`TRUNCATE revocations RESTART IDENTITY`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

for (const kind of STORES) {
  describe(`revocation stream after the log went backwards (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    let verifier: Verifier;

    before(async () => {
      store = await storeEnv(kind);
      // SQLite has no wake-up signal: a short poll stands in for PostgreSQL's NOTIFY.
      server = await startServer({ env: { ...store.env, ...(kind === 'sqlite' ? { ATS_AUTH_FEED_POLL_MS: '20' } : {}) } });
      verifier = createVerifier({ url: server.url, secret: TEST_SECRET });
      await verifier.ready();
    });
    after(async () => {
      await verifier?.close();
      await server?.stop();
      if (server) removeDir(server.dataDir);
      await store?.drop();
    });

    const logout = async (token: string) => {
      const res = await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 204);
    };

    test('a revocation written after the reset reaches a consumer that was following the stream', async () => {
      // Three events before the reset, so the first one after it numbers below the old cursor.
      for (let i = 0; i < 3; i++) {
        const token = forge(TEST_SECRET, { sub: 'before' });
        await logout(token);
        await eventually('followed before the reset', async () => isRevoked(verifier, token), 2000, 5);
      }
      const cursorBefore = Number(verifier.status().cursor);
      await resetLog(kind, server, store);
      const token = forge(TEST_SECRET, { sub: 'after' });
      assert.equal(isRevoked(verifier, token), false);
      await logout(token);
      await eventually('the service itself refuses it', async () => (await server.verify(token)).status === 401, 2000, 5);
      await eventually('the verifier refuses it', async () => isRevoked(verifier, token), 3000, 5);
      assert.ok(Number(verifier.status().cursor) < cursorBefore, `the consumer moved to the new log's cursor (${verifier.status().cursor}, was ${cursorBefore})`);
      assert.ok(server.logs.some((line) => line.includes('the revocation log went backwards')), 'the service reloaded its log');

      const next = forge(TEST_SECRET, { sub: 'after' });
      await logout(next);
      await eventually('and follows on from the new cursor', async () => isRevoked(verifier, next), 3000, 5);
    });
  });
}
