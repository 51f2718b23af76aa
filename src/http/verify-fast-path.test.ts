import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TokenInvalid } from '../errors.js';
import { createVerifyFastPath, fastPathRefusal } from './verify-fast-path.js';

// A real server: the fast path first, then a stand-in for Fastify that marks what fell through.
describe('verify fast path', () => {
  let server: Server;
  let url: string;
  let closing = false;
  let okCount = 0;
  const observed: string[] = [];
  before(async () => {
    const fastPath = createVerifyFastPath({
      authenticate: (token) => {
        if (token !== 'good') throw new TokenInvalid('bad');
        return { sub: 'zoë', jti: 'j', revocationId: 'j', iatMs: 0, expMs: 0 };
      },
      cookieName: 'auth',
      isClosing: () => closing,
      outcomes: { ok: () => void okCount++, refused: () => {} },
      observeRequest: (route, status) => void observed.push(`${route} ${status}`),
    });
    server = createServer(
      (req, res) =>
        fastPath(req, res) ||
        void res.writeHead(299, { 'x-fell-through': 'yes', 'x-refusal': String((fastPathRefusal(req) as Error | undefined)?.name) }).end(),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verify = (init: RequestInit & { path?: string } = {}) =>
    fetch(`${url}${init.path ?? '/user/verify'}`, { ...init, headers: { authorization: 'Bearer good', ...(init.headers as object) } });

  test('answers a valid token with the route headers', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const res = await verify({ method });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-auth-userid'), 'zo%C3%AB');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('content-length'), '0');
    }
    assert.equal(okCount, 3, 'each answer is counted for the metrics');
    assert.deepEqual(observed, ['/user/verify 200', '/user/verify 200', '/user/verify 200']);
  });

  test('reads the token from the configured cookie', async () => {
    const res = await fetch(`${url}/user/verify`, { headers: { cookie: 'a=b; auth=good' } });
    assert.equal(res.status, 200);
  });

  test('leaves every other request to Fastify', async () => {
    const cases: Array<RequestInit & { path?: string }> = [
      { headers: { authorization: 'Bearer bad' } },
      { headers: { authorization: 'Basic Z29vZA==' } },
      { method: 'HEAD' },
      { method: 'POST', body: 'x' },
      { path: '/user/verify?x=1' },
      { path: '/user/verify/' },
      { path: '/user/login' },
    ];
    for (const init of cases) {
      const res = await verify(init);
      assert.equal(res.status, 299, JSON.stringify(init));
      assert.equal(res.headers.get('x-auth-userid'), null);
    }
  });

  test('hands its verdict on a refused token to the route, which need not check it again', async () => {
    const refused = await verify({ headers: { authorization: 'Bearer bad' } });
    assert.equal(refused.status, 299);
    assert.equal(refused.headers.get('x-refusal'), 'TokenInvalid');
    const notChecked = await verify({ method: 'HEAD' });
    assert.equal(notChecked.headers.get('x-refusal'), 'undefined', 'no verdict where the fast path did not look');
  });

  /** One request exactly as written (header lines as given), on its own connection; the answer's head. */
  const rawRequest = (lines: string[], body = '') =>
    new Promise<string>((resolve, reject) => {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`));
      let answer = '';
      socket.setEncoding('latin1').on('data', (chunk) => (answer += chunk));
      socket.on('end', () => resolve(answer.split('\r\n\r\n')[0]!)).on('error', reject);
    });

  test('reads the header lines as Node would: any case, a zero length, one Authorization only', async () => {
    const served = [
      ['GET /user/verify HTTP/1.1', 'Host: x', 'AUTHORIZATION: Bearer good'],
      ['GET /user/verify HTTP/1.1', 'Host: x', 'authorization: Bearer good', 'Content-Length: 0'],
      ['POST /user/verify HTTP/1.1', 'Host: x', 'content-length: 0', 'Authorization: Bearer good'],
      ['GET /user/verify HTTP/1.1', 'Host: x', 'Cookie: auth=good'],
    ];
    for (const lines of served) assert.match(await rawRequest(lines), /^HTTP\/1\.1 200 .*x-auth-userid: zo%C3%AB/s, lines.join(' | '));
    const twice = await rawRequest(['GET /user/verify HTTP/1.1', 'Host: x', 'Authorization: Bearer good', 'authorization: Bearer good']);
    assert.match(twice, /^HTTP\/1\.1 299 .*x-refusal: InvalidRequest/s, 'two Authorization lines: bearerToken refuses them');
    const none = await rawRequest(['GET /user/verify HTTP/1.1', 'Host: x']);
    assert.match(none, /^HTTP\/1\.1 299 .*x-refusal: TokenInvalid/s);
    const withBody = [
      [['POST /user/verify HTTP/1.1', 'Host: x', 'Authorization: Bearer good', 'Content-Length: 2'], 'ab'],
      [['POST /user/verify HTTP/1.1', 'Host: x', 'Authorization: Bearer good', 'Transfer-Encoding: chunked'], '0\r\n\r\n'],
    ] as const;
    for (const [lines, body] of withBody) {
      assert.match(await rawRequest([...lines], body), /^HTTP\/1\.1 299 .*x-refusal: undefined/s, lines.join(' | '));
    }
  });

  test('leaves requests to Fastify once the server is closing', async () => {
    closing = true;
    try {
      assert.equal((await verify()).status, 299);
    } finally {
      closing = false;
    }
  });
});
