import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { InvalidConfig } from '../errors.js';
import { loadKeySet } from './keys.js';

const S1 = 'first-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const S2 = 'second-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const dir = mkdtempSync(join(tmpdir(), 'ats-auth-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const silent = { info: () => {} };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ATS_AUTH_DATA_DIR: dir, ...env });
    return [];
  } catch (error) {
    assert.ok(error instanceof InvalidConfig);
    return [...error.problems];
  }
}

describe('key settings', () => {
  test('several keys need a signing kid that names one of them', () => {
    const keys = JSON.stringify({ k1: S1, k2: S2 });
    assert.match(problems({ ATS_AUTH_JWT_KEYS: keys }).join('\n'), /ATS_AUTH_JWT_SIGNING_KID: required/);
    assert.match(problems({ ATS_AUTH_JWT_KEYS: keys, ATS_AUTH_JWT_SIGNING_KID: 'k9' }).join('\n'), /'k9' is not one of/);
    assert.deepEqual(problems({ ATS_AUTH_JWT_KEYS: keys, ATS_AUTH_JWT_SIGNING_KID: 'k2' }), []);
  });

  test('each secret is checked, kids are plain, and one way of giving keys is allowed', () => {
    assert.match(problems({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: 'short' }) }).join('\n'), /kid 'k1' must be at least 32 bytes/);
    assert.match(problems({ ATS_AUTH_JWT_KEYS: JSON.stringify({ 'a/b': S1 }) }).join('\n'), /kid 'a\/b' must be/);
    assert.match(problems({ ATS_AUTH_JWT_KEYS: '[1]' }).join('\n'), /ATS_AUTH_JWT_KEYS: must be a JSON object/);
    assert.match(problems({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: S1 }), ATS_AUTH_JWT_SECRET: S2 }).join('\n'), /set one, not several/);
    assert.match(problems({ ATS_AUTH_JWT_SIGNING_KID: 'k1', ATS_AUTH_JWT_SECRET: S2 }).join('\n'), /only meaningful with/);
  });

  test('the config file may hold the keys as an object', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ jwtKeys: { k1: S1, k2: S2 }, jwtSigningKid: 'k2' }));
    const keys = loadKeySet(loadConfig({ ATS_AUTH_DATA_DIR: dir, ATS_AUTH_CONFIG: file }), silent);
    assert.equal(keys.signing.kid, 'k2');
    assert.deepEqual(keys.verification.map((k) => k.kid), ['k1', 'k2']);
  });

  test('a keys file is checked like the variable', () => {
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ k1: S1, k2: 'short' }));
    const config = loadConfig({ ATS_AUTH_DATA_DIR: dir, ATS_AUTH_JWT_KEYS_FILE: file, ATS_AUTH_JWT_SIGNING_KID: 'k1' });
    assert.throws(() => loadKeySet(config, silent), /ATS_AUTH_JWT_KEYS_FILE: the secret of kid 'k2' must be at least 32 bytes/);
    writeFileSync(file, JSON.stringify({ k1: S1, k2: S2 }));
    assert.throws(() => loadKeySet({ ...config, jwtSigningKid: undefined }, silent), /SIGNING_KID: required/);
    assert.equal(loadKeySet(config, silent).signing.kid, 'k1');
  });
});
