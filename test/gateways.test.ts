/**
 * End to end through the real gateways running the shipped examples (examples/nginx,
 * examples/haproxy): client → gateway → (check with ats-auth /user/verify) → an upstream that
 * echoes the X-Auth-UserId it got.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { forge } from './support/jwt.js';
import type { GatewayPorts, RunningGateway } from './support/gateway.js';
import { startHaproxy } from './support/haproxy.js';
import { startNginx } from './support/nginx.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery';

interface Seen {
  method: string;
  url: string;
  /** Every X-Auth-UserId line the upstream received, as sent. */
  userHeaders: string[];
}

/** The application behind the gateway: records each request and echoes the user it was given. */
async function startEchoUpstream(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const userHeaders: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() === 'x-auth-userid') userHeaders.push(req.rawHeaders[i + 1]!);
    }
    seen.push({ method: req.method!, url: req.url!, userHeaders });
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ user: req.headers['x-auth-userid'] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, seen };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch, to send repeated headers as separate lines. */
function send(base: string, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** failClosed: the status each example answers when ats-auth cannot be asked (see its docs). */
const GATEWAYS: { name: string; start: (ports: GatewayPorts) => Promise<RunningGateway>; failClosed: number }[] = [
  { name: 'nginx (examples/nginx)', start: startNginx, failClosed: 500 },
  { name: 'HAProxy (examples/haproxy)', start: startHaproxy, failClosed: 503 },
];

for (const gateway of GATEWAYS)
for (const kind of STORES) {
  describe(`${gateway.name} in front of ats-auth (${kind})`, () => {
    let store: StoreHandle;
    let auth: TestServer;
    let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
    let gw: RunningGateway;
    let get: (path: string, headers?: Record<string, string | string[]>) => Promise<Reply>;
    let post: (path: string, headers?: Record<string, string | string[]>, body?: string) => Promise<Reply>;

    before(async () => {
      store = await storeEnv(kind);
      auth = await startServer({ env: store.env });
      await auth.addUser('marco', PASSWORD);
      await auth.addUser('alice', PASSWORD);
      upstream = await startEchoUpstream();
      gw = await gateway.start({ atsAuth: auth.port, app: upstream.port });
      get = (path, headers) => send(gw.url, 'GET', path, headers);
      post = (path, headers, body) => send(gw.url, 'POST', path, headers, body);
    });

    after(async () => {
      await gw?.stop();
      await new Promise((resolve) => upstream?.server.close(resolve));
      await auth?.stop();
      if (auth) removeDir(auth.dataDir);
      await store?.drop();
    });

    /** Asserts a 401 from the gateway that the upstream never saw. */
    async function refused(headers: Record<string, string | string[]>, method = 'GET', path = '/orders/42'): Promise<void> {
      const before = upstream.seen.length;
      const res = await send(gw.url, method, path, headers);
      assert.equal(res.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
      assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
      assert.equal(upstream.seen.length, before, 'the upstream must not be called');
    }

    test('login through the gateway gives a token; with it the upstream sees the user', async () => {
      const login = await post('/user/login', { 'content-type': 'application/json' }, JSON.stringify({ username: 'marco', password: PASSWORD }));
      assert.equal(login.status, 200);
      assert.equal(login.headers['content-type'], 'application/json; charset=utf-8');
      const { token } = JSON.parse(login.body) as { token: string };

      const res = await get('/orders/42?x=1', bearer(token));
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), { user: 'marco' });
      assert.deepEqual(upstream.seen.at(-1), { method: 'GET', url: '/orders/42?x=1', userHeaders: ['marco'] });
    });

    test('the original method is checked and passed on, with a request body', async () => {
      const token = await auth.login('marco', PASSWORD);
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
        const res = await send(gw.url, method, '/things', { ...bearer(token), 'content-type': 'application/json' }, method === 'HEAD' ? undefined : '{"a":1}');
        assert.equal(res.status, 200, method);
        assert.deepEqual(upstream.seen.at(-1), { method, url: '/things', userHeaders: ['marco'] });
      }
    });

    test('missing, malformed, expired, foreign-signed and revoked tokens: 401 from the gateway, upstream never called', async () => {
      const now = Math.floor(Date.now() / 1000);
      await refused({});
      await refused({ authorization: 'Bearer not-a-jwt' });
      await refused({ authorization: 'Basic bWFyY286c2VjcmV0' });
      await refused({ authorization: 'Bearer ' });
      await refused(bearer(forge(TEST_SECRET, { iat: now - 7200, exp: now - 3600 })));
      await refused(bearer(forge('some-other-secret-0123456789-abcdefghijklmnop')));
      await refused(bearer(forge(TEST_SECRET, { iss: 'someone.else' })));

      const revoked = await auth.login('marco', PASSWORD);
      assert.equal((await auth.post('/user/logout', { headers: bearer(revoked) })).status, 204);
      await refused(bearer(revoked));
      await refused(bearer(revoked), 'POST', '/things');
    });

    test('a client-sent X-Auth-UserId never reaches the upstream', async () => {
      const token = await auth.login('marco', PASSWORD);
      for (const spoof of ['alice', ['alice', 'root']] as (string | string[])[]) {
        for (const name of ['X-Auth-UserId', 'x-auth-userid', 'X-AUTH-USERID']) {
          const res = await get('/orders', { ...bearer(token), [name]: spoof });
          assert.equal(res.status, 200);
          assert.deepEqual(upstream.seen.at(-1)!.userHeaders, ['marco'], `${name}: ${String(spoof)}`);
        }
      }
      // Without a token the header alone opens nothing.
      await refused({ 'x-auth-userid': 'marco' });
    });

    test('logout through the gateway: that token is refused on the next request', async () => {
      const token = await auth.login('marco', PASSWORD);
      const other = await auth.login('marco', PASSWORD);
      assert.equal((await get('/orders', bearer(token))).status, 200);
      const res = await post('/user/logout', bearer(token));
      assert.equal(res.status, 204);
      assert.equal(res.body, '');
      await refused(bearer(token));
      assert.equal((await get('/orders', bearer(other))).status, 200, 'the other device stays logged in');
    });

    test("logout_all through the gateway revokes the user's other tokens, and only that user's", async () => {
      const phone = await auth.login('marco', PASSWORD);
      const laptop = await auth.login('marco', PASSWORD);
      const alice = await auth.login('alice', PASSWORD);

      // A client naming another user in X-Auth-UserId logs out only itself.
      const res = await post('/user/logout_all', { ...bearer(alice), 'x-auth-userid': 'marco' });
      assert.equal(res.status, 204);
      await refused(bearer(alice));
      assert.equal((await get('/orders', bearer(laptop))).status, 200, 'marco unaffected by the spoofed header');

      assert.equal((await post('/user/logout_all', bearer(phone))).status, 204);
      await refused(bearer(phone));
      await refused(bearer(laptop));
      const fresh = await auth.login('marco', PASSWORD);
      assert.equal((await get('/orders', bearer(fresh))).status, 200, 'tokens issued afterwards work');
    });

    test('logout_all without a valid token is refused by the gateway before ats-auth revokes anything', async () => {
      const token = await auth.login('marco', PASSWORD);
      const res = await post('/user/logout_all', { 'x-auth-userid': 'marco' });
      assert.equal(res.status, 401);
      assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
      assert.equal((await get('/orders', bearer(token))).status, 200);
    });

    if (gateway.name.startsWith('nginx')) {
      test('the verify subrequest location is internal (nginx)', async () => {
        const token = await auth.login('marco', PASSWORD);
        assert.equal((await get('/_ats_auth/verify', bearer(token))).status, 404);
      });
    }

    test('with ats-auth down the gateway fails closed (runs last: stops ats-auth)', async () => {
      const token = await auth.login('marco', PASSWORD);
      await auth.stop();
      const before = upstream.seen.length;
      const res = await get('/orders', bearer(token));
      assert.equal(res.status, gateway.failClosed);
      assert.equal(upstream.seen.length, before, 'the upstream must not be called');
    });
  });
}
