/** Start-up: configuration validation, the signing secret (§6) and durability across restarts. */
import assert from 'node:assert/strict';
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { BIN, baseEnv, freshDataDir, removeDir, runCli, startServer } from './support/server.js';
import { STORES, storeEnv } from './support/stores.js';

function serveOnce(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('configuration', () => {
  test('every bad setting is reported together, each named, and serve exits non-zero', async () => {
    const env = baseEnv(freshDataDir(), {
      ATS_AUTH_PORT: '99999',
      ATS_AUTH_TOKEN_TTL: 'soon',
      ATS_AUTH_TRUSTED_PROXIES: '127.0.0.0/8,not-a-cidr',
      ATS_AUTH_LOG_LEVEL: 'loud',
      ATS_AUTH_JWT_SECRET: 'short',
    });
    const { code, output } = await serveOnce(env);
    assert.notEqual(code, 0);
    for (const name of ['ATS_AUTH_PORT', 'ATS_AUTH_TOKEN_TTL', 'ATS_AUTH_TRUSTED_PROXIES', 'ATS_AUTH_LOG_LEVEL', 'ATS_AUTH_JWT_SECRET']) {
      assert.match(output, new RegExp(`${name}: `), name);
    }
    assert.match(output, /'not-a-cidr'/);
  });

  test('a well-known secret is refused even when long enough', async () => {
    const env = baseEnv(freshDataDir(), { ATS_AUTH_JWT_SECRET: 'your-super-secret-jwt-token-with-at-least-32-characters-long' });
    const { code, output } = await serveOnce(env);
    assert.notEqual(code, 0);
    assert.match(output, /ATS_AUTH_JWT_SECRET: is a well-known/);
  });

  test('a config file supplies settings; env overrides it; unknown keys are errors', async () => {
    const dir = freshDataDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ tokenTtlSeconds: 60, issuer: 'from.file', colour: 'blue' }));
    const bad = await serveOnce(baseEnv(dir, { ATS_AUTH_CONFIG: file }));
    assert.notEqual(bad.code, 0);
    assert.match(bad.output, /config file: unknown key 'colour'/);

    writeFileSync(file, JSON.stringify({ tokenTtlSeconds: 60, issuer: 'from.file' }));
    const server = await startServer({ dataDir: dir, env: { ATS_AUTH_CONFIG: file, ATS_AUTH_ISSUER: 'from.env' } });
    try {
      await server.addUser('cfg', 'cfg-passw0rd');
      const token = await server.login('cfg', 'cfg-passw0rd');
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string; exp: number; iat: number };
      assert.equal(claims.iss, 'from.env');
      assert.equal(claims.exp - claims.iat, 60);
    } finally {
      await server.stop();
    }
  });

  test('a secret file shorter than 32 bytes is refused, naming the setting', async () => {
    const dir = freshDataDir();
    writeFileSync(join(dir, 'secret'), 'too-short\n');
    const env = baseEnv(dir, { ATS_AUTH_JWT_SECRET_FILE: join(dir, 'secret') });
    delete env.ATS_AUTH_JWT_SECRET;
    const { code, output } = await serveOnce(env);
    assert.notEqual(code, 0);
    assert.match(output, /ATS_AUTH_JWT_SECRET_FILE: the secret in .* must be at least 32 bytes/);
  });
});

describe('generated signing secret', () => {
  test('with none configured, one is generated into the data dir (0600), logged, and reused', async () => {
    const dir = freshDataDir();
    // An empty variable counts as unset.
    const first = await startServer({ dataDir: dir, env: { ATS_AUTH_JWT_SECRET: '' } });
    const secretPath = join(dir, 'jwt-secret');
    try {
      assert.equal(statSync(secretPath).mode & 0o777, 0o600);
      assert.ok(first.logs.some((l) => l.includes('generated a new one') && l.includes(secretPath)));
      const secret = readFileSync(secretPath, 'utf8').trim();
      assert.ok(Buffer.byteLength(secret) >= 32);
      assert.ok(!first.logs.some((l) => l.includes(secret)), 'the secret itself is never logged');
      await first.addUser('gen', 'gen-passw0rd');
      const token = await first.login('gen', 'gen-passw0rd');
      await first.stop();
      const second = await startServer({ dataDir: dir, env: { ATS_AUTH_JWT_SECRET: '' } });
      try {
        assert.equal((await second.verify(token)).status, 200, 'the same secret is reused after restart');
        assert.ok(!second.logs.some((l) => l.includes('generated a new one')));
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });
});

for (const kind of STORES) {
  describe(`restart [${kind}]`, () => {
    test('revocations and users survive a restart', async () => {
      const store = await storeEnv(kind);
      const dataDir = freshDataDir();
      let server = await startServer({ dataDir, env: store.env });
      try {
        await server.addUser('erin', 'erin-passw0rd');
        await server.addUser('finn', 'finn-passw0rd');
        const revoked = await server.login('erin', 'erin-passw0rd');
        const kept = await server.login('erin', 'erin-passw0rd');
        const finnOld = await server.login('finn', 'finn-passw0rd');
        assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${revoked}` } })).status, 204);
        assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'finn' } })).status, 204);
        assert.equal(await server.stop(), 0, 'SIGTERM exits 0');

        server = await startServer({ dataDir, env: store.env });
        assert.equal((await server.verify(revoked)).status, 401);
        assert.equal((await server.verify(finnOld)).status, 401);
        assert.equal((await server.verify(kept)).status, 200);
        assert.ok(await server.login('finn', 'finn-passw0rd'));
      } finally {
        await server.stop();
        await store.drop();
      }
    });
  });
}

describe('revocation checkpoint [sqlite]', () => {
  /** The fields of the server's log line with that message. */
  const logged = (server: { logs: string[] }, msg: string) =>
    server.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg);

  test('a restart loads the checkpoint a previous start wrote, then the log after it: every revocation holds', async () => {
    const dataDir = freshDataDir();
    const env = { ATS_AUTH_CHECKPOINT_ROWS: '2' };
    let server = await startServer({ dataDir, env });
    try {
      await server.addUser('gus', 'gus-passw0rd');
      await server.addUser('hana', 'hana-passw0rd');
      const [first, second, later, kept] = [
        await server.login('gus', 'gus-passw0rd'),
        await server.login('gus', 'gus-passw0rd'),
        await server.login('gus', 'gus-passw0rd'),
        await server.login('gus', 'gus-passw0rd'),
      ];
      const hanaOld = await server.login('hana', 'hana-passw0rd');
      for (const token of [first, second]) assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } })).status, 204);
      assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'hana' } })).status, 204);
      assert.equal(await server.stop(), 0);
      assert.deepEqual(logged(server, 'revocation state loaded').map((l) => l.checkpoint), [null], 'nothing to checkpoint at the first start');

      // The log grew past the threshold: this start reads every row and then writes a checkpoint.
      server = await startServer({ dataDir, env });
      const written = await waitFor(() => logged(server, 'revocation checkpoint written')[0]);
      assert.equal(logged(server, 'revocation state loaded')[0]!.checkpoint, null);
      assert.equal(written.revocations, 2, 'the two ended sessions (the logout_all is a not-before)');
      assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${later}` } })).status, 204);
      assert.equal(await server.stop(), 0);

      server = await startServer({ dataDir, env });
      const loaded = logged(server, 'revocation state loaded')[0]!;
      assert.equal(loaded.checkpoint, written.cursor, 'started from the checkpoint');
      assert.ok((loaded.cursor as number) > (written.cursor as number), 'and read the log after it');
      for (const token of [first, second, later, hanaOld]) assert.equal((await server.verify(token)).status, 401);
      assert.equal((await server.verify(kept)).status, 200);
      assert.ok(await server.login('hana', 'hana-passw0rd'), 'a new login of a signed-out user works');
    } finally {
      await server.stop();
      removeDir(dataDir);
    }
  });
});

async function waitFor<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
    const value = read();
    if (value !== undefined) return value;
  }
  throw new Error('timed out waiting');
}

test('CLI with a bad setting exits non-zero with the problem on stderr', async () => {
  const res = await runCli(['user', 'list'], { env: baseEnv(freshDataDir(), { ATS_AUTH_TOKEN_TTL: '0' }) });
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /ATS_AUTH_TOKEN_TTL: must be between 1 and/);
});
