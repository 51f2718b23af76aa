/**
 * The hub's fan-out: many subscribers cost one snapshot and one feed read; resuming by cursor
 * sends only what was missed; a too-old cursor gets the whole state; a reloaded (reset) log is
 * sent again to everyone.
 */
import assert from 'node:assert/strict';
import { createServer, get, type IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import type { FeedListener, ReloadListener } from '../revocation/feed.js';
import type { RevocationEvent } from '../store/index.js';
import { RevocationHub } from './hub.js';

const T = Date.now() + 3_600_000;
let snapshots = 0;
/** What the store's log holds: its events in force and its cursor. */
let storeLog: { events: RevocationEvent[]; cursor: number } = {
  events: [
    { seq: 3, kind: 'token', jti: 'a', user: 'u', expiresAtMs: T },
    { seq: 5, kind: 'user', user: 'u', notBeforeMs: 1, expiresAtMs: T },
  ],
  cursor: 5,
};
let listener: FeedListener = () => {};
let reloaded: ReloadListener = () => {};
const hub = new RevocationHub({
  store: {
    async snapshot(_now, onEvent) {
      snapshots++;
      storeLog.events.forEach(onEvent);
      return storeLog.cursor;
    },
  },
  feed: { listen: (l) => ((listener = l), () => {}), onReload: (l) => ((reloaded = l), () => {}), lagMs: () => 7 },
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

test('a reloaded log (reset store) is sent again to every subscriber, with its new cursor, and followed from there', async () => {
  const subs = await Promise.all([subscribe(), subscribe(9)]);
  await until(() => subs.every((s) => s.text().includes('event: ready')), 'both following');
  const mark = subs.map((s) => s.text().length);
  // The log went backwards: it numbers from 1 again and no longer holds 'a'.
  storeLog = { events: [{ seq: 1, kind: 'token', jti: 'reset-1', user: 'u', expiresAtMs: T }], cursor: 1 };
  reloaded(1);
  const since = (i: number) => subs[i]!.text().slice(mark[i]);
  await until(() => subs.every((_, i) => since(i).includes('id: 1\nevent: ready')), 'the state again, ready at the new cursor');
  for (let i = 0; i < subs.length; i++) {
    assert.match(since(i), /^event: hello\ndata: \{.*"full":true/, 'a whole state, announced by hello');
    assert.match(since(i), /event: token\ndata: \{"seq":1,"kind":"token","jti":"reset-1"/);
    assert.doesNotMatch(since(i), /"jti":"a"/, 'what the log no longer holds is not sent');
  }
  listener([{ seq: 2, kind: 'token', jti: 'after-reset', user: 'u', expiresAtMs: T }]);
  await until(() => subs.every((_, i) => since(i).includes('id: 2\nevent: token\ndata: {"seq":2,"kind":"token","jti":"after-reset"')), 'a change after the reset reaches everyone');
  const late = await subscribe();
  await until(() => late.text().includes('event: ready'), 'a new subscriber');
  assert.doesNotMatch(late.text(), /"jti":"a"/, "the hub's own log was reset");
  assert.match(late.text(), /"jti":"after-reset"/);
  assert.match(late.text(), /id: 2\nevent: ready/);
  for (const s of [...subs, late]) s.res.destroy();
});
