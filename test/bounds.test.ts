/** §6 bounds, black-box: oversized or ill-formed login input is a clear 4xx, never a crash. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

for (const kind of STORES) {
  describe(`input bounds (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      // Bound checks must not be mistaken for throttling: no limits here.
      server = await startServer({ env: { ...store.env, ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0', ATS_AUTH_THROTTLE_ADDRESS_LIMIT: '0' } });
      await server.addUser('marco', 'right-password');
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    const login = (body: unknown) =>
      server.post('/user/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    async function expectError(res: Response, status: number, error: string) {
      assert.equal(res.status, status);
      const body = (await res.json()) as { error: string; message: string };
      assert.equal(body.error, error);
      assert.ok(body.message.length > 0);
    }

    const cases: [string, unknown, number, string][] = [
      ['username of 257 characters', { username: 'u'.repeat(257), password: 'x' }, 400, 'invalid_request'],
      ['password of 1025 bytes', { username: 'marco', password: 'p'.repeat(1025) }, 400, 'invalid_request'],
      ['password of 1024 bytes made of 342 three-byte characters', { username: 'marco', password: '€'.repeat(342) }, 400, 'invalid_request'],
      ['a NUL in the username', { username: 'mar\u0000co', password: 'x' }, 400, 'invalid_request'],
      ['a newline in the username', { username: 'marco\nadmin', password: 'x' }, 400, 'invalid_request'],
      ['an escape character in the username', { username: '\u001b[31mmarco', password: 'x' }, 400, 'invalid_request'],
      ['a C1 control character in the username', { username: 'marco\u0085', password: 'x' }, 400, 'invalid_request'],
      ['an empty username', { username: '', password: 'x' }, 400, 'invalid_request'],
      ['a non-string password', { username: 'marco', password: 12345 }, 400, 'invalid_request'],
    ];
    for (const [name, body, status, error] of cases) {
      test(`${name} → ${status}`, async () => expectError(await login(body), status, error));
    }

    test('limits are inclusive: 256 characters and 1024 bytes are checked as credentials (401)', async () => {
      await expectError(await login({ username: 'u'.repeat(256), password: 'p'.repeat(1024) }), 401, 'invalid_credentials');
    });

    test('a body over 8 KiB → 413, also when chunked without a length, every time', async () => {
      const big = JSON.stringify({ username: 'marco', password: 'x', pad: 'y'.repeat(9000) });
      await expectError(await server.post('/user/login', { headers: { 'content-type': 'application/json' }, body: big }), 413, 'payload_too_large');
      // Raw socket: the server answers 413 while the body is still coming. It must then read and
      // drop the rest (up to a bound) before closing, or the kernel's reset can destroy the answer
      // in flight; so every try must get the 413, for a small and for a large chunked body.
      const url = new URL(server.url);
      const tryOnce = (chunks: number) =>
        new Promise<string>((resolve) => {
          const socket = connect(Number(url.port), url.hostname, () => {
            socket.write('POST /user/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
            for (let i = 0; i < chunks; i++) socket.write(`400\r\n${'x'.repeat(1024)}\r\n`);
            socket.write('0\r\n\r\n');
          });
          let received = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => (received += chunk));
          socket.on('error', (error) => (received += ` [${String(error)}]`));
          socket.on('close', () => resolve(received));
        });
      for (const chunks of [10, 512]) {
        for (let i = 0; i < 5; i++) {
          const answer = await tryOnce(chunks);
          assert.match(answer, /^HTTP\/1\.1 413 /, `try ${i} with ${chunks} KiB: ${answer.slice(0, 80)}`);
          assert.match(answer, /"error":"payload_too_large"/);
          assert.doesNotMatch(answer, /\[Error/, 'no reset or broken pipe');
        }
      }
    });

    test('the service still answers normally after all of that', async () => {
      assert.equal((await server.verify(await server.login('marco', 'right-password'))).status, 200);
      assert.equal(server.child.exitCode, null);
      assert.equal(server.logs.filter((line) => /"level":(50|60)/.test(line)).length, 0, 'no error logged');
    });
  });
}
