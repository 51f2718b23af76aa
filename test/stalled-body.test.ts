/**
 * SPEC §15, regression for issue 16 ("a stalled request body holds a connection forever"): a
 * body that has not arrived within ATS_AUTH_BODY_TIMEOUT_MS gets 408 JSON and the connection
 * closes; connections over ATS_AUTH_MAX_CONNECTIONS are refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { removeDir, startServer, type TestServer } from './support/server.js';

describe('stalled bodies and the connection cap', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { ATS_AUTH_BODY_TIMEOUT_MS: '500', ATS_AUTH_MAX_CONNECTIONS: '5' } });
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  /** Opens a raw connection, writes `request`, and resolves with all it got once the server closes it (or after `waitMs`). */
  function exchange(request: string, waitMs = 5000) {
    return new Promise<{ text: string; closedAfterMs: number | undefined; socket: Socket }>((resolve) => {
      const started = Date.now();
      let text = '';
      const socket = connect(server.port, '127.0.0.1', () => socket.write(request));
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('error', (error) => (text += ` [${String(error)}]`));
      const timer = setTimeout(() => resolve({ text, closedAfterMs: undefined, socket }), waitMs);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ text, closedAfterMs: Date.now() - started, socket });
      });
    });
  }

  for (const path of ['/user/login', '/user/logout_all']) {
    test(`headers declaring 100 bytes and no body → 408 JSON and the connection closed (${path})`, async () => {
      const { text, closedAfterMs } = await exchange(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
      );
      assert.match(text, /^HTTP\/1\.1 408 /, text.slice(0, 80));
      assert.match(text, /\r\nconnection: close\r\n/i);
      assert.match(text, /\{"error":"request_timeout","message":"[^"]+"\}$/);
      assert.ok(closedAfterMs !== undefined, 'the server closed the connection');
      // 500 ms timeout; a loaded 2-core machine gets a generous margin, a 30 s sweep would not pass.
      assert.ok(closedAfterMs >= 450 && closedAfterMs < 3000, `closed after ${closedAfterMs} ms`);
    });
  }

  test('a body that arrives in time is served as before', async () => {
    const body = JSON.stringify({ username: 'nobody', password: 'x' });
    const socket = connect(server.port, '127.0.0.1');
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('\r\n\r\n{')) resolve(text);
      });
    });
    socket.write(`POST /user/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    socket.write(body);
    assert.match(await answer, /^HTTP\/1\.1 401 /);
    socket.destroy();
  });

  test('a 6th connection is refused while 5 are open, and accepted once one closes', async () => {
    const open: Socket[] = [];
    const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
    for (let i = 0; i < 5; i++) {
      // A full keep-alive exchange on each, so the server has surely accepted it.
      const socket = connect(server.port, '127.0.0.1', () => socket.write(healthz));
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      open.push(socket);
    }
    const refused = await exchange(healthz, 3000);
    assert.doesNotMatch(refused.text, /HTTP\/1\.1/, 'no answer over the cap');
    assert.ok(refused.closedAfterMs !== undefined, 'the 6th connection was closed');
    open.pop()!.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const accepted = await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 3000);
    assert.match(accepted.text, /^HTTP\/1\.1 200 /);
    for (const socket of open) socket.destroy();
  });

  test('the service logged no error', () => {
    assert.equal(server.child.exitCode, null);
    assert.equal(server.logs.filter((line) => /"level":(50|60)/.test(line)).length, 0, server.logs.join('\n'));
  });
});
