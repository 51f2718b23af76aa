/** The htpasswd credential backend end to end (SPEC §10), with files written by Debian's htpasswd -B. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertTokenLifecycle, auditLines, loginRequest, metricValue } from './support/credential-checks.js';
import { baseEnv, freshDataDir, removeDir, runCli, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const dir = mkdtempSync(join(tmpdir(), 'ats-auth-htpasswd-e2e-'));
const file = join(dir, 'users.htpasswd');

function htpasswd(user: string, password: string, extra: string[] = []): void {
  const result = spawnSync('htpasswd', ['-B', '-i', ...extra, file, user], { input: `${password}\n`, encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(`htpasswd (apache2-utils) failed: ${result.error?.message ?? result.stderr}`);
}

htpasswd('marco', 'htpasswd-pass', ['-c']);
htpasswd('Ann', 'ann-pass');
after(() => rmSync(dir, { recursive: true, force: true }));

for (const kind of STORES) {
  describe(`htpasswd backend [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({
        env: { ...store.env, ATS_AUTH_CREDENTIALS: 'htpasswd,builtin', ATS_AUTH_HTPASSWD_FILE: file, ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '3' },
      });
      await server.addUser('local', 'builtin-pass');
    });
    after(async () => {
      await server.stop();
      await store.drop();
    });

    test('a login through htpasswd gets a token that verify, logout and logout_all treat like a builtin one', async () => {
      await assertTokenLifecycle(server, 'marco', 'htpasswd-pass', 'marco');
      await assertTokenLifecycle(server, 'local', 'builtin-pass', 'local');
    });

    test('wrong password → 401 invalid_credentials; the audit line names the deciding backend, never the password', async () => {
      const res = await loginRequest(server, 'marco', 'wrong-pass');
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_credentials');
      const failed = (await auditLines(server, 'login.failed')).at(-1)!;
      assert.equal(failed.backend, 'htpasswd');
      const ok = await auditLines(server, 'login.ok', 2);
      assert.ok(ok.some((l) => l.backend === 'htpasswd') && ok.some((l) => l.backend === 'builtin'), 'login.ok names the backend');
      assert.ok(!server.logs.some((l) => l.includes('htpasswd-pass') || l.includes('wrong-pass')), 'no password in any log line');
    });

    test('logout_all for a gateway-named user: 204 for a user of the file who never logged in, 404 unknown_user for a name it lacks', async () => {
      const logoutAll = (user: string) => server.post('/user/logout_all', { headers: { 'x-auth-userid': user } });
      assert.equal((await logoutAll('Ann')).status, 204, 'in the file, no session here');
      const unknown = await logoutAll('nobody-in-file');
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as { error: string }).error, 'unknown_user');
    });

    test('a user htpasswd adds while the server runs can log in at once', async () => {
      htpasswd(`new-${kind}`, 'fresh-pass');
      assert.equal((await loginRequest(server, `new-${kind}`, 'fresh-pass')).status, 200);
    });

    test('metrics count answers by backend and outcome, with a duration histogram per backend', async () => {
      assert.ok((await metricValue(server, 'ats_auth_credential_checks_total{backend="htpasswd",outcome="accepted"}')) >= 1);
      assert.ok((await metricValue(server, 'ats_auth_credential_checks_total{backend="htpasswd",outcome="rejected"}')) >= 1);
      assert.ok((await metricValue(server, 'ats_auth_credential_checks_total{backend="htpasswd",outcome="unknown"}')) >= 1);
      assert.ok((await metricValue(server, 'ats_auth_credential_check_duration_seconds_count{backend="htpasswd"}')) >= 3);
    });

    test('throttling keys on the typed name case-folded: ANN, Ann and ann share one budget', async () => {
      for (const name of ['ANN', 'Ann', 'ａｎｎ']) assert.equal((await loginRequest(server, name, 'guess')).status, 401, name);
      const res = await loginRequest(server, 'ann', 'guess');
      assert.equal(res.status, 429, 'the fourth attempt under any case variant is throttled');
    });
  });
}

describe('htpasswd settings at start', () => {
  test('a weak hash line refuses the start with the file and line number (exit 78)', async () => {
    const weak = join(dir, 'weak.htpasswd');
    writeFileSync(weak, `# users\nold:$apr1$Xy1pT0aB$CcxLbTx0B7jv6D0nTSxN00\n`);
    const dataDir = freshDataDir();
    try {
      const env = baseEnv(dataDir, { ATS_AUTH_CREDENTIALS: 'htpasswd', ATS_AUTH_HTPASSWD_FILE: weak });
      const result = await runCli(['serve'], { env });
      assert.equal(result.code, 78);
      assert.match(result.stderr, /ATS_AUTH_HTPASSWD_FILE: '.*weak\.htpasswd' line 2: weak scheme \$apr1\$/);
      assert.doesNotMatch(result.stderr, /CcxLbTx0B7/);
    } finally {
      removeDir(dataDir);
    }
  });

  test('unknown backend names and a missing file setting are named, all together', async () => {
    const dataDir = freshDataDir();
    try {
      const result = await runCli(['serve'], { env: baseEnv(dataDir, { ATS_AUTH_CREDENTIALS: 'htpasswd,radius' }) });
      assert.equal(result.code, 78);
      assert.match(result.stderr, /ATS_AUTH_CREDENTIALS: unknown backend 'radius'/);
      const missing = await runCli(['serve'], { env: baseEnv(dataDir, { ATS_AUTH_CREDENTIALS: 'htpasswd' }) });
      assert.match(missing.stderr, /ATS_AUTH_HTPASSWD_FILE: required when ATS_AUTH_CREDENTIALS lists htpasswd/);
    } finally {
      removeDir(dataDir);
    }
  });
});
