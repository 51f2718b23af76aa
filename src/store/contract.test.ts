/**
 * The store contract: the same tests for every adapter, each on its real backend (a temp
 * SQLite file; a fresh PostgreSQL database from test/support/stores.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { STORES, storeEnv, type StoreHandle, type StoreKind } from '../../test/support/stores.js';
import { KeyNotFound, StoreUnavailable, UserExists, UserNotFound } from '../errors.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { loadMigrations } from './migrations.js';
import type { IssuedTokenRecord, RefreshTokenRecord, RevocationEvent, SessionRecord, Store, StoredKey } from './ports.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

const HOUR = 3_600_000;

interface Backend {
  open(): Store;
  drop(): Promise<void>;
  /** Holds the lock revocation writers take, from another connection, until the returned release. */
  lockRevocations(): Promise<() => Promise<void>>;
}

/** Opens stores on one fresh backend; every store opened shares the same data. */
async function backend(kind: StoreKind): Promise<Backend> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-contract-'));
    return {
      open: () => openSqliteStore(dir),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
      lockRevocations: async () => {
        const db = new Database(join(dir, 'ats-auth.sqlite'));
        db.exec('BEGIN IMMEDIATE');
        return async () => {
          db.exec('ROLLBACK');
          db.close();
        };
      },
    };
  }
  const handle: StoreHandle = await storeEnv('postgres');
  return {
    open: () => openPostgresStore(handle.databaseUrl!),
    drop: () => handle.drop(),
    lockRevocations: async () => {
      const sql = postgres(handle.databaseUrl!, { max: 1, onnotice: () => {} });
      const conn = await sql.reserve();
      await conn`BEGIN`;
      await conn`LOCK TABLE revocations IN SHARE ROW EXCLUSIVE MODE`;
      return async () => {
        await conn`ROLLBACK`;
        conn.release();
        await sql.end({ timeout: 1 });
      };
    },
  };
}

for (const kind of STORES) {
  describe(`store contract: ${kind}`, () => {
    let db: Awaited<ReturnType<typeof backend>>;
    let store: Store;
    const opened: Store[] = [];
    const open = () => {
      const s = db.open();
      opened.push(s);
      return s;
    };

    before(async () => {
      db = await backend(kind);
      store = open();
      assert.deepEqual(await store.migrate(), loadMigrations(kind).map((m) => m.version));
    });
    after(async () => {
      for (const s of opened) await s.close();
      await db.drop();
    });

    test('migrate applies each version once, also when instances start together', async () => {
      const [a, b] = [open(), open()];
      const applied = await Promise.all([a.migrate(), b.migrate(), store.migrate()]);
      assert.deepEqual(applied, [[], [], []]);
      assert.equal(store.kind, kind);
      await store.ping();
    });

    test('location names where the data is without credentials', () => {
      assert.ok(store.location.length > 0, 'location is named');
      assert.doesNotMatch(store.location, /postgres@|password|:\/\//);
      if (kind === 'postgres') assert.match(store.location, /^127\.0\.0\.1:5432\/ats_auth_test_\w+$/);
    });

    describe('users', () => {
      test('create, find, list in name order, change password, disable, remove', async () => {
        await store.users.createUser('zoe', 'hash-z', 1000);
        await store.users.createUser('adam', 'hash-a', 2000);
        assert.deepEqual(await store.users.findUser('zoe'), { name: 'zoe', passwordHash: 'hash-z', disabled: false, createdAtMs: 1000 });
        assert.equal(await store.users.findUser('nobody'), null);
        assert.deepEqual((await store.users.listUsers()).map((u) => u.name), ['adam', 'zoe']);

        await store.users.setPasswordHash('zoe', 'hash-z2');
        await store.users.setDisabled('zoe', true);
        assert.deepEqual(await store.users.findUser('zoe'), { name: 'zoe', passwordHash: 'hash-z2', disabled: true, createdAtMs: 1000 });
        await store.users.setDisabled('zoe', false);
        assert.equal((await store.users.findUser('zoe'))!.disabled, false);

        await store.users.removeUser('zoe');
        assert.equal(await store.users.findUser('zoe'), null);
        await store.users.removeUser('adam');
      });

      test('a taken name is UserExists; changing a missing user is UserNotFound', async () => {
        await store.users.createUser('taken', 'h', 1);
        await assert.rejects(store.users.createUser('taken', 'h2', 2), UserExists);
        await assert.rejects(store.users.setPasswordHash('ghost', 'h'), UserNotFound);
        await assert.rejects(store.users.setDisabled('ghost', true), UserNotFound);
        await assert.rejects(store.users.removeUser('ghost'), UserNotFound);
        await store.users.removeUser('taken');
      });
    });

    describe('sessions', () => {
      const session = (id: string, user: string, createdAtMs: number, expiresAtMs: number): SessionRecord => ({
        id,
        user,
        createdAtMs,
        lastSeenAtMs: createdAtMs,
        expiresAtMs,
        endedAtMs: null,
        clientAddress: '192.0.2.1',
        userAgent: 'HTTPie/3',
      });
      const token = (jti: string, s: SessionRecord): IssuedTokenRecord => ({
        jti,
        sessionId: s.id,
        user: s.user,
        issuedAtMs: s.createdAtMs,
        expiresAtMs: s.expiresAtMs,
      });
      const refresh = (digest: string, s: SessionRecord): RefreshTokenRecord => ({
        digest,
        sessionId: s.id,
        expiresAtMs: s.expiresAtMs,
        spentAtMs: null,
        successor: null,
      });

      test('a session starts with its token; the user lists only live ones, newest first', async () => {
        const now = Date.now();
        const old = session('s-old', 'sam', now - 2 * HOUR, now - HOUR);
        const one = session('s-1', 'sam', now - 2000, now + HOUR);
        const two = { ...session('s-2', 'sam', now - 1000, now + HOUR), clientAddress: null, userAgent: null };
        await store.sessions.createSession(old, token('j-old', old), null);
        await store.sessions.createSession(one, token('j-1', one), null);
        await store.sessions.createSession(two, token('j-2', two), null);
        assert.deepEqual((await store.sessions.listSessions('sam', now)).map((x) => x.id), ['s-2', 's-1']);
        assert.deepEqual(await store.sessions.findSession('s-1'), one);
        assert.deepEqual(await store.sessions.findSession('s-old'), old, 'an expired session is still found until purged');
        assert.equal(await store.sessions.findSession('nope'), null);
        assert.deepEqual(await store.sessions.findToken('j-2'), token('j-2', two));
        assert.equal(await store.sessions.findToken('nope'), null);
        assert.deepEqual(await store.sessions.listSessions('nobody', now), []);
      });

      test('endSession appends one session event (again: the same one) and the session leaves the list', async () => {
        const now = Date.now();
        const cursor = await store.revocations.snapshot(now, () => {});
        const s = session('s-end', 'sue', now, now + HOUR);
        await store.sessions.createSession(s, token('j-end', s), null);
        const event = await store.sessions.endSession('s-end', now + 5, 30_000);
        // latestIatMs: the session's last-seen instant, at or after every token it issued.
        assert.deepEqual(event, { seq: event!.seq, kind: 'session', sid: 's-end', user: 'sue', expiresAtMs: now + HOUR + 30_000, latestIatMs: now });
        assert.deepEqual(await store.sessions.endSession('s-end', now + 9, 30_000), event, 'idempotent');
        assert.equal(await store.sessions.endSession('no-such-session', now, 0), null);
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), [event]);
        assert.equal((await store.sessions.findSession('s-end'))!.endedAtMs, now + 5);
        assert.deepEqual(await store.sessions.listSessions('sue', now), []);
        const snapshot: RevocationEvent[] = [];
        await store.revocations.snapshot(now, (e) => snapshot.push(e));
        assert.ok(snapshot.some((e) => e.kind === 'session' && e.sid === 's-end'), 'the ended session is in the snapshot');
      });

      test('revokeUser ends the sessions created up to its not-before, not later ones', async () => {
        const now = Date.now();
        const before = session('s-before', 'ned', now - 1000, now + HOUR);
        const after = session('s-after', 'ned', now + 1000, now + HOUR);
        await store.sessions.createSession(before, token('j-before', before), null);
        await store.sessions.createSession(after, token('j-after', after), null);
        await store.revocations.revokeUser({ user: 'ned', notBeforeMs: now, expiresAtMs: now + HOUR });
        assert.deepEqual((await store.sessions.listSessions('ned', now)).map((x) => x.id), ['s-after']);
        assert.equal((await store.sessions.findSession('s-before'))!.endedAtMs, now);
      });

      test('touchSessions raises last-seen times and never lowers them', async () => {
        const now = Date.now();
        const a = session('s-touch-a', 'tom', now, now + HOUR);
        const b = session('s-touch-b', 'tom', now, now + HOUR);
        await store.sessions.createSession(a, token('j-ta', a), null);
        await store.sessions.createSession(b, token('j-tb', b), null);
        await store.sessions.touchSessions(new Map([['s-touch-a', now + 500], ['s-touch-b', now - 500], ['s-missing', now]]));
        assert.equal((await store.sessions.findSession('s-touch-a'))!.lastSeenAtMs, now + 500);
        assert.equal((await store.sessions.findSession('s-touch-b'))!.lastSeenAtMs, now);
        await store.sessions.touchSessions(new Map());
      });

      test('refresh tokens rotate once: spent with its successor, the next one live; a second spend loses', async () => {
        const now = Date.now();
        const s = session('s-rot', 'rita', now, now + HOUR);
        await store.sessions.createSession(s, token('j-rot-0', s), refresh('d-0', s));
        assert.deepEqual(await store.sessions.findRefreshToken('d-0'), refresh('d-0', s));
        const rotation = {
          spentDigest: 'd-0',
          spentAtMs: now + 10,
          successor: 'sealed-1',
          next: refresh('d-1', s),
          token: token('j-rot-1', s),
          sessionExpiresAtMs: now + 2 * HOUR,
        };
        // Two stores race to spend the same token: exactly one wins.
        const outcomes = await Promise.all([store.sessions.rotateRefreshToken(rotation), open().sessions.rotateRefreshToken({ ...rotation, next: refresh('d-1b', s), token: token('j-rot-1b', s) })]);
        assert.deepEqual(outcomes.sort(), ['already_spent', 'rotated']);
        const spent = (await store.sessions.findRefreshToken('d-0'))!;
        assert.equal(spent.spentAtMs, now + 10);
        assert.equal(spent.successor, 'sealed-1');
        const live = [await store.sessions.findRefreshToken('d-1'), await store.sessions.findRefreshToken('d-1b')].filter((r) => r !== null);
        assert.equal(live.length, 1, 'only the winner stored its successor');
        assert.equal(live[0]!.spentAtMs, null);
        assert.equal((await store.sessions.findSession('s-rot'))!.expiresAtMs, now + 2 * HOUR, 'the session is extended');
      });

      test('rotation of an ended session changes nothing', async () => {
        const now = Date.now();
        const s = session('s-rot-end', 'rex', now, now + HOUR);
        await store.sessions.createSession(s, token('j-re-0', s), refresh('e-0', s));
        await store.sessions.endSession('s-rot-end', now, 0);
        const outcome = await store.sessions.rotateRefreshToken({
          spentDigest: 'e-0',
          spentAtMs: now + 10,
          successor: 'x',
          next: refresh('e-1', s),
          token: token('j-re-1', s),
          sessionExpiresAtMs: now + HOUR,
        });
        assert.equal(outcome, 'ended');
        assert.equal((await store.sessions.findRefreshToken('e-0'))!.spentAtMs, null, 'the spend was rolled back');
        assert.equal(await store.sessions.findRefreshToken('e-1'), null);
        assert.equal(await store.sessions.findToken('j-re-1'), null);
      });
    });

    describe('revocations', () => {
      let cursor: number;
      beforeEach(async () => {
        cursor = await store.revocations.snapshot(Date.now(), () => {});
      });

      test('revokeToken is idempotent: the second call returns the first event and logs nothing new', async () => {
        const expiresAtMs = Date.now() + HOUR;
        const first = await store.revocations.revokeToken({ jti: 'j-idem', user: 'ann', expiresAtMs });
        assert.deepEqual(first, { seq: first.seq, kind: 'token', jti: 'j-idem', user: 'ann', expiresAtMs });
        assert.ok(first.seq > cursor, 'a new event is after the cursor');
        const again = await store.revocations.revokeToken({ jti: 'j-idem', user: 'ann', expiresAtMs: expiresAtMs + 5 });
        assert.deepEqual(again, first);
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), [first]);
      });

      test("a token revocation records the token's iat as latestIatMs, in the feed and the snapshot", async () => {
        const now = Date.now();
        const event = await store.revocations.revokeToken({ jti: 'j-iat', user: 'ida', expiresAtMs: now + HOUR, issuedAtMs: now - 5000 });
        assert.deepEqual(event, { seq: event.seq, kind: 'token', jti: 'j-iat', user: 'ida', expiresAtMs: now + HOUR, latestIatMs: now - 5000 });
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), [event]);
        const snapshot: RevocationEvent[] = [];
        await store.revocations.snapshot(now, (e) => snapshot.push(e));
        assert.deepEqual(snapshot.filter((e) => e.kind === 'token' && e.jti === 'j-iat'), [event]);
      });

      test('revoking an already revoked token takes no write lock and, on PostgreSQL, wakes no follower', async () => {
        const expiresAtMs = Date.now() + HOUR;
        const first = await store.revocations.revokeToken({ jti: 'j-again', user: 'ivy', expiresAtMs });
        let woken = 0;
        // A store of its own: its signal connects (and wakes once) on its first subscriber.
        const unsubscribe = open().changeSignal?.subscribe(() => woken++);
        if (unsubscribe) await until(() => woken > 0); // LISTEN is in place
        const wokenBefore = woken;
        const release = await db.lockRevocations();
        try {
          const started = Date.now();
          const again = await Promise.race([
            store.revocations.revokeToken({ jti: 'j-again', user: 'ivy', expiresAtMs }),
            new Promise((_, reject) => setTimeout(() => reject(new Error('waited for the writers\' lock')), 2000)),
          ]);
          assert.deepEqual(again, first);
          assert.ok(Date.now() - started < 2000, 'answered without waiting for the lock');
        } finally {
          await release();
        }
        await new Promise((r) => setTimeout(r, 300));
        unsubscribe?.();
        assert.equal(woken, wokenBefore, 'no NOTIFY for a revocation that changed nothing');
      });

      test('revokeUser keeps one not-before per user: a new one replaces the earlier, with a new seq', async () => {
        const now = Date.now();
        const a = await store.revocations.revokeUser({ user: 'bob', notBeforeMs: now, expiresAtMs: now + HOUR });
        assert.deepEqual(a, { seq: a.seq, kind: 'user', user: 'bob', notBeforeMs: now, expiresAtMs: now + HOUR });
        const other = await store.revocations.revokeUser({ user: 'bobby', notBeforeMs: now, expiresAtMs: now + HOUR });
        const b = await store.revocations.revokeUser({ user: 'bob', notBeforeMs: now + 1, expiresAtMs: now + HOUR });
        assert.deepEqual(b, { seq: b.seq, kind: 'user', user: 'bob', notBeforeMs: now + 1, expiresAtMs: now + HOUR });
        assert.ok(b.seq > other.seq, 'seq grows');
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), [other, b]);
        // An earlier instant (a writer whose clock is behind) never moves the not-before back.
        const c = await store.revocations.revokeUser({ user: 'bob', notBeforeMs: now - 5000, expiresAtMs: now + 10 });
        assert.deepEqual(c, { seq: c.seq, kind: 'user', user: 'bob', notBeforeMs: now + 1, expiresAtMs: now + HOUR });
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), [other, c]);
      });

      test('changesSince returns events after the cursor in seq order, at most limit', async () => {
        const expiresAtMs = Date.now() + HOUR;
        const events: RevocationEvent[] = [];
        for (let i = 0; i < 5; i++) events.push(await store.revocations.revokeToken({ jti: `j-order-${i}`, user: 'cat', expiresAtMs }));
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), events);
        assert.deepEqual(await store.revocations.changesSince(cursor, 2), events.slice(0, 2));
        assert.deepEqual(await store.revocations.changesSince(events[1]!.seq, 2), events.slice(2, 4));
        assert.deepEqual(await store.revocations.changesSince(events[4]!.seq, 100), []);
      });

      test('snapshot holds what is in force and a cursor after which only newer events appear', async () => {
        const now = Date.now();
        const live = await store.revocations.revokeToken({ jti: 'j-live', user: 'dan', expiresAtMs: now + HOUR });
        const gone = await store.revocations.revokeToken({ jti: 'j-gone', user: 'dan', expiresAtMs: now - 1 });
        const user = await store.revocations.revokeUser({ user: 'dan', notBeforeMs: now, expiresAtMs: now + HOUR });
        const events: RevocationEvent[] = [];
        const snapCursor = await store.revocations.snapshot(now, (event) => events.push(event));
        assert.ok(events.some((e) => e.seq === live.seq), 'live token revocation in the snapshot');
        assert.ok(events.some((e) => e.seq === user.seq), 'user revocation in the snapshot');
        assert.ok(!events.some((e) => e.seq === gone.seq), 'expired revocation not in the snapshot');
        assert.deepEqual(await store.revocations.changesSince(snapCursor, 100), []);
        const later = await store.revocations.revokeToken({ jti: 'j-later', user: 'dan', expiresAtMs: now + HOUR });
        assert.deepEqual(await store.revocations.changesSince(snapCursor, 100), [later]);
      });

      test('snapshot after a cursor (a checkpoint\'s) hands over only the revocations written past it, of every kind', async () => {
        const now = Date.now();
        const before = await store.revocations.revokeToken({ jti: 'j-before-cut', user: 'gil', expiresAtMs: now + HOUR });
        const token = await store.revocations.revokeToken({ jti: 'j-after-cut', user: 'gil', expiresAtMs: now + HOUR });
        const user = await store.revocations.revokeUser({ user: 'hal', notBeforeMs: now, expiresAtMs: now + HOUR });
        const events: RevocationEvent[] = [];
        const cursor = await store.revocations.snapshot(now, (event) => events.push(event), before.seq);
        assert.deepEqual(events.filter((e) => e.kind !== 'key').map((e) => e.seq).sort((a, b) => a - b), [token.seq, user.seq]);
        assert.equal(cursor, user.seq, 'the cursor is the log head, as without `after`');
      });

      test("revocationsOf holds only the user's revocations in force", async () => {
        const now = Date.now();
        const token = await store.revocations.revokeToken({ jti: 'j-eve', user: 'eve', expiresAtMs: now + HOUR });
        await store.revocations.revokeToken({ jti: 'j-eve-gone', user: 'eve', expiresAtMs: now - 1 });
        const user = await store.revocations.revokeUser({ user: 'eve', notBeforeMs: now, expiresAtMs: now + HOUR });
        await store.revocations.revokeToken({ jti: 'j-fay', user: 'fay', expiresAtMs: now + HOUR });
        assert.deepEqual(await store.revocations.revocationsOf('eve', now), [token, user]);
        assert.deepEqual(await store.revocations.revocationsOf('nobody', now), []);
      });

      test('purgeExpired removes expired revocations and sessions only, and counts them', async () => {
        const now = Date.now();
        await store.revocations.revokeToken({ jti: 'j-exp', user: 'eve', expiresAtMs: now - 10 });
        await store.revocations.revokeUser({ user: 'eve', notBeforeMs: now - HOUR, expiresAtMs: now - 5 });
        const kept = await store.revocations.revokeToken({ jti: 'j-kept', user: 'eve', expiresAtMs: now + HOUR });
        const sess = (id: string, expiresAtMs: number): SessionRecord => ({
          id,
          user: 'eve',
          createdAtMs: now - HOUR,
          lastSeenAtMs: now - HOUR,
          expiresAtMs,
          endedAtMs: null,
          clientAddress: null,
          userAgent: null,
        });
        const tok = (jti: string, s: SessionRecord) => ({ jti, sessionId: s.id, user: 'eve', issuedAtMs: s.createdAtMs, expiresAtMs: s.expiresAtMs });
        const ref = (digest: string, s: SessionRecord) => ({ digest, sessionId: s.id, expiresAtMs: s.expiresAtMs, spentAtMs: null, successor: null });
        for (const s of [sess('sess-exp', now - 1), sess('sess-ended', now + HOUR), sess('sess-ok', now + HOUR)]) {
          await store.sessions.createSession(s, tok(`tok-${s.id}`, s), ref(`ref-${s.id}`, s));
        }
        await store.sessions.endSession('sess-ended', now, 0);

        const removed = await store.revocations.purgeExpired(now);
        assert.ok(removed >= 3, `removed ${removed}`);
        assert.equal(await store.revocations.purgeExpired(now), 0);
        const left = await store.revocations.changesSince(0, 10_000);
        assert.ok(left.every((e) => e.expiresAtMs > now), 'only unexpired rows remain');
        assert.ok(left.some((e) => e.seq === kept.seq), 'the unexpired row is kept');
        assert.equal(await store.sessions.findSession('sess-exp'), null);
        assert.equal(await store.sessions.findSession('sess-ended'), null, 'ended sessions are purged');
        assert.notEqual(await store.sessions.findSession('sess-ok'), null);
        assert.equal(await store.sessions.findToken('tok-sess-exp'), null);
        assert.notEqual(await store.sessions.findToken('tok-sess-ok'), null);
        assert.equal(await store.sessions.findRefreshToken('ref-sess-exp'), null);
        assert.equal(await store.sessions.findRefreshToken('ref-sess-ended'), null, 'refresh tokens of ended sessions are purged');
        assert.notEqual(await store.sessions.findRefreshToken('ref-sess-ok'), null);
        // After a purge the snapshot's cursor still leads only to newer events.
        const snap = await store.revocations.snapshot(now, () => {});
        const next = await store.revocations.revokeUser({ user: 'eve', notBeforeMs: now, expiresAtMs: now + HOUR });
        assert.deepEqual(await store.revocations.changesSince(snap, 100), [next]);
      });

      test('headSeq is the last seq assigned; purging the newest rows does not lower it', async () => {
        const now = Date.now();
        const event = await store.revocations.revokeToken({ jti: 'j-head', user: 'hal', expiresAtMs: now - 1 });
        assert.equal(await store.revocations.headSeq(), event.seq);
        await store.revocations.purgeExpired(now);
        assert.equal(await store.revocations.headSeq(), event.seq, 'the feed must not take a purge for a reset log');
      });

      test('a user revocation lives as long as the longest recorded token lifetime, whoever writes it', async () => {
        const now = Date.now();
        await store.revocations.recordTokenLifetime(24 * HOUR);
        // A writer with a short TTL (say, the CLI) asks for one hour; the store keeps it a day.
        const a = await store.revocations.revokeUser({ user: 'hal', notBeforeMs: now, expiresAtMs: now + HOUR });
        assert.equal(a.expiresAtMs, now + 24 * HOUR);
        // Recording a shorter lifetime later does not lower the bound; another store sees it too.
        await open().revocations.recordTokenLifetime(HOUR);
        const b = await open().revocations.revokeUser({ user: 'ida', notBeforeMs: now, expiresAtMs: now + HOUR });
        assert.equal(b.expiresAtMs, now + 24 * HOUR);
        await store.revocations.purgeExpired(now + 2 * HOUR);
        const left = await store.revocations.changesSince(cursor, 100);
        assert.deepEqual(left.map((e) => (e.kind === 'key' ? e.kid : e.user)).sort(), ['hal', 'ida'], 'kept past the writer\'s own bound');
        await store.revocations.purgeExpired(now + 24 * HOUR);
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), []);
      });

      test('another store on the same backend sees the events, in the same order', async () => {
        const other = open();
        const event = await other.revocations.revokeToken({ jti: 'j-other', user: 'fay', expiresAtMs: Date.now() + HOUR });
        assert.deepEqual(await store.revocations.changesSince(cursor, 100), [event]);
      });

      test('a follower reading while many writers commit concurrently never skips an event', async () => {
        const writers = [open(), open(), store];
        let done = false;
        const seen: number[] = [];
        const follow = (async () => {
          let at = cursor;
          for (;;) {
            const finished = done; // read once more after the writers are done
            for (const e of await store.revocations.changesSince(at, 1000)) {
              seen.push(e.seq);
              at = e.seq;
            }
            if (finished) return;
            await new Promise((r) => setImmediate(r));
          }
        })();
        const expiresAtMs = Date.now() + HOUR;
        const written = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            i % 3 === 0
              ? writers[i % 3]!.revocations.revokeUser({ user: `u${i}`, notBeforeMs: Date.now(), expiresAtMs })
              : writers[i % 3]!.revocations.revokeToken({ jti: `j-race-${i}`, user: `u${i}`, expiresAtMs }),
          ),
        );
        done = true;
        await follow;
        assert.deepEqual(seen, written.map((e) => e.seq).sort((a, b) => a - b));
      });
    });

    describe('signing keys', () => {
      const key = (kid: string, state: StoredKey['state'], expiresAtMs = Number.MAX_SAFE_INTEGER): StoredKey => ({
        kid,
        alg: 'EdDSA',
        state,
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: `x-${kid}` },
        createdAtMs: 1000,
        activatedAtMs: state === 'active' ? 2000 : null,
        expiresAtMs,
        sealedPrivateKey: `sealed-${kid}`,
      });
      const tail = async (s: Store) => {
        let at = 0;
        for (;;) {
          const page = await s.revocations.changesSince(at, 1000);
          if (page.length === 0) return at;
          at = page.at(-1)!.seq;
        }
      };

      test('updateKeys stores the plan as feed events between revocations, in seq order, without private keys', async () => {
        const start = await tail(store);
        const before = await store.revocations.revokeToken({ jti: 'j-key-1', user: 'kim', expiresAtMs: Date.now() + HOUR });
        const events = await store.keys.updateKeys(Date.now(), (keys) => {
          assert.deepEqual(keys, [], 'no keys yet');
          return [key('k-a', 'active'), key('k-b', 'next')];
        });
        const after = await store.revocations.revokeToken({ jti: 'j-key-2', user: 'kim', expiresAtMs: Date.now() + HOUR });
        assert.deepEqual(events.map((e) => [e.kind, e.kind === 'key' && e.kid, e.kind === 'key' && e.state]), [
          ['key', 'k-a', 'active'],
          ['key', 'k-b', 'next'],
        ]);
        const { sealedPrivateKey: _, ...publicHalf } = key('k-a', 'active');
        assert.deepEqual(events[0], { seq: events[0]!.seq, kind: 'key', ...publicHalf });
        const feed = await store.revocations.changesSince(start, 100);
        assert.deepEqual(feed.map((e) => e.seq), [before.seq, ...events.map((e) => e.seq), after.seq]);
        assert.ok(feed.every((e) => !('sealedPrivateKey' in e)), 'no private key in the feed');
        assert.deepEqual(await store.keys.listKeys(Date.now()), [key('k-a', 'active'), key('k-b', 'next')]);
      });

      test('a changed key takes a new seq; the feed and the snapshot hold its latest state', async () => {
        const start = await tail(store);
        const [changed] = await store.keys.updateKeys(Date.now(), (keys) => [{ ...keys.find((k) => k.kid === 'k-b')!, state: 'active' }]);
        const feed = await store.revocations.changesSince(start, 100);
        assert.deepEqual(feed, [changed]);
        const inSnapshot: RevocationEvent[] = [];
        const cursor = await store.revocations.snapshot(Date.now(), (e) => e.kind === 'key' && inSnapshot.push(e));
        assert.equal(cursor, changed!.seq, 'the snapshot cursor counts key changes');
        assert.deepEqual(
          inSnapshot.map((e) => e.kind === 'key' && [e.kid, e.state]),
          [
            ['k-a', 'active'],
            ['k-b', 'active'],
          ],
        );
        // A revocation after a key change still gets a larger seq.
        const next = await store.revocations.revokeToken({ jti: 'j-key-3', user: 'kim', expiresAtMs: Date.now() + HOUR });
        assert.ok(next.seq > changed!.seq, 'seq keeps growing across both kinds');
      });

      test('a plan that throws a domain error changes nothing and the error passes unchanged', async () => {
        const start = await tail(store);
        await assert.rejects(
          store.keys.updateKeys(Date.now(), () => {
            throw new KeyNotFound('nope');
          }),
          KeyNotFound,
        );
        assert.deepEqual(await store.revocations.changesSince(start, 100), []);
      });

      test('plans of two instances at the same moment run one after the other', async () => {
        const [a, b] = [open(), open()];
        const plan = (keys: StoredKey[]) => (keys.some((k) => k.kid.startsWith('k-race')) ? [] : [key(`k-race-${keys.length}`, 'next')]);
        const results = await Promise.all([a.keys.updateKeys(Date.now(), plan), b.keys.updateKeys(Date.now(), plan)]);
        assert.equal(results.flat().length, 1, 'exactly one instance made the key');
      });

      test('purgeExpired removes keys past their expiry only', async () => {
        const now = Date.now();
        await store.keys.updateKeys(now, () => [key('k-old', 'retired', now - 1), key('k-live', 'retired', now + HOUR)]);
        assert.ok((await store.revocations.purgeExpired(now)) >= 1, 'purged');
        const kids = (await store.keys.listKeys(now - 10_000)).map((k) => k.kid);
        assert.ok(!kids.includes('k-old') && kids.includes('k-live'), `kids left: ${kids.join(',')}`);
      });
    });

    if (kind === 'postgres') {
      test('the change signal wakes subscribers when another instance revokes', async () => {
        const other = open();
        let woken = 0;
        const unsubscribe = store.changeSignal!.subscribe(() => woken++);
        // The first wake-up says LISTEN is in place.
        await until(() => woken > 0);
        const before = woken;
        await other.revocations.revokeToken({ jti: 'j-signal', user: 'gus', expiresAtMs: Date.now() + HOUR });
        await until(() => woken > before);
        unsubscribe();
      });
    }

    test('a closed store fails with StoreUnavailable, never silently', async () => {
      const s = db.open();
      await s.ping();
      await s.close();
      await assert.rejects(s.ping(), StoreUnavailable);
      await assert.rejects(s.revocations.revokeToken({ jti: 'j-closed', user: 'x', expiresAtMs: Date.now() + HOUR }), StoreUnavailable);
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
