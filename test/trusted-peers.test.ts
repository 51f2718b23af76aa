/**
 * §5 black-box: X-Auth-UserId is honoured only from peers in ATS_AUTH_TRUSTED_PROXIES. The test
 * client always connects from loopback, so "untrusted" is made by a list that excludes it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { BIN, baseEnv, freshDataDir, removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery';

async function withUsers(server: TestServer): Promise<void> {
  await server.addUser('marco', PASSWORD);
  await server.addUser('alice', PASSWORD);
}

async function assertUnauthorized(res: Response): Promise<void> {
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  await res.body?.cancel();
}

for (const kind of STORES) {
  describe(`trusted peers (${kind})`, () => {
    // Each test starts its own server with its own users, so each gets a fresh store.
    let store: StoreHandle;
    beforeEach(async () => {
      store = await storeEnv(kind);
    });
    afterEach(async () => {
      await store.drop();
    });

    test('from a loopback peer (the default list) X-Auth-UserId alone logs the user out everywhere', async () => {
      const server = await startServer({ env: store.env });
      try {
        await withUsers(server);
        const marco = await server.login('marco', PASSWORD);
        const alice = await server.login('alice', PASSWORD);
        const res = await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } });
        assert.equal(res.status, 204);
        await assertUnauthorized(await server.verify(marco));
        assert.equal((await server.verify(alice)).status, 200, 'only the named user is logged out');
      } finally {
        await server.stop();
        removeDir(server.dataDir);
      }
    });

    test('from a peer outside the list X-Auth-UserId is ignored: alone it is 401, with a Bearer the token decides', async () => {
      const server = await startServer({ env: { ...store.env, ATS_AUTH_TRUSTED_PROXIES: '10.0.0.0/8' } });
      try {
        await withUsers(server);
        const marco = await server.login('marco', PASSWORD);
        const alice = await server.login('alice', PASSWORD);

        await assertUnauthorized(await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } }));
        assert.equal((await server.verify(marco)).status, 200, 'the ignored header revoked nothing');

        // The header names alice, the token is marco's: the untrusted header must not win.
        const res = await server.post('/user/logout_all', {
          headers: { 'x-auth-userid': 'alice', authorization: `Bearer ${marco}` },
        });
        assert.equal(res.status, 204);
        await assertUnauthorized(await server.verify(marco));
        assert.equal((await server.verify(alice)).status, 200);
      } finally {
        await server.stop();
        removeDir(server.dataDir);
      }
    });
  });
}

/** Some containers run without IPv6, even on loopback; there the IPv6 cases are skipped, visibly. */
const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once('error', () => resolve(false));
  probe.listen(0, '::1', () => probe.close(() => resolve(true)));
});

describe('trusted peers over IPv6 (server bound on ::1)', { skip: ipv6Loopback ? false : 'no IPv6 loopback on this machine' }, () => {
  test('::1 is trusted by the default list (::1/128)', async () => {
    const server = await startServer({ env: { ATS_AUTH_HOST: '::1' } });
    try {
      assert.match(server.url, /^http:\/\/\[::1\]:\d+$/);
      await withUsers(server);
      const marco = await server.login('marco', PASSWORD);
      assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } })).status, 204);
      await assertUnauthorized(await server.verify(marco));
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  test('::1 is untrusted when the list holds only IPv4 loopback', async () => {
    const server = await startServer({ env: { ATS_AUTH_HOST: '::1', ATS_AUTH_TRUSTED_PROXIES: '127.0.0.0/8' } });
    try {
      await withUsers(server);
      const marco = await server.login('marco', PASSWORD);
      await assertUnauthorized(await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } }));
      assert.equal((await server.verify(marco)).status, 200);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});

describe('a malformed ATS_AUTH_TRUSTED_PROXIES', () => {
  /** Runs `ats-auth serve`, which must refuse to start; killed if it starts anyway. */
  function serveExpectingFailure(env: Record<string, string>) {
    const dataDir = freshDataDir();
    return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'serve'], { env: baseEnv(dataDir, env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        removeDir(dataDir);
        resolve({ code, stdout, stderr });
      });
    });
  }

  test('stops the start with a message naming the setting and every bad entry, and a non-zero exit', async () => {
    const result = await serveExpectingFailure({ ATS_AUTH_TRUSTED_PROXIES: '127.0.0.0/8, 10.0.0.0/33, ::1/129, not-a-cidr' });
    assert.notEqual(result.code, 0);
    assert.equal(result.code, 78, 'EX_CONFIG');
    assert.match(result.stderr, /ATS_AUTH_TRUSTED_PROXIES: not a valid CIDR: '10\.0\.0\.0\/33', '::1\/129', 'not-a-cidr'/);
    assert.doesNotMatch(result.stdout, /listening/);
  });

  test('is reported together with other configuration problems', async () => {
    const result = await serveExpectingFailure({ ATS_AUTH_TRUSTED_PROXIES: '10.0.0/8', ATS_AUTH_PORT: 'eighty' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /ATS_AUTH_TRUSTED_PROXIES: not a valid CIDR: '10\.0\.0\/8'/);
    assert.match(result.stderr, /ATS_AUTH_PORT/);
  });
});
