/**
 * Graceful shutdown of the real binary: SIGTERM stops new connections but lets a request that
 * is already in flight finish; the shutdown bound and a second signal cut it short.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { removeDir, startServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct horse battery';
const BODY = JSON.stringify({ username: 'alice', password: PASSWORD });

/** A slow client: sends the request head and part of the body, the rest when told. */
async function slowLogin(server: TestServer): Promise<{ socket: Socket; finish(): Promise<string> }> {
  const socket = connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const closed = once(socket, 'close');
  socket.write(
    'POST /user/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY.slice(0, 10)}`,
  );
  await sleep(150); // the server has the request head: the request is in flight
  return {
    socket,
    async finish() {
      socket.write(BODY.slice(10));
      await closed;
      return received;
    },
  };
}

async function withinMs<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function serverWithUser(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startServer({ env });
  await server.addUser('alice', PASSWORD);
  return server;
}

describe('graceful shutdown', () => {
  test('SIGTERM: the in-flight login completes, new connections are refused, exit 0', async () => {
    const server = await serverWithUser();
    try {
      const client = await slowLogin(server);
      server.child.kill('SIGTERM');
      await sleep(200);
      await assert.rejects(fetch(`${server.url}/healthz`), 'no new connections after SIGTERM');

      const response = await withinMs(5000, client.finish());
      assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(response, /\{"token":"[\w-]+\.[\w-]+\.[\w-]+"\}$/);
      assert.equal(await withinMs(5000, server.exited()), 0);
      assert.ok(server.logs.some((l) => l.includes('"msg":"stopped"')));
    } finally {
      await server.stop('SIGKILL');
      removeDir(server.dataDir);
    }
  });

  test('a request that outlives ATS_AUTH_SHUTDOWN_TIMEOUT_MS is cut off and the exit is 1', async () => {
    const server = await serverWithUser({ ATS_AUTH_SHUTDOWN_TIMEOUT_MS: '300' });
    try {
      const client = await slowLogin(server);
      const started = Date.now();
      server.child.kill('SIGTERM');
      assert.equal(await withinMs(5000, server.exited()), 1);
      assert.ok(Date.now() - started >= 250, 'waited for the bound');
      assert.ok(server.logs.some((l) => l.includes('shutdown bound reached')));
      client.socket.destroy();
    } finally {
      await server.stop('SIGKILL');
      removeDir(server.dataDir);
    }
  });

  test('a second signal exits at once, non-zero', async () => {
    const server = await serverWithUser();
    try {
      const client = await slowLogin(server);
      server.child.kill('SIGTERM');
      await sleep(200);
      assert.equal(server.child.exitCode, null, 'still draining after the first signal');
      server.child.kill('SIGINT');
      assert.equal(await withinMs(2000, server.exited()), 130);
      client.socket.destroy();
    } finally {
      await server.stop('SIGKILL');
      removeDir(server.dataDir);
    }
  });
});
