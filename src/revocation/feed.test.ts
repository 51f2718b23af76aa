/**
 * The feed follower against each real store: when the log goes backwards (a restored database,
 * a reset sequence, a new SQLite file) it reloads the state instead of waiting, past the new
 * events, for seqs above its old cursor; on SQLite, a start from the stored checkpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { STORES, storeEnv, type StoreKind } from '../../test/support/stores.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/ports.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';
import { startCheckpoints } from './checkpointer.js';
import { RevocationFeed } from './feed.js';
import { RevocationState } from './state.js';

const HOUR = 3_600_000;
const silent = { warn: () => {}, info: () => {} };

/** Two stores on one fresh backend (a follower and a writer), and a way to reset its log. */
async function backend(kind: StoreKind) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ats-auth-feed-'));
    return {
      dir,
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
    dir: '',
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

describe('revocation feed with a checkpoint [sqlite]', () => {
  let db: Awaited<ReturnType<typeof backend>>;
  const now = Date.now();
  const warnings: string[] = [];
  const logged: Record<string, unknown>[] = [];
  const logger = {
    warn: (...args: unknown[]) => void warnings.push(String(args[1])),
    info: (...args: unknown[]) => void logged.push(args[0] as Record<string, unknown>),
  };

  before(async () => {
    db = await backend('sqlite');
    await db.writer.migrate();
  });
  after(async () => {
    for (const store of [db.follower, db.writer] as Store[]) await store.close();
    await db.drop();
  });

  /** A feed started on a fresh state; its state and cursor. */
  async function started() {
    const state = new RevocationState();
    const feed = new RevocationFeed({
      store: db.follower.revocations,
      checkpoints: db.follower.checkpoints,
      signal: undefined,
      state,
      clock: { now: () => Date.now() },
      pollMs: 60_000,
      staleMs: 120_000,
      logger,
    });
    await feed.start();
    await feed.stop();
    return { state, cursor: feed.cursor, passedOver: feed.passedOver, refused: (jti: string) => state.isRevoked({ sub: 'u', revocationId: jti, iatMs: now - HOUR }) };
  }

  test('a start loads the checkpoint and then the log after its cursor', async () => {
    for (const jti of ['a', 'b']) await db.writer.revocations.revokeToken({ jti, user: 'u', expiresAtMs: now + HOUR });
    const at = await started();
    // Something only the checkpoint holds shows that the start read it rather than the rows.
    at.state.apply({ seq: 0, kind: 'token', jti: 'only-in-checkpoint', user: 'u', expiresAtMs: now + HOUR });
    await db.writer.checkpoints!.write({ cursor: at.cursor, format: CHECKPOINT_FORMAT, body: at.state.checkpoint() });
    assert.equal(await db.follower.checkpoints!.cursor(), at.cursor);
    await db.writer.revocations.revokeToken({ jti: 'c', user: 'u', expiresAtMs: now + HOUR });
    await db.writer.revocations.revokeUser({ user: 'w', notBeforeMs: now, expiresAtMs: now + HOUR });

    const next = await started();
    assert.deepEqual(['a', 'b', 'only-in-checkpoint', 'c'].map(next.refused), [true, true, true, true]);
    assert.equal(next.state.notBeforeMs('w'), now, 'a not-before written after the checkpoint');
    assert.equal(next.refused('d'), false);
    assert.equal(next.cursor, at.cursor + 2);
  });

  test('the stored checkpoint never goes back to an earlier cursor, but one of another format replaces it', async () => {
    const state = new RevocationState();
    const cursor = await db.follower.checkpoints!.cursor();
    await db.writer.checkpoints!.write({ cursor: cursor - 1, format: CHECKPOINT_FORMAT, body: state.checkpoint() });
    assert.equal(await db.follower.checkpoints!.cursor(), cursor);
    await db.writer.checkpoints!.write({ cursor: 1, format: CHECKPOINT_FORMAT + 1, body: new Uint8Array([1, 2, 3]) });
    const stored = (await db.follower.checkpoints!.read())!;
    const body = new Uint8Array(stored.body.byteLength);
    stored.body.read(body, 0);
    stored.close();
    assert.deepEqual([stored.cursor, stored.format, [...body]], [1, CHECKPOINT_FORMAT + 1, [1, 2, 3]]);
    warnings.length = 0;
    const next = await started();
    assert.deepEqual(['a', 'b', 'c', 'only-in-checkpoint'].map(next.refused), [true, true, true, false], 'a checkpoint of another format is not read: the rows are');
  });

  test('a damaged checkpoint, or one ahead of the log, is passed over for the rows, with a warning', async () => {
    const head = await db.follower.revocations.headSeq();
    const withExtra = new RevocationState();
    withExtra.apply({ seq: 0, kind: 'token', jti: 'only-in-checkpoint', user: 'u', expiresAtMs: now + HOUR });
    for (const [label, checkpoint] of [
      ['ahead of the log', { cursor: head + 1000, format: CHECKPOINT_FORMAT, body: withExtra.checkpoint() }],
      ['damaged', { cursor: head + 2000, format: CHECKPOINT_FORMAT, body: withExtra.checkpoint().slice(0, 40) }],
    ] as const) {
      await db.writer.checkpoints!.write(checkpoint);
      warnings.length = 0;
      const next = await started();
      assert.deepEqual(['a', 'b', 'c', 'only-in-checkpoint'].map(next.refused), [true, true, true, false], label);
      assert.equal(next.cursor, head, label);
      assert.equal(warnings.length, 1, label);
    }
  });

  test('a process that could not read the stored checkpoint writes a good one at the same cursor', async () => {
    const head = await db.follower.revocations.headSeq();
    await db.writer.checkpoints!.write({ cursor: head, format: CHECKPOINT_FORMAT, body: new Uint8Array(40) });
    const at = await started();
    assert.equal(at.cursor, head);
    assert.equal(at.passedOver, head, 'the feed says which checkpoint it passed over');
    const stop = startCheckpoints({
      store: db.follower.checkpoints!,
      state: at.state,
      cursor: () => at.cursor,
      startedFrom: 0,
      passedOver: head,
      everyRows: 1,
      intervalMs: 60_000,
      logger,
    });
    await stop();
    const next = await started();
    assert.deepEqual(['a', 'b', 'c'].map(next.refused), [true, true, true]);
    assert.equal(logged.at(-1)?.checkpoint, head, 'the next start reads the rewritten checkpoint');
  });

  test('a checkpoint file that is not the one the database records (replaced, deleted) is not read', async () => {
    const withExtra = new RevocationState();
    withExtra.apply({ seq: 0, kind: 'token', jti: 'only-in-checkpoint', user: 'u', expiresAtMs: now + HOUR });
    const head = await db.follower.revocations.headSeq();
    await db.writer.checkpoints!.write({ cursor: head + 3000, format: CHECKPOINT_FORMAT, body: withExtra.checkpoint() });
    // A backup's database with a newer file beside it: the file's id is not the recorded one.
    const file = join(db.dir, 'ats-auth.checkpoint');
    const replaced = readFileSync(file);
    replaced[0]! ^= 0xff;
    writeFileSync(file, replaced);
    assert.equal(await db.follower.checkpoints!.read(), null);
    rmSync(file);
    assert.equal(await db.follower.checkpoints!.read(), null);
    const next = await started();
    assert.deepEqual(['a', 'c', 'only-in-checkpoint'].map(next.refused), [true, true, false]);
  });
});
