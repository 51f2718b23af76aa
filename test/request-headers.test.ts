/**
 * SPEC §15: request headers that could mean two things are refused (400 JSON), never resolved
 * to one of them — repeated Authorization lines, a repeated or comma-joined X-Auth-UserId, raw
 * non-ASCII or control characters in it, repeated token cookies; and logout_all or `revoke
 * --user` naming a user nobody knows says so (404 / exit 1) instead of claiming success.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawRequest, type RawResponse } from './support/raw-http.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery';
const COOKIE = 'ats_token';

/** `bad_request` is the answer of Node's HTTP parser, which refuses most control bytes itself. */
function assertBadRequest(res: RawResponse, what: string, error = 'invalid_request'): void {
  assert.equal(res.status, 400, `${what}: ${res.body}`);
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', what);
  assert.equal((JSON.parse(res.body) as { error: string }).error, error, what);
  assert.equal(res.headers['x-auth-userid'], undefined, what);
}

for (const kind of STORES) {
  describe(`ambiguous request headers [${kind}]`, () => {
    let store: StoreHandle;
    let server: TestServer;
    let alice: string;
    let bob: string;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: { ...store.env, ATS_AUTH_COOKIE_NAME: COOKIE } });
      for (const name of ['alice', 'bob', 'a,b']) await server.addUser(name, PASSWORD);
      alice = await server.login('alice', PASSWORD);
      bob = await server.login('bob', PASSWORD);
    });
    after(async () => {
      await server.stop();
      await store.drop();
      removeDir(server.dataDir);
    });

    const send = (method: string, path: string, headers: [string, string | Buffer][]) => rawRequest(server.url, method, path, headers);

    test('two Authorization lines → 400 on verify (any method), logout and logout_all, even when both are valid', async () => {
      for (const pair of [[alice, bob], [alice, alice], [alice, 'garbage']]) {
        const headers: [string, string][] = pair.map((t) => ['Authorization', `Bearer ${t}`]);
        for (const method of ['GET', 'POST', 'HEAD']) {
          const res = await send(method, '/user/verify', headers);
          if (method === 'HEAD') assert.equal(res.status, 400, 'HEAD');
          else assertBadRequest(res, `verify ${method}`);
        }
        assertBadRequest(await send('POST', '/user/logout', headers), 'logout');
        assertBadRequest(await send('POST', '/user/logout_all', headers), 'logout_all');
      }
      assert.equal((await server.verify(alice)).status, 200, 'nothing was revoked');
      assert.equal((await server.verify(bob)).status, 200, 'nothing was revoked');
    });

    test('one Authorization line still works on the fast path', async () => {
      const res = await send('GET', '/user/verify', [['Authorization', `Bearer ${alice}`]]);
      assert.equal(res.status, 200);
      assert.equal(res.headers['x-auth-userid'], 'alice');
    });

    test('a trusted X-Auth-UserId that is repeated or comma-joined → 400; nothing is revoked', async () => {
      const cases: [string, [string, string][]][] = [
        ['repeated', [['X-Auth-UserId', 'alice'], ['X-Auth-UserId', 'bob']]],
        ['repeated, same name', [['X-Auth-UserId', 'alice'], ['X-Auth-UserId', 'alice']]],
        ['repeated, one empty', [['X-Auth-UserId', ''], ['X-Auth-UserId', 'alice']]],
        ['comma-joined', [['X-Auth-UserId', 'alice, bob']]],
        ['comma-joined, no space', [['X-Auth-UserId', 'alice,bob']]],
      ];
      for (const [what, headers] of cases) assertBadRequest(await send('POST', '/user/logout_all', headers), what);
      assert.equal((await server.verify(alice)).status, 200, 'nothing was revoked');
      assert.equal((await server.verify(bob)).status, 200, 'nothing was revoked');
    });

    test('raw non-ASCII or control characters in a trusted X-Auth-UserId → 400', async () => {
      const cases: [string, Buffer, string?][] = [
        ['raw UTF-8', Buffer.from('alicé', 'utf8')],
        ['raw Latin-1', Buffer.from([0x61, 0x6c, 0x69, 0x63, 0xe9])],
        ['tab inside', Buffer.from('ali\tce')],
        ['space inside', Buffer.from('ali ce')],
        ['control byte', Buffer.from([0x61, 0x01, 0x62]), 'bad_request'],
        ['percent-encoded control character', Buffer.from('ali%00ce')],
      ];
      for (const [what, value, error] of cases) {
        assertBadRequest(await send('POST', '/user/logout_all', [['X-Auth-UserId', value]]), what, error);
      }
      assert.equal((await server.verify(alice)).status, 200, 'nothing was revoked');
    });

    test('a username with a comma travels percent-encoded: verify sends a%2Cb, logout_all takes it back', async () => {
      const token = await server.login('a,b', PASSWORD);
      const verified = await send('GET', '/user/verify', [['Authorization', `Bearer ${token}`]]);
      assert.equal(verified.status, 200);
      assert.equal(verified.headers['x-auth-userid'], 'a%2Cb');
      assertBadRequest(await send('POST', '/user/logout_all', [['X-Auth-UserId', 'a,b']]), 'raw comma');
      assert.equal((await send('POST', '/user/logout_all', [['X-Auth-UserId', 'a%2Cb']])).status, 204);
      assert.equal((await server.verify(token)).status, 401);
    });

    test('two cookies of the configured name → 400 (one Cookie line or two); one cookie → 200', async () => {
      const one = await send('GET', '/user/verify', [['Cookie', `other=x; ${COOKIE}=${alice}; more=y`]]);
      assert.equal(one.status, 200);
      assert.equal(one.headers['x-auth-userid'], 'alice');
      assertBadRequest(await send('GET', '/user/verify', [['Cookie', `${COOKIE}=${alice}; ${COOKIE}=${bob}`]]), 'one line');
      assertBadRequest(await send('GET', '/user/verify', [['Cookie', `${COOKIE}=${bob}`], ['Cookie', `${COOKIE}=${alice}`]]), 'two lines');
      assertBadRequest(await send('GET', '/user/verify', [['Cookie', `${COOKIE}=${alice};${COOKIE}=garbage`]]), 'valid first');
      const similar = await send('GET', '/user/verify', [['Cookie', `x${COOKIE}=${bob}; ${COOKIE}=${alice}`]]);
      assert.equal(similar.status, 200, 'a cookie whose name only ends with the configured one is another cookie');
      assert.equal(similar.headers['x-auth-userid'], 'alice');
    });

    test('logout_all for a trusted X-Auth-UserId naming no known user → 404 unknown_user; a known one → 204', async () => {
      const res = await send('POST', '/user/logout_all', [['X-Auth-UserId', 'nobody']]);
      assert.equal(res.status, 404, res.body);
      assert.deepEqual(JSON.parse(res.body), { error: 'unknown_user', message: "No user 'nobody' is known." });
      const known = await send('POST', '/user/logout_all', [['X-Auth-UserId', 'bob']]);
      assert.equal(known.status, 204);
      assert.equal((await server.verify(bob)).status, 401);
      bob = await server.login('bob', PASSWORD);
    });

    test('`revoke --user` for an unknown user exits 1 with one line; for a known user 0', async () => {
      const unknown = await server.cli(['revoke', '--user', 'nobody']);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, "ats-auth: No user 'nobody' is known.\n");
      assert.equal(unknown.stdout, '');
      const known = await server.cli(['revoke', '--user', 'alice']);
      assert.equal(known.code, 0, known.stderr);
    });

    test('a user removed from the backend whose tokens still live can still be revoked (a live session counts as known)', async () => {
      await server.addUser('gone', PASSWORD);
      const token = await server.login('gone', PASSWORD);
      // What an operator does by editing a backend (an htpasswd file, an LDAP directory): the
      // name disappears without ats-auth revoking anything. Simulated by removing the row only.
      const sqlite = kind === 'sqlite';
      await removeUserRowOnly(sqlite ? server.dataDir : store.databaseUrl!, sqlite);
      assert.equal((await server.verify(token)).status, 200);
      assert.equal((await send('POST', '/user/logout_all', [['X-Auth-UserId', 'gone']])).status, 204);
      assert.equal((await server.verify(token)).status, 401);
    });
  });
}

async function removeUserRowOnly(where: string, sqlite: boolean): Promise<void> {
  if (sqlite) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${where}/ats-auth.sqlite`);
    db.pragma('busy_timeout = 5000');
    db.prepare("DELETE FROM users WHERE name = 'gone'").run();
    db.close();
    return;
  }
  const { default: postgres } = await import('postgres');
  const sql = postgres(where, { max: 1, onnotice: () => {} });
  await sql`DELETE FROM users WHERE name = 'gone'`;
  await sql.end({ timeout: 1 });
}
