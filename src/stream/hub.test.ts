/**
 * The hub's fan-out: many subscribers cost one snapshot and one feed read; resuming by cursor
 * sends only what was missed; a too-old cursor gets the whole state.
 */
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import type { FeedListener } from '../revocation/feed.js';
import type { RevocationEvent } from '../store/index.js';
import { RevocationHub } from './hub.js';

const T = Date.now() + 3_600_000;
let snapshots = 0;
let listener: FeedListener = () => {};
const hub = new RevocationHub({
  store: {
    async snapshot(_now, onEvent) {
      snapshots++;
      onEvent({ seq: 3, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T });
      onEvent({ seq: 5, kind: 'user', user: 'u', notBeforeMs: 1, expiresAtMs: T });
      return 5;
    },
  },
  feed: { listen: (l) => ((listener = l), () => {}), lagMs: () => 7 },
  clock: { now: () => Date.now() },
  verification: { issuer: 'ats.auth', audience: undefined, tokenTtlSeconds: 60, clockLeewaySeconds: 5 },
  heartbeatMs: 100,
  stallMs: 1000,
  maxBufferedBytes: 1 << 20,
  purgeIntervalMs: 60_000,
  logger: { warn() {}, info() {} },
});
const server = createServer(async (req, res) => {
  await hub.load();
  const id = req.headers['last-event-id'];
  hub.attach(res, req.socket.remoteAddress, typeof id === 'string' ? Number(id) : undefined);
});
let port = 0;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(() => {
  hub.close();
  server.closeAllConnections();
  server.close();
});

function subscribe(lastEventId?: number): Promise<{ res: IncomingMessage; text: () => string }> {
  return new Promise((resolve, reject) => {
    const headers = lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) };
    get({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      resolve({ res, text: () => text });
    }).on('error', reject);
  });
}

const until = async (probe: () => boolean, what: string) => {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > 10_000) assert.fail(what);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('500 subscribers: one snapshot, one feed read, every subscriber gets the state and the change', async () => {
  const subs = await Promise.all(Array.from({ length: 500 }, () => subscribe()));
  await until(() => subs.every((s) => s.text().includes('event: ready')), 'every subscriber got the state');
  const first = subs[0]!.text();
  assert.match(first, /^retry: 1000\nevent: hello\ndata: \{"issuer":"ats.auth",.*"full":true/);
  assert.match(first, /event: token\ndata: \{"seq":3,"kind":"token","jti":"a"/);
  assert.doesNotMatch(first.split('id: 5\nevent: ready')[0]!, /^id: /m, 'no ids inside a whole state');
  const event: RevocationEvent = { seq: 9, kind: 'token', jti: 'late', user: 'u', expiresAtMs: T };
  listener([event]);
  await until(() => subs.every((s) => s.text().includes('id: 9\nevent: token\ndata: {"seq":9,"kind":"token","jti":"late"')), 'every subscriber got the change');
  assert.equal(snapshots, 1, 'one snapshot for 500 subscribers');
  await until(() => subs.every((s) => s.text().includes('event: heartbeat\ndata: {"cursor":9,"lagMs":7}')), 'heartbeats');
  for (const s of subs) s.res.destroy();
});

test('resuming sends only what came after the cursor; an unknown cursor gets the whole state', async () => {
  const resumed = await subscribe(5);
  await until(() => resumed.text().includes('event: ready'), 'ready');
  assert.match(resumed.text(), /"full":false/);
  assert.doesNotMatch(resumed.text(), /"jti":"a"/);
  assert.match(resumed.text(), /id: 9\nevent: token/);
  assert.match(resumed.text(), /id: 9\nevent: ready/);
  resumed.res.destroy();
  for (const cursor of [2, 1000]) {
    const again = await subscribe(cursor);
    await until(() => again.text().includes('event: ready'), 'ready');
    assert.match(again.text(), /"full":true/);
    assert.match(again.text(), /"jti":"a"/);
    again.res.destroy();
  }
  assert.equal(snapshots, 1);
});
