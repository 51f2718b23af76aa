import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialBackendUnavailable, Throttled } from '../errors.js';
import { RevocationState } from '../revocation/index.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createThrottle } from '../throttle/index.js';
import { createTokenIssuer } from '../tokens/index.js';
import { createSessions } from '../sessions/index.js';
import { createLogin } from './login.js';

const dir = mkdtempSync(join(tmpdir(), 'ats-auth-login-unit-'));
const store = openSqliteStore(dir);
await store.migrate();
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Verify = () => Promise<{ accepted: false; backend: string; reason: string }>;

/** A login over the real throttle and sessions on SQLite, with a credential verifier the test controls. */
function loginOver(verify: Verify) {
  const events: string[] = [];
  const clock = { now: () => Date.now() };
  const key = { kid: undefined, secret: Buffer.from('x'.repeat(40)) };
  const state = new RevocationState();
  const throttle = createThrottle({
    store: store.throttles,
    clock,
    policy: { windowMs: 60_000, userAddressLimit: 2, addressLimit: 10, userLimit: 10, userDelayMs: 0, userCap: 0, ipv6Prefix: 64 },
  });
  const login = createLogin({
    verifier: { backends: ['counting'], verify, probe: async () => {}, close: async () => {} },
    throttle,
    sessions: createSessions({
      store: store.sessions,
      state,
      revoker: { enforce: async (event) => state.apply(event) },
      issuer: createTokenIssuer({ keys: { signing: key, verification: [key] }, issuer: 'ats.auth', audience: undefined, ttlSeconds: 60 }),
      clock,
      lastSeen: undefined,
      policy: { maxPerUser: 100, refreshTtlSeconds: 0, ttlSeconds: 60, leewayMs: 0 },
      audit: { info: () => {} } as never,
    }),
    state,
    clock,
    audit: { info: (fields: { event: string }) => void events.push(fields.event) } as never,
    nameForLog: async (user) => ({ user }),
  });
  return { login, throttle, events };
}

test('a throttled login is refused before the password is checked (no hashing for the attacker)', async () => {
  let checks = 0;
  const { login, events } = loginOver(async () => (checks++, { accepted: false, backend: 'counting', reason: 'wrong password' }));
  const client = { address: '10.0.0.1', userAgent: null };
  for (let i = 0; i < 2; i++) await assert.rejects(login({ username: 'ann', password: 'guess' }, client), { code: 'invalid_credentials' });
  for (let i = 0; i < 5; i++) await assert.rejects(login({ username: 'ann', password: 'guess' }, client), Throttled);
  assert.equal(checks, 2, 'only the attempts under the limit reached the credential verifier');
  assert.deepEqual(events, ['login.failed', 'login.failed', ...Array(5).fill('login.throttled')]);
});

test('an attempt the credential backend could not decide (503) is not counted as a failure', async () => {
  const { login, throttle, events } = loginOver(async () => {
    throw new CredentialBackendUnavailable(['counting'], new Error('directory down'));
  });
  const client = { address: '10.0.0.2', userAgent: null };
  for (let i = 0; i < 4; i++) await assert.rejects(login({ username: 'bea', password: 'pw' }, client), { code: 'credentials_unavailable' });
  assert.deepEqual(events, Array(4).fill('login.unavailable'), 'never throttled: an outage used up no budget');
  assert.deepEqual((await throttle.list()).filter((e) => e.username === 'bea'), []);
});
