import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InvalidConfig } from '../errors.js';
import { loadConfig, unknownEnvironment } from './load.js';

test('defaults are the SPEC §9 ones', () => {
  const config = loadConfig({});
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 8081);
  assert.equal(config.dataDir, './data');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.issuer, 'ats.auth');
  assert.equal(config.tokenTtlSeconds, 86400);
  assert.deepEqual(config.trustedProxies, ['127.0.0.0/8', '::1/128']);
  assert.ok(Object.isFrozen(config));
});

test('DATABASE_URL is read as a fallback; ATS_AUTH_DATABASE_URL wins', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://h/db' }).databaseUrl, 'postgres://h/db');
  assert.equal(
    loadConfig({ DATABASE_URL: 'postgres://h/db', ATS_AUTH_DATABASE_URL: 'postgresql://o/x' }).databaseUrl,
    'postgresql://o/x',
  );
});

test('all problems are collected, each naming its setting', () => {
  try {
    loadConfig({ ATS_AUTH_PORT: '-1', ATS_AUTH_DATABASE_URL: 'mysql://x', ATS_AUTH_CLOCK_LEEWAY: '61' });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof InvalidConfig);
    assert.equal(error.problems.length, 3);
    assert.match(error.problems.join('\n'), /ATS_AUTH_PORT: .*ATS_AUTH_DATABASE_URL: .*ATS_AUTH_CLOCK_LEEWAY: /s);
  }
});

test('secret and secret file together are refused', () => {
  assert.throws(
    () => loadConfig({ ATS_AUTH_JWT_SECRET: 'k'.repeat(8) + 'x'.repeat(30) + 'yz', ATS_AUTH_JWT_SECRET_FILE: '/x' }),
    /set one, not both/,
  );
});

test('a secret of one repeated character is refused however long', () => {
  assert.throws(() => loadConfig({ ATS_AUTH_JWT_SECRET: 'a'.repeat(64) }), /well-known or trivially guessable/);
});

test('a config file that is not JSON is reported without quoting its text (it may hold a secret)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ats-auth-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, '{"jwtSecret": hunter2-hunter2-hunter2-hunter2-hunter2}');
  try {
    loadConfig({ ATS_AUTH_CONFIG: file });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof InvalidConfig);
    assert.match(error.message, /is not valid JSON/);
    assert.doesNotMatch(error.message, /hunter2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('null in the config file means unset: the default (or the environment) applies, never the string "null"', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ats-auth-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ issuer: null, cookieName: null, databaseUrl: null, port: null, trustedProxies: null }));
  try {
    const config = loadConfig({ ATS_AUTH_CONFIG: file });
    assert.equal(config.issuer, 'ats.auth');
    assert.equal(config.cookieName, 'ats_auth');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.port, 8081);
    assert.deepEqual(config.trustedProxies, ['127.0.0.0/8', '::1/128']);
    assert.equal(loadConfig({ ATS_AUTH_CONFIG: file, ATS_AUTH_ISSUER: 'env.issuer' }).issuer, 'env.issuer');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown ATS_AUTH_* variable is reported with the closest known name; known ones and others are not', () => {
  const unknown = unknownEnvironment({
    ATS_AUTH_TOKEN_TTLL: '60',
    ATS_AUTH_DATABSE_URL: 'postgres://x/y',
    ATS_AUTH_PORT: '1',
    ATS_AUTH_CONFIG: '/x',
    DATABASE_URL: 'postgres://x/y',
    HOME: '/root',
  });
  assert.deepEqual(unknown, [
    { name: 'ATS_AUTH_DATABSE_URL', closest: 'ATS_AUTH_DATABASE_URL' },
    { name: 'ATS_AUTH_TOKEN_TTLL', closest: 'ATS_AUTH_TOKEN_TTL' },
  ]);
});
