/**
 * The feed follower against each real store: when the log goes backwards (a restored database,
 * a reset sequence, a new SQLite file) it reloads the state instead of waiting, past the new
 * events, for seqs above its old cursor.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { STORES, storeEnv, type StoreKind } from '../../test/support/stores.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { RevocationFeed } from './feed.js';
import { RevocationState } from './state.js';

const HOUR = 3_600_000;
const silent = { warn: () => {}, info: () => {} };

/** Two stores on one fresh backend (a follower and a writer), and a way to reset its log. */
async function backend(kind: StoreKind) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-feed-'));
    return {
      follower: openSqliteStore(dir),
      writer: openSqliteStore(dir),
      resetLog: async () => {
        const db = new Database(join(dir, 'ats-auth.sqlite'));
        db.exec("DELETE FROM revocations; DELETE FROM sqlite_sequence WHERE name = 'revocations'");
        db.close();
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const handle = await storeEnv('postgres');
  return {
    follower: openPostgresStore(handle.databaseUrl!),
    writer: openPostgresStore(handle.databaseUrl!),
    resetLog: async () => {
      const sql = postgres(handle.databaseUrl!, { max: 1, onnotice: () => {} });
      await sql`TRUNCATE revocations RESTART IDENTITY`;
      await sql.end({ timeout: 1 });
    },
    drop: () => handle.drop(),
  };
}

for (const kind of STORES) {
  describe(`revocation feed [${kind}]`, () => {
    let db: Awaited<ReturnType<typeof backend>>;
    let feed: RevocationFeed;
    const state = new RevocationState();
    const now = Date.now();
    const revoked = (jti: string) => state.isRevoked({ sub: 'u', revocationId: jti, iatMs: now - HOUR });
    const reloads: number[] = [];

    before(async () => {
      db = await backend(kind);
      await db.follower.migrate();
      feed = new RevocationFeed({
        store: db.follower.revocations,
        signal: undefined,
        state,
        clock: { now: () => Date.now() },
        pollMs: 60_000,
        staleMs: 120_000,
        logger: silent,
      });
      await feed.start();
      feed.onReload((cursor) => reloads.push(cursor));
    });
    after(async () => {
      await feed.stop();
      for (const store of [db.follower, db.writer] as Store[]) await store.close();
      await db.drop();
    });

    test('a log that went backwards is reloaded: new revocations apply, forgotten ones are gone', async () => {
      for (const jti of ['a', 'b', 'c']) await db.writer.revocations.revokeToken({ jti, user: 'u', expiresAtMs: now + HOUR });
      await feed.sync();
      assert.ok(revoked('a') && revoked('b') && revoked('c'), 'followed');

      await db.resetLog();
      const event = await db.writer.revocations.revokeToken({ jti: 'after-reset', user: 'u', expiresAtMs: now + HOUR });
      assert.equal(event.seq, 1, 'the log numbers from 1 again');
      await feed.sync();
      assert.equal(revoked('after-reset'), true, 'a revocation written after the reset is enforced');
      assert.equal(revoked('a'), false, 'the state is the reloaded log');
      assert.deepEqual(reloads, [1], 'reload listeners told once, with the new cursor');

      await db.writer.revocations.revokeToken({ jti: 'next', user: 'u', expiresAtMs: now + HOUR });
      await feed.sync();
      assert.equal(revoked('next'), true, 'and the feed follows on from the new cursor');
    });
  });
}
