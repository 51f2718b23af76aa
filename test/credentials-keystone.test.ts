/**
 * The keystone credential backend (SPEC §10) against Debian's Keystone served by uwsgi (one
 * process, one thread), set up once for this file. Skipped, with the reason, only when the
 * packages cannot be installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertTokenLifecycle, auditLines, loginRequest, metricValue } from './support/credential-checks.js';
import { Keystone, keystoneUnavailableReason } from './support/keystone.js';
import { startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const skip = keystoneUnavailableReason();
if (skip !== undefined) console.log(`# ${skip}`);

describe('keystone backend', { skip: skip ?? false, timeout: 900_000 }, () => {
  let keystone: Keystone;
  const env = (extra: Record<string, string> = {}) => ({
    ATS_AUTH_CREDENTIALS: 'builtin,keystone',
    ATS_AUTH_KEYSTONE_URL: keystone.url,
    ATS_AUTH_KEYSTONE_TIMEOUT_MS: '5000',
    ...extra,
  });

  before(async () => {
    keystone = await Keystone.create();
    await keystone.populate('team', { kmember: 'member-pass' }, { koutsider: 'outsider-pass' });
  });
  after(async () => keystone?.destroy());

  for (const kind of STORES) {
    describe(`without a project [${kind}]`, () => {
      let server: TestServer;
      let store: StoreHandle;
      before(async () => {
        store = await storeEnv(kind);
        server = await startServer({ env: { ...store.env, ...env() } });
      });
      after(async () => {
        await server.stop();
        await store.drop();
      });

      test('good password: a token treated like a builtin one by verify, logout and logout_all', async () => {
        await assertTokenLifecycle(server, 'kmember', 'member-pass', 'kmember');
        assert.equal((await auditLines(server, 'login.ok')).at(-1)!.backend, 'keystone');
      });

      test('wrong password and unknown user → 401 (Keystone answers 401 for both)', async () => {
        assert.equal((await loginRequest(server, 'kmember', 'wrong-pass')).status, 401);
        assert.equal((await loginRequest(server, 'nobody', 'whatever')).status, 401);
        assert.ok((await metricValue(server, 'ats_auth_credential_checks_total{backend="keystone",outcome="rejected"}')) >= 2);
      });
    });
  }

  describe('scoped to a project, and Keystone stopped', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer({ env: env({ ATS_AUTH_KEYSTONE_PROJECT: 'team', ATS_AUTH_KEYSTONE_PROJECT_DOMAIN: 'Default' }) });
      await server.addUser('admin', 'break-glass-pass');
    });
    after(async () => server.stop());

    test('a member of the project gets in; a user outside it → 401', async () => {
      const token = await server.login('kmember', 'member-pass');
      assert.equal((await server.verify(token)).headers.get('x-auth-userid'), 'kmember');
      assert.equal((await loginRequest(server, 'koutsider', 'outsider-pass')).status, 401);
    });

    test('Keystone stopped → 503 credentials_unavailable, never 401; builtin still works', async () => {
      await keystone.stop();
      try {
        const res = await loginRequest(server, 'kmember', 'member-pass');
        assert.equal(res.status, 503);
        assert.equal(((await res.json()) as { error: string }).error, 'credentials_unavailable');
        assert.equal((await loginRequest(server, 'admin', 'break-glass-pass')).status, 200);
        assert.equal(await metricValue(server, 'ats_auth_credential_backend_up{backend="keystone"}'), 0);
      } finally {
        await keystone.start();
      }
      assert.equal((await loginRequest(server, 'kmember', 'member-pass')).status, 200, 'back once Keystone is');
    });
  });
});
