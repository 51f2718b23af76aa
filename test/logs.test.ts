/**
 * Logs, black-box: a whole session (login, verify, logout, logout_all, a failed and a throttled
 * login, a CLI revoke) leaves no token, password or signing secret in the server's or the
 * CLI's output, and every audit event exactly once with its user, jti and client address.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePart } from './support/jwt.js';
import { removeDir, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct-horse-battery-staple';
const WRONG = 'wrong-horse-battery-staple';
const TYPED_IN_USERNAME = 'my-Secret-passw0rd-42';

for (const kind of STORES) {
  describe(`logs (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    const output: string[] = [];
    let token = '';
    let jti = '';

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: { ...store.env, ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '1' } });
      const cli = async (args: string[], stdin?: string) => {
        const result = await server.cli(args, stdin);
        assert.equal(result.code, 0, result.stderr);
        output.push(result.stderr, result.stdout);
      };
      await cli(['user', 'add', 'marco'], `${PASSWORD}\n`);
      const login = (password: string) =>
        server.post('/user/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'marco', password }) });
      const ok = await login(PASSWORD);
      token = ((await ok.json()) as { token: string }).token;
      jti = decodePart(token, 1).jti as string;
      assert.equal((await server.verify(token)).status, 200);
      assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } })).status, 204);
      assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'marco' } })).status, 204);
      assert.equal((await login(WRONG)).status, 401);
      assert.equal((await login(WRONG)).status, 429);
      // A password typed into the username field, twice (the second time throttled).
      for (const status of [401, 429]) {
        const res = await server.post('/user/login', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: TYPED_IN_USERNAME, password: WRONG }),
        });
        assert.equal(res.status, status);
      }
      await cli(['revoke', '--jti', jti]);
      await server.stop();
      output.push(...server.logs);
    });
    after(async () => {
      await store.drop();
      removeDir(server.dataDir);
    });

    test('no token, password or signing secret in any log', () => {
      const text = output.join('\n');
      const [header, payload, signature] = token.split('.');
      for (const secret of [token, `${header}.${payload}`, signature!, PASSWORD, WRONG, TEST_SECRET, TYPED_IN_USERNAME]) {
        assert.ok(!text.includes(secret), `found ${secret.slice(0, 12)}… in the logs`);
      }
    });

    test('each audit event once, with user, jti where there is one, and client address', () => {
      const audit = output
        .join('\n')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.audit === true && entry.userDigest === undefined);
      const expected: [string, string | undefined, string | null][] = [
        ['login.ok', jti, '127.0.0.1'],
        ['logout', jti, '127.0.0.1'],
        ['logout_all', undefined, '127.0.0.1'],
        ['login.failed', undefined, '127.0.0.1'],
        ['login.throttled', undefined, '127.0.0.1'],
        ['revoke', jti, null],
      ];
      assert.deepEqual(audit.map((e) => e.event).sort(), expected.map(([event]) => event).sort(), 'each event exactly once');
      for (const [event, expectedJti, client] of expected) {
        const entry = audit.find((e) => e.event === event)!;
        assert.equal(entry.user, 'marco', event);
        assert.equal(entry.jti, expectedJti, event);
        assert.ok('client' in entry, `${event} names the client`);
        assert.equal(entry.client, client, event);
      }
    });

    test('an attempted username that is no user is logged only as a digest (failed and throttled alike)', () => {
      const entries = output
        .join('\n')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.audit === true && entry.userDigest !== undefined);
      assert.deepEqual(entries.map((e) => e.event), ['login.failed', 'login.throttled']);
      for (const entry of entries) {
        assert.equal(entry.user, undefined);
        assert.match(String(entry.userDigest), /^[0-9a-f]{16}$/);
      }
      assert.equal(entries[0]!.userDigest, entries[1]!.userDigest, 'one name, one digest');
    });
  });
}
