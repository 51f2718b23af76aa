/**
 * The ldap credential backend (SPEC §10) against a real OpenLDAP slapd started here: plain,
 * StartTLS and ldaps with a CA made by the test; filter metacharacters, duplicates, case
 * variants; slapd stopped (503, builtin still works) and restarted (next login works).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLdapBackend } from '../src/credentials/ldap.js';
import { assertTokenLifecycle, auditLines, loginRequest, metricValue } from './support/credential-checks.js';
import { eventually } from './support/fresh-http.js';
import { startServer, type TestServer } from './support/server.js';
import { BASE_DN, SERVICE_DN, SERVICE_PASSWORD, Slapd } from './support/slapd.js';
import { storeEnv, type StoreHandle } from './support/stores.js';

let slapd: Slapd;
let env: (extra?: Record<string, string>) => Record<string, string>;

before(async () => {
  slapd = await Slapd.create([
    { cn: 'Marco Rossi', uid: ['marco'], password: 'ldap-pass' },
    { cn: 'Anna Bianchi', uid: ['Anna'], password: 'anna-pass' },
    { cn: 'Meta', uid: ['st*r(1)\\x'], password: 'meta-pass' },
    { cn: 'Twin One', uid: ['twin'], password: 'twin-pass' },
    { cn: 'Twin Two', uid: ['twin'], password: 'twin-pass', ou: 'other' },
  ]);
  const passwordFile = join(slapd.dir, 'bind-password');
  writeFileSync(passwordFile, `${SERVICE_PASSWORD}\n`);
  env = (extra = {}) => ({
    ATS_AUTH_CREDENTIALS: 'ldap,builtin',
    ATS_AUTH_LDAP_URL: slapd.ldapUrl,
    ATS_AUTH_LDAP_BIND_DN: SERVICE_DN,
    ATS_AUTH_LDAP_BIND_PASSWORD_FILE: passwordFile,
    ATS_AUTH_LDAP_BASE_DN: BASE_DN,
    ATS_AUTH_LDAP_TIMEOUT_MS: '3000',
    ...extra,
  });
}, { timeout: 60_000 });
after(async () => slapd?.destroy(), { timeout: 30_000 });

describe('ldap backend, plain ldap://', { timeout: 180_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: env() });
    await server.addUser('admin', 'break-glass-pass');
  });
  after(async () => server.stop());

  test('good password: a token whose subject is the entry uid, treated like a builtin one by verify/logout/logout_all', async () => {
    await assertTokenLifecycle(server, 'marco', 'ldap-pass', 'marco');
    const ok = (await auditLines(server, 'login.ok')).at(-1)!;
    assert.equal(ok.backend, 'ldap');
  });

  test('wrong password → 401, decided by ldap; builtin is not asked after a rejection', async () => {
    const res = await loginRequest(server, 'marco', 'wrong-pass');
    assert.equal(res.status, 401);
    assert.equal((await auditLines(server, 'login.failed', 1)).at(-1)!.backend, 'ldap');
  });

  test('unknown user → 401 after every backend said unknown', async () => {
    assert.equal((await loginRequest(server, 'nobody', 'whatever')).status, 401);
    assert.equal((await auditLines(server, 'login.failed', 2)).at(-1)!.backend, null);
  });

  test('empty password → 400 at the edge, and the backend itself never binds with one', async () => {
    assert.equal((await loginRequest(server, 'marco', '')).status, 400);
    const backend = createLdapBackend(
      {
        url: 'ldap://127.0.0.1:1', // nothing listens there: any attempt to bind would be "unavailable"
        startTls: false,
        caFile: undefined,
        bindDn: undefined,
        bindPassword: undefined,
        bindPasswordFile: undefined,
        baseDn: BASE_DN,
        userFilter: '(uid={username})',
        usernameAttribute: 'uid',
        timeoutMs: 1000,
      },
      { warn: () => {} } as never,
    );
    assert.deepEqual(await backend.check('marco', ''), { outcome: 'rejected', reason: 'empty password' });
  });

  test('filter metacharacters in the username are escaped (RFC 4515): no wildcard, no injection', async () => {
    const meta = await server.login('st*r(1)\\x', 'meta-pass');
    assert.equal((await server.verify(meta)).headers.get('x-auth-userid'), 'st*r(1)\\x');
    for (const typed of ['*', 'mar*', 'marco)(uid=*', '*)(|(uid=*', 'st*', 'marco\\2a']) {
      assert.equal((await loginRequest(server, typed, 'ldap-pass')).status, 401, typed);
    }
  });

  test('a user matched by two entries is refused and logged', async () => {
    assert.equal((await loginRequest(server, 'twin', 'twin-pass')).status, 401);
    // The warning is written by the server process; its stdout may arrive after the answer.
    await eventually('the warning logged', async () => server.logs.some((l) => l.includes('more than one entry matches')));
  });

  test('case variants log in as one subject, the canonical uid of the entry', async () => {
    const upper = await server.login('MARCO', 'ldap-pass');
    const mixed = await server.login('mArCo', 'ldap-pass');
    assert.equal((await server.verify(upper)).headers.get('x-auth-userid'), 'marco');
    assert.equal((await server.verify(mixed)).headers.get('x-auth-userid'), 'marco');
    const anna = await server.login('anna', 'anna-pass');
    assert.equal((await server.verify(anna)).headers.get('x-auth-userid'), 'Anna');
    assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } })).status, 204);
    assert.equal((await server.verify(upper)).status, 401, 'logout_all of marco ends the MARCO login');
  });

  test('logout_all for a gateway-named user: 204 for a directory user who never logged in, 404 unknown_user for a name the directory lacks', async () => {
    const logoutAll = (user: string) => server.post('/user/logout_all', { headers: { 'x-auth-userid': user } });
    assert.equal((await logoutAll('Anna')).status, 204, 'in the directory, no session here');
    const unknown = await logoutAll('nobody-in-ldap');
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: string }).error, 'unknown_user');
    assert.equal((await server.cli(['revoke', '--user', 'nobody-in-ldap'])).code, 1, 'the CLI says so too');
  });

  test('slapd stopped → 503 credentials_unavailable (never 401); a builtin account still works; restarted → next login works', async () => {
    await slapd.stop();
    try {
      assert.equal(
        (await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'nobody-in-ldap' } })).status,
        204,
        'while the directory cannot say who exists, a logout_all is stored rather than refused',
      );
      const res = await loginRequest(server, 'marco', 'ldap-pass');
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: string }).error, 'credentials_unavailable');
      assert.equal((await loginRequest(server, 'marco', 'wrong-pass')).status, 503, 'an outage is not a wrong password');
      assert.equal((await loginRequest(server, 'admin', 'break-glass-pass')).status, 200, 'break-glass builtin account');
      assert.ok((await metricValue(server, 'ats_auth_credential_checks_total{backend="ldap",outcome="unavailable"}')) >= 2);
      assert.equal(await metricValue(server, 'ats_auth_credential_backend_up{backend="ldap"}'), 0);
      // No backend could say whether 'marco' exists, so the attempt is logged by digest only (SECURITY.md).
      const unavailable = (await auditLines(server, 'login.unavailable')).at(-1)!;
      assert.equal(unavailable.user, undefined);
      assert.match(String(unavailable.userDigest), /^[0-9a-f]{16}$/);
    } finally {
      await slapd.start();
    }
    assert.equal((await loginRequest(server, 'marco', 'ldap-pass')).status, 200, 'the first login after the restart works');
    assert.equal(await metricValue(server, 'ats_auth_credential_backend_up{backend="ldap"}'), 1);
    assert.ok(!server.logs.some((l) => l.includes('ldap-pass') || l.includes(SERVICE_PASSWORD)), 'no password in the logs');
  });
});

describe('ldap backend with TLS', { timeout: 180_000 }, () => {
  test('StartTLS with a CA file, and ldaps:// with a CA file: logins work', async () => {
    for (const extra of <Record<string, string>[]>[
      { ATS_AUTH_LDAP_START_TLS: 'true', ATS_AUTH_LDAP_CA_FILE: slapd.caFile },
      { ATS_AUTH_LDAP_URL: slapd.ldapsUrl, ATS_AUTH_LDAP_CA_FILE: slapd.caFile },
    ]) {
      const server = await startServer({ env: env(extra) });
      try {
        const token = await server.login('marco', 'ldap-pass');
        assert.equal((await server.verify(token)).headers.get('x-auth-userid'), 'marco');
        assert.equal((await loginRequest(server, 'marco', 'wrong-pass')).status, 401);
      } finally {
        await server.stop();
      }
    }
  });

  test('a certificate the CA file does not vouch for: 503 (TLS failure is an outage), and the start still succeeds', async () => {
    const server = await startServer({ env: env({ ATS_AUTH_LDAP_URL: slapd.ldapsUrl }) });
    try {
      const res = await loginRequest(server, 'marco', 'ldap-pass');
      assert.equal(res.status, 503);
      assert.ok(server.logs.some((l) => l.includes('credential backend unreachable at start')), 'a start-up warning');
    } finally {
      await server.stop();
    }
  });
});

describe('ldap backend [postgres]', { timeout: 120_000 }, () => {
  let server: TestServer;
  let store: StoreHandle;
  before(async () => {
    store = await storeEnv('postgres');
    server = await startServer({ env: { ...store.env, ...env() } });
  });
  after(async () => {
    await server.stop();
    await store.drop();
  });

  test('a login through ldap is treated like a builtin one on PostgreSQL too', async () => {
    await assertTokenLifecycle(server, 'MARCO', 'ldap-pass', 'marco');
  });
});
