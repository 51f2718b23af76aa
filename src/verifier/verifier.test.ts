/**
 * The verifier against hostile or broken streams (a fake service in this process): nothing in
 * the stream can crash the consumer or make it accept a token; it fails closed and reconnects.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { FeedStale, TokenInvalid } from '../errors.js';
import { createVerifier, type Verifier } from './verifier.js';

const SECRET = 'unit-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const sign = createSigner({ key: SECRET, algorithm: 'HS256' });
const token = (claims: Record<string, unknown> = {}) => sign({ iss: 'ats.auth', sub: 'u', exp: Math.floor(Date.now() / 1000) + 3600, jti: `j${Math.random()}`, ...claims });

const HELLO = 'event: hello\ndata: {"issuer":"ats.auth","tokenTtlSeconds":86400,"clockLeewaySeconds":30,"full":true,"heartbeatMs":1000}\n\n';

/** What the fake service answers on each connection, in turn (the last one repeats). */
let script: Array<(res: ServerResponse) => void> = [];
let connections = 0;
const server = createServer((req, res) => {
  const step = script[Math.min(connections, script.length - 1)]!;
  connections++;
  step(res);
});
let url = '';
const errors: string[] = [];

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const sse = (res: ServerResponse, text: string, end = true) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(text);
  if (end) res.end();
};

async function withVerifier(steps: typeof script, body: (v: Verifier) => Promise<void>): Promise<void> {
  script = steps;
  connections = 0;
  errors.length = 0;
  const verifier = createVerifier({ url, secret: SECRET, staleMs: 1000, minBackoffMs: 10, maxBackoffMs: 50, onError: (e) => errors.push(e.message) });
  try {
    await body(verifier);
  } finally {
    await verifier.close();
  }
}

const until = async (what: string, probe: () => boolean, ms = 3000) => {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > ms) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const GOOD = (res: ServerResponse) => {
  sse(res, `${HELLO}event: token\ndata: {"seq":1,"kind":"token","jti":"gone","user":"u","expiresAtMs":${Date.now() + 3_600_000}}\n\nid: 1\nevent: ready\ndata: {"cursor":1}\n\n`, false);
  const beat = setInterval(() => res.write('event: heartbeat\ndata: {"cursor":1,"lagMs":3}\n\n'), 200);
  res.on('close', () => clearInterval(beat));
};

const BROKEN: Record<string, (res: ServerResponse) => void> = {
  'not JSON': (res) => sse(res, `${HELLO}event: token\ndata: {nope\n\n`),
  'an unknown kind': (res) => sse(res, `${HELLO}event: martian\ndata: {"seq":1,"kind":"martian"}\n\n`),
  'a token event without its jti': (res) => sse(res, `${HELLO}event: token\ndata: {"seq":1,"kind":"token","user":"u","expiresAtMs":1}\n\n`),
  'an event named unlike its kind': (res) => sse(res, `${HELLO}event: user\ndata: {"seq":1,"kind":"token","jti":"x","user":"u","expiresAtMs":1}\n\n`),
  'a truncated event': (res) => sse(res, `${HELLO}event: token\ndata: {"seq":1,"kind":"tok`),
  'a ready without id': (res) => sse(res, `${HELLO}event: ready\ndata: {}\n\n`),
  'a malformed hello': (res) => sse(res, 'event: hello\ndata: {"issuer":7}\n\n'),
  'a malformed heartbeat': (res) => sse(res, `${HELLO}event: heartbeat\ndata: {"lagMs":"soon"}\n\n`),
  'an endless line': (res) => sse(res, `${HELLO}data: ${'x'.repeat(2 * 1024 * 1024)}`),
  'a 500': (res) => res.writeHead(500).end('oops'),
  'HTML': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'),
  'binary garbage': (res) => sse(res, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1')),
  'silence': (res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).write(HELLO),
};

for (const [what, step] of Object.entries(BROKEN)) {
  test(`a stream with ${what} does not crash the consumer: it fails closed, reconnects, then recovers`, async () => {
    await withVerifier([step, step, GOOD], async (verifier) => {
      const early = token();
      try {
        verifier.verify(early);
        assert.fail('accepted a token before any state');
      } catch (error) {
        assert.ok(error instanceof FeedStale, `FeedStale, got ${String(error)}`);
      }
      await until('recovered on a good stream', () => verifier.status().current, what === 'silence' ? 6000 : 3000);
      assert.ok(connections >= 3, 'reconnected after each broken stream');
      assert.ok(errors.length >= 2, 'told onError');
      assert.equal(verifier.verify(early).sub, 'u');
      assert.throws(() => verifier.verify(token({ jti: 'gone' })), (e) => e instanceof TokenInvalid && e.reason === 'revoked');
    });
  });
}

test('a stream that stops vouching makes verify fail closed after the bound', async () => {
  const quiet = (res: ServerResponse) => sse(res, `${HELLO}id: 5\nevent: ready\ndata: {"cursor":5}\n\n`, false);
  await withVerifier([quiet], async (verifier) => {
    await verifier.ready();
    const t = token();
    assert.equal(verifier.verify(t).sub, 'u');
    await until('stale', () => !verifier.status().current, 3000);
    assert.throws(() => verifier.verify(t), FeedStale);
  });
});

test('a heartbeat reporting a lagging server counts against the bound', async () => {
  const lagging = (res: ServerResponse) => {
    sse(res, `${HELLO}id: 1\nevent: ready\ndata: {"cursor":1}\n\n`, false);
    const beat = setInterval(() => res.write('event: heartbeat\ndata: {"cursor":1,"lagMs":4000}\n\n'), 100);
    res.on('close', () => clearInterval(beat));
  };
  await withVerifier([lagging], async (verifier) => {
    await verifier.ready();
    await until('heartbeat seen', () => !verifier.status().current, 2000);
    assert.throws(() => verifier.verify(token()), FeedStale);
  });
});

test('reconnects resume from the last event id', async () => {
  const seen: Array<string | undefined> = [];
  const first = (res: ServerResponse) => sse(res, `${HELLO}id: 1\nevent: ready\ndata: {"cursor":1}\n\nid: 7\nevent: user\ndata: {"seq":7,"kind":"user","user":"u","notBeforeMs":1,"expiresAtMs":${Date.now() + 60_000}}\n\n`);
  const onRequest = (req: { headers: Record<string, unknown> }) => seen.push(req.headers['last-event-id'] as string | undefined);
  server.on('request', onRequest);
  try {
    await withVerifier([first, GOOD], async (verifier) => {
      await until('reconnected', () => seen.length >= 2);
      assert.deepEqual(seen.slice(0, 2), [undefined, '7']);
      await until('current', () => verifier.status().current);
      assert.throws(() => verifier.verify(token({ iat: 0 })), (e) => e instanceof TokenInvalid);
    });
  } finally {
    server.off('request', onRequest);
  }
});
