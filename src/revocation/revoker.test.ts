/**
 * The revoker bounds what one user's revocations cost every process (#16): past maxPerUser
 * token revocations held for a user it writes one not-before covering them, and the state here
 * and in a follower of the feed drop them, while every revoked token stays refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STORES, storeEnv, type StoreKind } from '../../test/support/stores.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { RevocationFeed } from './feed.js';
import { createRevoker } from './revoker.js';
import { RevocationState } from './state.js';

const HOUR = 3_600_000;
const MAX = 5;
const silent = { warn: () => {}, info: () => {} };

/** Two stores on one fresh backend: the revoking process's and a follower's. */
async function backend(kind: StoreKind) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-revoker-'));
    return { writer: openSqliteStore(dir), follower: openSqliteStore(dir), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const handle = await storeEnv('postgres');
  return { writer: openPostgresStore(handle.databaseUrl!), follower: openPostgresStore(handle.databaseUrl!), drop: () => handle.drop() };
}

for (const kind of STORES) {
  describe(`revocations held per user are bounded [${kind}]`, () => {
    let db: Awaited<ReturnType<typeof backend>>;
    let feed: RevocationFeed;
    const state = new RevocationState();
    const followed = new RevocationState();
    const folds: unknown[] = [];
    const clock = { now: () => Date.now() };
    let revoker: ReturnType<typeof createRevoker>;

    before(async () => {
      db = await backend(kind);
      await db.writer.migrate();
      revoker = createRevoker({
        store: db.writer.revocations,
        state,
        clock,
        maxTokenLifetimeMs: 2 * HOUR,
        leewayMs: 0,
        maxPerUser: MAX,
        audit: { info: (fields: unknown) => void folds.push(fields) },
      });
      feed = new RevocationFeed({ store: db.follower.revocations, signal: undefined, state: followed, clock, pollMs: 60_000, staleMs: 120_000, logger: silent });
      await feed.start();
    });
    after(async () => {
      await feed.stop();
      for (const store of [db.writer, db.follower] as Store[]) await store.close();
      await db.drop();
    });

    test('12 logouts of one user with a bound of 5: at most 5 held here and in a follower, every token still refused', async () => {
      const now = Date.now();
      const tokens = Array.from({ length: 12 }, (_, i) => ({ sub: 'loop', revocationId: `jti-${i}`, iatMs: now - HOUR + i * 1000 }));
      for (const t of tokens) {
        await revoker.revokeToken({ jti: t.revocationId, user: 'loop', expiresAtMs: t.iatMs + HOUR + 60_000, issuedAtMs: t.iatMs });
        await feed.sync();
        assert.ok(state.heldCount('loop') <= MAX, `held here: ${state.heldCount('loop')}`);
        assert.ok(followed.heldCount('loop') <= MAX, `held by the follower: ${followed.heldCount('loop')}`);
      }
      assert.equal(folds.length, 2, 'folded at the 6th and the 12th');
      assert.equal(state.heldCount('loop'), 0);
      assert.equal(state.notBeforeMs('loop'), tokens[11]!.iatMs, 'at the latest iat covered, not later');
      for (const s of [state, followed]) {
        for (const t of tokens) assert.equal(s.isRevoked(t), true, `${t.revocationId} still refused`);
        assert.equal(s.isRevoked({ sub: 'loop', revocationId: 'fresh', iatMs: Date.now() + 1000 }), false, 'a token issued afterwards works');
        assert.ok(s.revokedTokenCount <= MAX);
      }
    });

    test('the not-before covers a token whose iat is ahead of this clock (the issuer clock runs fast)', async () => {
      const ahead = Date.now() + 30_000;
      for (let i = 0; i <= MAX; i++) {
        const iatMs = i === MAX ? ahead : Date.now() - HOUR;
        await revoker.revokeToken({ jti: `skew-${i}`, user: 'skew', expiresAtMs: iatMs + HOUR, issuedAtMs: iatMs });
      }
      assert.equal(state.heldCount('skew'), 0);
      assert.equal(state.isRevoked({ sub: 'skew', revocationId: `skew-${MAX}`, iatMs: ahead }), true);
    });

    test("a fold caused by a login (an older session over the cap) spares the token that login hands out", async () => {
      const newIatMs = Math.floor(Date.now() / 1000) * 1000;
      const iats = Array.from({ length: MAX + 1 }, (_, i) => (i === MAX ? newIatMs + 1 : newIatMs - HOUR + i));
      for (const [i, iatMs] of iats.entries()) {
        const event = await db.writer.revocations.revokeToken({ jti: `cap-${i}`, user: 'cap', expiresAtMs: iatMs + HOUR, issuedAtMs: iatMs });
        await revoker.enforce(event, newIatMs);
      }
      assert.equal(state.isRevoked({ sub: 'cap', revocationId: 'new', iatMs: newIatMs }), false, "the login's token works");
      assert.equal(state.heldCount('cap'), 1, 'the revocation of a token of that same second stays held');
      for (const [i, iatMs] of iats.entries()) assert.equal(state.isRevoked({ sub: 'cap', revocationId: `cap-${i}`, iatMs }), true);
    });
  });
}
