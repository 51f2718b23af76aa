/** The admin CLI (SPEC §8, §9) against the same data as a running server. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodePart } from './support/jwt.js';
import { startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

/** Polls until verify refuses the token; the CLI reaches the server through the change feed. */
async function refusedWithin(server: TestServer, token: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await server.verify(token)).status === 401) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

for (const kind of STORES) {
  describe(`ats-auth CLI [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
    });
    after(async () => {
      await server.stop();
      await store.drop();
    });

    test('user add reads the password from stdin; the user can log in', async () => {
      const res = await server.cli(['user', 'add', 'marco'], 'first-passw0rd\n');
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, "user 'marco' added\n");
      assert.ok(await server.login('marco', 'first-passw0rd'));
    });

    test('user add of an existing name → non-zero, one line on stderr', async () => {
      const res = await server.cli(['user', 'add', 'marco'], 'x-passw0rd\n');
      assert.equal(res.code, 1);
      assert.equal(res.stderr, "ats-auth: User 'marco' already exists.\n");
    });

    test('user add with no password on stdin, or a bad name → non-zero', async () => {
      assert.notEqual((await server.cli(['user', 'add', 'nopass'], '')).code, 0);
      const bad = await server.cli(['user', 'add', 'tab\tname'], 'pw-pw-pw\n');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /control characters/);
    });

    test('user passwd changes the password', async () => {
      const res = await server.cli(['user', 'passwd', 'marco'], 'second-passw0rd\n');
      assert.equal(res.code, 0, res.stderr);
      const old = await server.post('/user/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'marco', password: 'first-passw0rd' }),
      });
      assert.equal(old.status, 401);
      assert.ok(await server.login('marco', 'second-passw0rd'));
    });

    test('user passwd ends the user\'s sessions (other users\' stay); --keep-sessions keeps them', async () => {
      await server.cli(['user', 'add', 'zpw1'], 'pw1-first-passw0rd\n');
      await server.cli(['user', 'add', 'zpw2'], 'pw2-first-passw0rd\n');
      const ended = await server.login('zpw1', 'pw1-first-passw0rd');
      const other = await server.login('zpw2', 'pw2-first-passw0rd');
      const res = await server.cli(['user', 'passwd', 'zpw1'], 'pw1-second-passw0rd\n');
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, "password of 'zpw1' changed; their tokens are revoked\n");
      assert.ok(await refusedWithin(server, ended, 2000), 'the old session ends');
      assert.equal((await server.verify(await server.login('zpw1', 'pw1-second-passw0rd'))).status, 200, 'a new login works');
      assert.equal((await server.verify(other)).status, 200, "another user's session stays");

      const kept = await server.login('zpw2', 'pw2-first-passw0rd');
      const keep = await server.cli(['user', 'passwd', 'zpw2', '--keep-sessions'], 'pw2-second-passw0rd\n');
      assert.equal(keep.code, 0, keep.stderr);
      assert.equal(keep.stdout, "password of 'zpw2' changed; their tokens still work\n");
      assert.equal(await refusedWithin(server, kept, 500), false, 'kept');
      assert.equal((await server.cli(['user', 'passwd', '--keep-sessions'], 'x-passw0rd\n')).code, 2, 'the name is still required');
    });

    test('user list shows names and status', async () => {
      await server.cli(['user', 'add', 'zoe'], 'zoe-passw0rd\n');
      await server.cli(['user', 'disable', 'zoe']);
      const res = await server.cli(['user', 'list']);
      assert.equal(res.code, 0);
      const lines = res.stdout.trim().split('\n');
      assert.match(lines[0]!, /^NAME\s+STATUS\s+CREATED$/);
      assert.match(lines[1]!, /^marco\s+active\s+\d{4}-\d\d-\d\dT/);
      assert.match(lines[2]!, /^zoe\s+disabled\s+/);
    });

    test('user disable refuses logins and revokes live tokens; enable allows login again', async () => {
      await server.cli(['user', 'add', 'dis'], 'dis-passw0rd\n');
      const token = await server.login('dis', 'dis-passw0rd');
      assert.equal((await server.cli(['user', 'disable', 'dis'])).code, 0);
      assert.ok(await refusedWithin(server, token, 2000), 'token revoked by disable');
      await assert.rejects(server.login('dis', 'dis-passw0rd'), /401/);
      assert.equal((await server.cli(['user', 'enable', 'dis'])).code, 0);
      assert.ok(await server.login('dis', 'dis-passw0rd'));
    });

    test('user remove deletes the user and revokes their tokens; unknown user → non-zero', async () => {
      await server.cli(['user', 'add', 'gone'], 'gone-passw0rd\n');
      const token = await server.login('gone', 'gone-passw0rd');
      const res = await server.cli(['user', 'remove', 'gone']);
      assert.equal(res.code, 0, res.stderr);
      assert.ok(await refusedWithin(server, token, 2000));
      await assert.rejects(server.login('gone', 'gone-passw0rd'), /401/);
      const again = await server.cli(['user', 'remove', 'gone']);
      assert.equal(again.code, 1);
      assert.equal(again.stderr, "ats-auth: User 'gone' does not exist.\n");
    });

    test('sessions lists the live sessions (devices) with created, last seen, address and agent', async () => {
      const token = await server.login('marco', 'second-passw0rd');
      const ended = await server.login('marco', 'second-passw0rd');
      const sid = decodePart(token, 1).sid as string;
      await server.post('/user/logout', { headers: { authorization: `Bearer ${ended}` } });
      const res = await server.cli(['sessions', 'marco']);
      assert.equal(res.code, 0, res.stderr);
      const lines = res.stdout.trim().split('\n');
      assert.match(lines[0]!, /^ID\s+CREATED\s+LAST-SEEN\s+ADDRESS\s+USER-AGENT$/);
      const row = lines.find((l) => l.startsWith(sid));
      assert.ok(row, 'the session is listed');
      assert.match(row, /\s127\.0\.0\.1\s+node$/);
      assert.ok(!lines.some((l) => l.startsWith(decodePart(ended, 1).sid as string)), 'an ended session is not listed');
    });

    test('revoke --jti from the CLI is seen by the running server', async () => {
      const token = await server.login('marco', 'second-passw0rd');
      const jti = decodePart(token, 1).jti as string;
      assert.equal((await server.verify(token)).status, 200);
      const res = await server.cli(['revoke', '--jti', jti]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, `token ${jti} of 'marco' revoked\n`);
      assert.ok(await refusedWithin(server, token, 2000));
    });

    test('revoke --user from the CLI is seen by the running server; later logins work', async () => {
      const token = await server.login('marco', 'second-passw0rd');
      const res = await server.cli(['revoke', '--user', 'marco']);
      assert.equal(res.code, 0, res.stderr);
      assert.ok(await refusedWithin(server, token, 2000));
      const fresh = await server.login('marco', 'second-passw0rd');
      assert.equal((await server.verify(fresh)).status, 200);
    });

    test('revoke of an unknown jti, and bad usage → non-zero with one line', async () => {
      const unknown = await server.cli(['revoke', '--jti', 'no-such-jti']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^ats-auth: no session with jti 'no-such-jti'/);
      for (const args of [['revoke'], ['user', 'frobnicate', 'x'], ['nonsense'], ['user', 'add']]) {
        const res = await server.cli(args);
        assert.notEqual(res.code, 0, args.join(' '));
        assert.equal(res.stderr.trim().split('\n').length, 1, args.join(' '));
      }
    });

    test('migrate applies nothing twice and exits 0', async () => {
      const res = await server.cli(['migrate']);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /^migrations applied \(/);
    });
  });
}
