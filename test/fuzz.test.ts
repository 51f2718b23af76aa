/**
 * Property-based fuzzing against the running server (fast-check): random and malformed JSON,
 * content types, header values, Authorization schemes, methods and paths, and raw bytes on the
 * socket. Properties: never a 5xx, never a crash or an error in the log, and never a 200 from
 * verify unless the request carried a token this test was issued and has not revoked (the test
 * keeps that model up to date as the fuzzed requests log in, log out and log out everywhere).
 *
 * CI runs a fixed seed list with a few runs each (seconds). For a longer hunt:
 *   FUZZ_RUNS=2000 FUZZ_SEED=$RANDOM node --import tsx --test test/fuzz.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { decodeUserHeader } from '../src/http/user-header.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEEDS = process.env.FUZZ_SEED !== undefined ? [Number(process.env.FUZZ_SEED)] : [1, 2024, 8725];
const PASSWORD = 'fuzz-password-0123';

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 });
const b64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'), maxLength: 300 });

interface Model {
  /** Tokens issued to this test and not revoked: the only ones verify may accept. */
  valid: Set<string>;
  revoked: Set<string>;
  /** How often verify said 200, so a run that never reached it does not pass unnoticed. */
  accepted: number;
}

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function send(server: TestServer, req: Sent): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    // Node's client sends a DELETE/GET body without framing it, which is not HTTP but two
    // requests' worth of bytes; frame every body (unframed bytes are fuzzed over raw sockets below).
    const headers = { ...req.headers };
    const framed = Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
    if (req.body !== undefined && !framed) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    r.on('error', reject);
    r.setTimeout(10_000, () => r.destroy(new Error('timeout')));
    r.end(req.body);
  });
}

/** The token a request presents, as the service would read it (RFC 6750 Bearer). */
function presented(headers: Record<string, string>): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '')?.[1];
}

for (const kind of STORES) {
  describe(`fuzz (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    const model: Model = { valid: new Set(), revoked: new Set(), accepted: 0 };

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      await server.addUser('marco', PASSWORD);
      for (let i = 0; i < 3; i++) model.valid.add(await server.login('marco', PASSWORD));
      const revoked = await server.login('marco', PASSWORD);
      assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${revoked}` } })).status, 204);
      model.revoked.add(revoked);
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    const known = () => [...model.valid, ...model.revoked];

    /** Logs in from an address of its own (so fuzzed failures do not throttle it) when no token is valid. */
    async function replenish(): Promise<void> {
      if (model.valid.size > 0) return;
      const res = await server.post('/user/login', {
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.77' },
        body: JSON.stringify({ username: 'marco', password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      model.valid.add(((await res.json()) as { token: string }).token);
    }
    const tokenish = fc.oneof(
      fc.constant(undefined),
      fc.nat().map((i) => known()[i % known().length]!),
      fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...'Aa0-_.=~+/ ')).map(([i, at, c]) => {
        const token = known()[i % known().length]!;
        const index = at % token.length;
        return token.slice(0, index) + c + token.slice(index + 1);
      }),
      fc.nat().map((i) => known()[i % known().length]!.split('.').reverse().join('.')),
      b64url,
    );
    const authorization = fc.oneof(
      fc.constant(undefined),
      { arbitrary: tokenish.map((t) => (t === undefined ? undefined : `Bearer ${t}`)), weight: 3 },
      // A token the model holds valid right now, so the accepting side of verify is exercised too.
      { arbitrary: fc.nat().map((i) => `Bearer ${[...model.valid][i % model.valid.size] ?? known()[0]}`), weight: 3 },
      { arbitrary: fc.nat().map((i) => `Bearer ${[...model.revoked][i % model.revoked.size]}`), weight: 2 },
      fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'JWT', 'Digest', ''), fc.constantFrom(' ', '  ', '\t', ''), tokenish, fc.constantFrom('', ' ', ',x'))
        .map(([scheme, gap, token, tail]) => `${scheme}${gap}${token ?? ''}${tail}`),
      printable,
    );
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/jwt',
        'application/*',
        '*/*',
        '',
      ),
      printable,
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.json(),
      fc.record({ username: fc.oneof(fc.constant('marco'), fc.string(), fc.integer(), fc.constant(null)), password: fc.oneof(fc.constant(PASSWORD), fc.string(), fc.boolean()) })
        .map((v) => JSON.stringify(v)),
      fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.nat({ max: 20_000 }).map((n) => JSON.stringify({ username: 'marco', password: 'x'.repeat(n) })),
      fc.constant('username=marco&password=' + PASSWORD),
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH');
    const path = fc.oneof(
      { arbitrary: fc.constantFrom('/user/login', '/user/logout', '/user/logout_all', '/user/verify', '/user/verify', '/healthz'), weight: 4 },
      fc.constantFrom('/user/verify?x=1', '/user/verify/', '/USER/VERIFY', '//user/login', '/user/login%00', '/user/../user/verify', '/user/logout_all#x', '*'),
      fc.webPath(),
    );
    const request = fc.record({
      method,
      path,
      authorization,
      contentType,
      body,
      userHeader: fc.oneof(fc.constant(undefined), printable),
      forwardedFor: fc.oneof(fc.constant(undefined), printable, fc.ipV4(), fc.ipV6()),
    });

    function check(sent: Sent, res: { status: number; headers: Record<string, unknown>; body: string }): void {
      assert.ok(res.status < 500, `${res.status} for ${JSON.stringify(sent).slice(0, 500)}: ${res.body.slice(0, 200)}`);
      const token = presented(sent.headers);
      const pathname = sent.path.split(/[?#]/)[0];
      if (res.status === 200 && res.headers['x-auth-userid'] !== undefined) {
        assert.ok(token !== undefined && model.valid.has(token), `verify accepted ${sent.headers.authorization}`);
        model.accepted++;
      }
      // Keep the model in step with what the fuzzed requests did.
      if (res.status === 200 && pathname === '/user/login' && sent.method === 'POST') {
        model.valid.add((JSON.parse(res.body) as { token: string }).token);
      }
      if (res.status === 204 && pathname === '/user/logout' && token !== undefined && model.valid.delete(token)) {
        model.revoked.add(token);
      }
      if (res.status === 204 && pathname === '/user/logout_all') {
        const gateway = sent.headers['x-auth-userid']?.trim();
        if (gateway === undefined || gateway === '' || decodeUserHeader(gateway) === 'marco') {
          for (const t of model.valid) model.revoked.add(t);
          model.valid.clear();
        }
      }
    }

    for (const seed of SEEDS) {
      test(`HTTP requests, seed ${seed}, ${RUNS} runs`, async () => {
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            await replenish();
            const headers: Record<string, string> = {};
            if (r.authorization !== undefined) headers.authorization = r.authorization;
            if (r.body !== undefined) headers['content-type'] = r.contentType;
            if (r.userHeader !== undefined) headers['x-auth-userid'] = r.userHeader;
            if (r.forwardedFor !== undefined) headers['x-forwarded-for'] = r.forwardedFor;
            const sent: Sent = { method: r.method, path: r.path, headers, body: r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body };
            const res = await send(server, sent);
            check(sent, res);
          }),
          { seed, numRuns: RUNS, endOnFailure: true },
        );
      });
    }

    test(`raw bytes on the socket, ${RUNS} runs`, async () => {
      const port = server.port;
      const line = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.tuple(method, path, fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', ''), fc.array(printable, { maxLength: 5 }), fc.string({ maxLength: 100 }))
          .map(([m, p, v, hs, b]) => `${m} ${p} ${v}\r\n${hs.map((h) => `${h}\r\n`).join('')}\r\n${b}`),
      );
      await fc.assert(
        fc.asyncProperty(line, async (bytes) => {
          const answer = await new Promise<string>((resolve) => {
            const socket = connect(Number(port), '127.0.0.1');
            let data = '';
            socket.setEncoding('latin1');
            socket.on('data', (chunk: string) => (data += chunk));
            socket.on('error', () => resolve(data));
            socket.on('close', () => resolve(data));
            socket.setTimeout(2000, () => socket.destroy());
            socket.end(Buffer.from(bytes, 'latin1'));
          });
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
          assert.ok(status === undefined || Number(status) < 500, `${status} for ${JSON.stringify(bytes)}`);
        }),
        { seed: SEEDS[0], numRuns: RUNS, endOnFailure: true },
      );
    });

    test('the server is still up and logged no error', async () => {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal(server.child.exitCode, null);
      const errors = server.logs.filter((l) => /"level":(50|60)/.test(l) || /unhandled/i.test(l));
      assert.deepEqual(errors, []);
      assert.ok(model.revoked.size > 0, 'the model saw revoked tokens');
      assert.ok(model.accepted > 0, `verify accepted some valid tokens (${JSON.stringify({ accepted: model.accepted, valid: model.valid.size, revoked: model.revoked.size })})`);
    });
  });
}
