/**
 * Response headers: token responses are not cached (RFC 6749 §5.1), nothing is MIME-sniffed,
 * and nothing advertises the software behind it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const BANNERS = ['server', 'x-powered-by', 'x-aspnet-version', 'x-runtime', 'via'];

for (const kind of STORES) {
  describe(`response headers (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    let token: string;
    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: { ...store.env, ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '1' } });
      await server.addUser('marco', 'right-password');
      token = await server.login('marco', 'right-password');
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    test('a token response: 200, no-store and no-cache', async () => {
      const res = await server.post('/user/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'marco', password: 'right-password' }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('pragma'), 'no-cache');
    });

    test('every kind of response: nosniff and no banner', async () => {
      const json = { 'content-type': 'application/json' };
      const responses: [string, () => Promise<Response>, number][] = [
        ['login 401', () => server.post('/user/login', { headers: json, body: JSON.stringify({ username: 'marco', password: 'bad' }) }), 401],
        ['login 429', () => server.post('/user/login', { headers: json, body: JSON.stringify({ username: 'marco', password: 'bad' }) }), 429],
        ['login 400', () => server.post('/user/login', { headers: json, body: '{"username":1}' }), 400],
        ['login 415', () => server.post('/user/login', { headers: { 'content-type': 'text/plain' }, body: 'hi' }), 415],
        ['login 413', () => server.post('/user/login', { headers: json, body: 'x'.repeat(9000) }), 413],
        ['verify 200', () => server.verify(token), 200],
        ['verify 401', () => server.verify('nope'), 401],
        ['logout_all 401', () => server.post('/user/logout_all'), 401],
        ['not found 404', () => fetch(`${server.url}/nope`), 404],
        ['healthz 200', () => fetch(`${server.url}/healthz`), 200],
        ['readyz 200', () => fetch(`${server.url}/readyz`), 200],
      ];
      for (const [name, send, status] of responses) {
        const res = await send();
        assert.equal(res.status, status, name);
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff', name);
        for (const banner of BANNERS) assert.equal(res.headers.get(banner), null, `${name}: ${banner}`);
      }
      for (const [raw, status] of [['GARBAGE\r\n\r\n', 400], [`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431]] as const) {
        const answer = await rawRequest(server.port, raw);
        assert.match(answer, new RegExp(`^HTTP/1.1 ${status} `), 'refused by the HTTP parser');
        assert.match(answer, /\r\nx-content-type-options: nosniff\r\n/i);
        assert.match(answer, /\r\n\r\n\{"error":"[a-z_]+","message":"[^"]+"\}$/);
      }
      const logout = await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(logout.status, 204);
      assert.equal(logout.headers.get('x-content-type-options'), 'nosniff');
    });
  });
}

function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.end(bytes);
  });
}
