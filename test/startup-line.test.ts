/** Start-up: one informative line when listening; one clear line and a non-zero exit when not. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { baseEnv, freshDataDir, removeDir, runCli, startServer, TEST_SECRET } from './support/server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function occupiedPort(): Promise<{ port: number; holder: Server }> {
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  return { port: (holder.address() as { port: number }).port, holder };
}

describe('start-up', () => {
  test('one line says version, address, store, location, credential backends, trusted proxies and token TTL', async () => {
    const server = await startServer({ env: { ATS_AUTH_TOKEN_TTL: '3600', ATS_AUTH_TRUSTED_PROXIES: '10.0.0.0/8' } });
    try {
      const lines = server.logs.filter((l) => l.includes('ats-auth listening'));
      assert.equal(lines.length, 1);
      const info = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.equal(info.version, VERSION);
      assert.deepEqual(info.address, [new URL(server.url).host]);
      assert.equal(info.store, 'sqlite');
      assert.equal(info.location, join(resolve(server.dataDir), 'ats-auth.sqlite'));
      assert.deepEqual(info.credentialBackends, ['builtin']);
      assert.deepEqual(info.trustedProxies, ['10.0.0.0/8']);
      assert.equal(info.tokenTtl, 3600);
      assert.ok(!server.logs.some((l) => l.includes(TEST_SECRET)), 'the secret never reaches the log');
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  test('an unknown ATS_AUTH_* variable is a start-up warning naming the closest known one (server and CLI)', async () => {
    const server = await startServer({ env: { ATS_AUTH_TOKEN_TTLL: '60' } });
    try {
      const warnings = server.logs.filter((l) => l.includes('ATS_AUTH_TOKEN_TTLL')).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(warnings.length, 1, server.logs.join('\n'));
      assert.equal(warnings[0]!.level, 40);
      assert.equal(warnings[0]!.variable, 'ATS_AUTH_TOKEN_TTLL');
      assert.equal(warnings[0]!.closest, 'ATS_AUTH_TOKEN_TTL');
      const cli = await server.cli(['user', 'list']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stderr, /unknown environment variable ATS_AUTH_TOKEN_TTLL is ignored; did you mean ATS_AUTH_TOKEN_TTL\?/);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  test('a taken port: one line naming the address and the setting, exit 1', async () => {
    const { port, holder } = await occupiedPort();
    const dataDir = freshDataDir();
    try {
      const result = await runCli(['serve'], { env: baseEnv(dataDir, { ATS_AUTH_PORT: String(port) }) });
      assert.equal(result.code, 1);
      assert.equal(
        result.stderr,
        `ats-auth: cannot listen on 127.0.0.1:${port}: the address is already in use (ATS_AUTH_PORT, ATS_AUTH_HOST)\n`,
      );
    } finally {
      holder.close();
      removeDir(dataDir);
    }
  });

  test('a taken metrics port names ATS_AUTH_METRICS_PORT', async () => {
    const { port, holder } = await occupiedPort();
    const dataDir = freshDataDir();
    try {
      const result = await runCli(['serve'], { env: baseEnv(dataDir, { ATS_AUTH_METRICS_PORT: String(port) }) });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ats-auth: cannot listen on 127\.0\.0\.1:\d+: the address is already in use \(ATS_AUTH_METRICS_PORT/);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    } finally {
      holder.close();
      removeDir(dataDir);
    }
  });

  test('an unusable data directory: one line naming it and the setting, exit 1', async () => {
    const parent = freshDataDir();
    // Under a regular file: not creatable even for root (the tests may run as root).
    writeFileSync(join(parent, 'a-file'), '');
    const dataDir = join(parent, 'a-file', 'data');
    try {
      const result = await runCli(['serve'], { env: baseEnv(dataDir) });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^ats-auth: cannot open the store, data directory '.*\/a-file\/data' \(ATS_AUTH_DATA_DIR\): ENOTDIR/);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
    } finally {
      removeDir(parent);
    }
  });
});
