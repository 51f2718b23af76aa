/**
 * §14 end to end, on both stores: GET /user/revocations and the `ats-auth/verifier` package
 * against real running services. Instances A and B share one store; verifiers follow B while
 * revocations go through A (so every refusal crossed the change feed and the stream).
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
// Through the package's own `exports`, as a user would import it.
import { createVerifier, fastifyPlugin, FeedStale, TokenInvalid, type Verifier } from 'ats-auth/verifier';
import { createApp } from '../examples/verifier-express/server.js';
import { eventually } from './support/fresh-http.js';
import { forge, seedStyleToken } from './support/jwt.js';
import { baseEnv, freshDataDir, removeDir, runCli, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle, type StoreKind } from './support/stores.js';

const STREAM_KEY = 'stream-key-0123456789-abcdefghijklmnopqrstuvwxyz';
/** SPEC §3/§14: every other instance (and an in-process verifier) refuses within 100 ms, p99. */
const PROPAGATION_P99_MS = 100;

function refusal(verifier: Verifier, token: string): unknown {
  try {
    verifier.verify(token);
    return undefined;
  } catch (error) {
    return error;
  }
}

const isRevoked = (verifier: Verifier, token: string) => {
  const error = refusal(verifier, token);
  return error instanceof TokenInvalid && error.reason === 'revoked';
};

/**
 * fetch for a verifier that tells `onChunk` when each chunk of its revocation stream arrived,
 * once the verifier has applied it (setImmediate runs after the microtasks that hand the chunk
 * over and parse it). Propagation is then timed by the arrival itself, not by how often the
 * test looks, and the test waits without spinning the CPU the services need.
 */
function observingFetch(onChunk: (arrivedMs: number) => void): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (res.body === null || !String(input).endsWith('/user/revocations')) return res;
    const observed = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          const arrivedMs = performance.now();
          controller.enqueue(chunk);
          setImmediate(() => onChunk(arrivedMs));
        },
      }),
    );
    return new Response(observed, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

async function logout(server: TestServer, token: string): Promise<void> {
  const res = await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 204, 'logout answered 204');
}

async function metric(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.split(' ')[1]);
}

/** Raw GET /user/revocations; resolves with the response (not yet read). */
function openStream(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/user/revocations`, { headers, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

for (const kind of STORES) {
  describe(`revocation stream and in-process verifier (${kind})`, () => {
    let db: StoreHandle;
    let a: TestServer, b: TestServer;
    let verifier: Verifier;
    /** Told when each stream chunk reached `verifier` (observingFetch). */
    let onChunk: (arrivedMs: number) => void = () => {};
    // SQLite has no wake-up signal: a short poll stands in for PostgreSQL's NOTIFY.
    const poll: Record<string, string> = kind === 'sqlite' ? { ATS_AUTH_FEED_POLL_MS: '20' } : {};

    before(async () => {
      db = await storeEnv(kind);
      // Loopback is not trusted here: the stream needs the key.
      const env = { ...db.env, ...poll, ATS_AUTH_STREAM_KEYS: `other-key-0123456789-abcdefghijklmnopqrstuvwxyz,${STREAM_KEY}`, ATS_AUTH_TRUSTED_PROXIES: '10.0.0.0/8' };
      a = await startServer({ env });
      b = await startServer({ env, dataDir: a.dataDir });
      verifier = createVerifier({ url: b.url, streamKey: STREAM_KEY, secret: TEST_SECRET, fetch: observingFetch((ms) => onChunk(ms)) });
      await verifier.ready();
    });
    after(async () => {
      await verifier?.close();
      await Promise.all([a?.stop(), b?.stop()]);
      if (a) removeDir(a.dataDir);
      await db?.drop();
    });

    test('the stream needs a trusted peer or a stream key: 401 otherwise', async () => {
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong-key-0123456789-abcdefghijklmnopqrstuvwxyz' }, { authorization: STREAM_KEY }]) {
        const res = await fetch(`${b.url}/user/revocations`, { headers });
        assert.equal(res.status, 401, `refused with ${JSON.stringify(headers)}`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
        assert.equal(((await res.json()) as { error: string }).error, 'unauthenticated');
      }
      const res = await openStream(b.url, { authorization: `Bearer ${STREAM_KEY}` });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      res.destroy();
    });

    test('a valid token verifies in process with its identity', () => {
      const token = forge(TEST_SECRET, { sub: 'marco', jti: 'j-identity' });
      const result = verifier.verify(token);
      assert.equal(result.sub, 'marco');
      assert.equal(result.jti, 'j-identity');
      assert.equal(result.sid, undefined);
      assert.equal(typeof result.exp, 'number');
      assert.equal(result.claims.iss, 'ats.auth');
      const bad = refusal(verifier, forge('another-secret-0123456789-abcdefghijklmnopqrstuvwxyz'));
      assert.ok(bad instanceof TokenInvalid, 'a foreign token is refused as TokenInvalid');
      assert.ok(refusal(verifier, forge(TEST_SECRET, { exp: Math.floor(Date.now() / 1000) - 3600 })) instanceof TokenInvalid, 'expired');
    });

    test(`a token logged out on another instance is refused in process within ${PROPAGATION_P99_MS} ms (p99 of 200)`, async (t) => {
      // From logout's 204 (the bound's start, SPEC §3) to the arrival of the stream chunk after
      // which the verifier refuses the token; 0 when it arrived before the answer did.
      const latencies: number[] = [];
      try {
        for (let i = 0; i < 200; i++) {
          const token = forge(TEST_SECRET, { sub: `user-${i % 7}` });
          assert.equal(refusal(verifier, token), undefined, 'valid before the logout');
          let refusedAtMs: number | undefined;
          let refused = () => {};
          const whenRefused = new Promise<void>((resolve) => (refused = resolve));
          onChunk = (arrivedMs) => {
            if (refusedAtMs === undefined && isRevoked(verifier, token)) {
              refusedAtMs = arrivedMs;
              refused();
            }
          };
          await logout(a, token);
          const answered = performance.now();
          const timeout = setTimeout(refused, 5000);
          await whenRefused;
          clearTimeout(timeout);
          if (refusedAtMs === undefined) assert.fail('not refused within 5 s');
          latencies.push(Math.max(0, refusedAtMs - answered));
        }
      } finally {
        onChunk = () => {};
      }
      latencies.sort((x, y) => x - y);
      const p50 = latencies[99]!;
      const p99 = latencies[197]!;
      t.diagnostic(`propagation p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
      assert.ok(p99 <= PROPAGATION_P99_MS, `p99 ${p99.toFixed(1)} ms (p50 ${p50.toFixed(1)} ms) within ${PROPAGATION_P99_MS} ms`);
    });

    test('logout_all on another instance refuses every earlier token of the user in process', async () => {
      const now = Math.floor(Date.now() / 1000);
      const first = forge(TEST_SECRET, { sub: 'anna', iat: now - 5 });
      const second = forge(TEST_SECRET, { sub: 'anna', iat: now - 1 });
      const someoneElse = forge(TEST_SECRET, { sub: 'bert', iat: now - 1 });
      const res = await a.post('/user/logout_all', { headers: { authorization: `Bearer ${second}` } });
      assert.equal(res.status, 204);
      await eventually('both of anna\'s tokens refused', async () => isRevoked(verifier, first) && isRevoked(verifier, second), 1000, 2);
      assert.equal(refusal(verifier, someoneElse), undefined, "another user's token still verifies");
      const later = forge(TEST_SECRET, { sub: 'anna', iat: now + 2 });
      assert.equal(refusal(verifier, later), undefined, 'a token issued after the logout_all verifies');
    });

    test('a token of the older service (no jti) logged out by its digest is refused in process', async () => {
      const token = seedStyleToken(TEST_SECRET, 'olga');
      const other = seedStyleToken(TEST_SECRET, 'olga');
      assert.equal(verifier.verify(token).jti, undefined);
      await logout(a, token);
      await eventually('refused in process', async () => isRevoked(verifier, token), 1000, 2);
      assert.equal(refusal(verifier, other), undefined, 'exactly that token');
    });

    test('a session ended on another instance (DELETE /user/sessions/{id}) is refused in process', async () => {
      await a.addUser('sina', 'sina-password-0123456789');
      const ended = await a.login('sina', 'sina-password-0123456789');
      const kept = await a.login('sina', 'sina-password-0123456789');
      await eventually('both sessions verify in process', async () => refusal(verifier, ended) === undefined && refusal(verifier, kept) === undefined, 1000, 2);
      const sid = verifier.verify(ended).sid;
      assert.equal(typeof sid, 'string', 'verify() returns the token\'s sid');
      assert.notEqual(verifier.verify(kept).sid, sid, 'each login is its own session');
      const res = await fetch(`${a.url}/user/sessions/${encodeURIComponent(sid!)}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${kept}` },
      });
      assert.equal(res.status, 204, 'the session is ended');
      await eventually('the ended session\'s token refused in process', async () => isRevoked(verifier, ended), 1000, 2);
      assert.equal(refusal(verifier, kept), undefined, 'the other session still verifies');
      assert.ok(verifier.status().endedSessions >= 1, 'status() counts ended sessions');
    });

    test('500 consumers each get a change the feed read once', async () => {
      const consumers = await Promise.all(Array.from({ length: 500 }, () => openStream(b.url, { authorization: `Bearer ${STREAM_KEY}` })));
      const token = forge(TEST_SECRET, { sub: 'fan', jti: `fan-out-${kind}` });
      const seen = consumers.map(
        (res) =>
          new Promise<void>((resolve) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
              if (text.includes(`"jti":"fan-out-${kind}"`)) resolve();
            });
          }),
      );
      try {
        await eventually('500 consumers are attached', async () => (await metric(b, 'ats_auth_stream_consumers')) >= 501, 10_000, 50);
        await logout(a, token);
        await Promise.race([Promise.all(seen), new Promise((_, reject) => setTimeout(() => reject(new Error('not every consumer got the event in 10 s')), 10_000))]);
      } finally {
        for (const res of consumers) res.destroy();
      }
    });

    test('Express (the example service) and Fastify middleware set the user or refuse', async () => {
      const express = createApp(verifier).listen(0, '127.0.0.1');
      await new Promise((r) => express.once('listening', r));
      const fastify = Fastify();
      await fastify.register(fastifyPlugin(verifier));
      fastify.get('/whoami', async (request) => ({ user: (request as unknown as { auth: { sub: string } }).auth.sub, userHeader: request.headers['x-auth-userid'] }));
      await fastify.listen({ port: 0, host: '127.0.0.1' });
      try {
        const urls = [`http://127.0.0.1:${(express.address() as { port: number }).port}/whoami`, `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}/whoami`];
        const good = forge(TEST_SECRET, { sub: 'zoë' });
        const revoked = forge(TEST_SECRET, { sub: 'marco' });
        await logout(a, revoked);
        await eventually('revoked in process', async () => isRevoked(verifier, revoked), 1000, 2);
        for (const url of urls) {
          const ok = await fetch(url, { headers: { authorization: `Bearer ${good}`, 'x-auth-userid': 'admin' } });
          assert.equal(ok.status, 200, url);
          const body = (await ok.json()) as { user: string; userHeader: string };
          assert.equal(body.user, 'zoë');
          assert.equal(body.userHeader, 'zo%C3%AB', 'the gateway encoding; the client-sent header is replaced');
          for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${revoked}` }, { authorization: 'Basic abc' }]) {
            const res = await fetch(url, { headers });
            assert.equal(res.status, 401, `${url} ${JSON.stringify(headers)}`);
            assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
            assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
          }
        }
      } finally {
        express.close();
        await fastify.close();
      }
    });

    test('service killed: the verifier fails closed after its bound, then resumes without losing events', async () => {
      // C: loopback is trusted by default, so this verifier needs no key.
      const c = await startServer({ env: { ...db.env, ...poll }, dataDir: a.dataDir });
      const staleMs = 1500;
      const follower = createVerifier({ url: c.url, secret: TEST_SECRET, staleMs, maxBackoffMs: 200 });
      try {
        await follower.ready();
        const kept = forge(TEST_SECRET, { sub: 'kim' });
        const before = forge(TEST_SECRET, { sub: 'kim' });
        const during = forge(TEST_SECRET, { sub: 'kim' });
        await logout(a, before);
        await eventually('revoked before the kill', async () => isRevoked(follower, before), 1000, 2);
        await c.stop('SIGKILL');
        const killed = performance.now();
        await eventually('fails closed', async () => refusal(follower, kept) instanceof FeedStale, staleMs + 2000, 5);
        const after = performance.now() - killed;
        // The last heartbeat came at most ~1 s before the kill.
        assert.ok(after >= staleMs - 1200, `failed closed ${after.toFixed(0)} ms after the kill, not before its bound`);
        await logout(a, during);
        const restarted = await startServer({ env: { ...c.env, ATS_AUTH_PORT: String(c.port) }, dataDir: a.dataDir });
        try {
          await eventually('current again', async () => follower.status().current, 10_000, 20);
          assert.equal(refusal(follower, kept), undefined, 'a valid token verifies again');
          assert.ok(isRevoked(follower, during), 'the logout made while the service was down is refused');
          assert.ok(isRevoked(follower, before), 'what was revoked before is still refused');
        } finally {
          await restarted.stop();
        }
      } finally {
        await follower.close();
        await c.stop();
      }
    });

    test('a consumer that reads nothing is cut off; one that reads is not', async () => {
      // A state of 60 000 revocations (~7 MB) fills any socket buffer of a consumer that never reads.
      const dataDir = freshDataDir();
      const seeded = await storeEnv(kind);
      const env = { ...seeded.env, ATS_AUTH_FEED_STALE_MS: '1000' };
      const migrated = await runCli(['migrate'], { env: baseEnv(dataDir, env) });
      assert.equal(migrated.code, 0, migrated.stderr);
      await seedRevocations(kind, dataDir, seeded, 60_000);
      const d = await startServer({ env, dataDir });
      const reader = createVerifier({ url: d.url, secret: TEST_SECRET });
      const socket = connect(d.port, '127.0.0.1');
      try {
        await reader.ready();
        assert.equal(reader.status().revokedTokens, 60_000);
        socket.pause();
        socket.write(`GET /user/revocations HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        await eventually('the non-reading consumer is dropped', async () => (await metric(d, 'ats_auth_stream_dropped_total')) === 1, 15_000, 200);
        assert.ok(d.logs.some((line) => line.includes('revocation stream consumer dropped')), 'logged');
        assert.equal(reader.status().current, true, 'the reading consumer is still current');
        assert.equal(await metric(d, 'ats_auth_stream_consumers'), 1);
      } finally {
        socket.destroy();
        await reader.close();
        await d.stop();
        removeDir(dataDir);
        await seeded.drop();
      }
    });
  });
}

/** Writes `count` unexpired token revocations straight into the store. */
async function seedRevocations(kind: StoreKind, dataDir: string, store: StoreHandle, count: number): Promise<void> {
  const expiresAtMs = Date.now() + 3_600_000;
  if (kind === 'sqlite') {
    const sqlite = new Database(join(dataDir, 'ats-auth.sqlite'));
    try {
      sqlite
        .prepare(
          `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?)
           INSERT INTO revocations (kind, jti, username, expires_at_ms, created_at_ms) SELECT 'token', 'seeded-' || i, 'user-' || i, ?, ? FROM g`,
        )
        .run(count, expiresAtMs, Date.now());
    } finally {
      sqlite.close();
    }
    return;
  }
  const { default: postgres } = await import('postgres');
  const sql = postgres(store.databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(
      `INSERT INTO revocations (kind, jti, username, expires_at_ms, created_at_ms)
       SELECT 'token', 'seeded-' || g, 'user-' || g, $1, $2 FROM generate_series(1, $3) g`,
      [expiresAtMs, Date.now(), count],
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}
