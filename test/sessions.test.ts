/**
 * Sessions as devices (SPEC §12), black-box on both stores: every login starts a session whose
 * id is the tokens' `sid`; GET /user/sessions, DELETE /user/sessions/{id}, POST
 * /user/logout_others; logout and logout_all end sessions; last-seen advances without a store
 * write per verify; the per-user cap; the CLI's `sessions` and `revoke --session`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './support/fresh-http.js';
import { decodePart } from './support/jwt.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery';
const MAX_SESSIONS = 4;

interface SessionJson {
  id: string;
  created_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
  current: boolean;
}

for (const kind of STORES) {
  describe(`sessions [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({
        env: { ...store.env, ATS_AUTH_LAST_SEEN_INTERVAL_MS: '200', ATS_AUTH_MAX_SESSIONS_PER_USER: String(MAX_SESSIONS) },
      });
      for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'fred']) await server.addUser(name, PASSWORD);
    });
    after(async () => {
      await server.stop();
      removeDir(server.dataDir);
      await store.drop();
    });

    const login = async (user: string, agent = 'test-agent/1.0') => {
      const res = await fetch(`${server.url}/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': agent },
        body: JSON.stringify({ username: user, password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { token: string };
      return { token: body.token, sid: decodePart(body.token, 1).sid as string, body };
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const list = async (headers: Record<string, string>) => {
      const res = await fetch(`${server.url}/user/sessions`, { headers });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      return (await res.json()) as SessionJson[];
    };
    const del = (id: string, headers: Record<string, string>) =>
      fetch(`${server.url}/user/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', headers });
    const status = async (token: string) => (await server.verify(token)).status;

    test('a login starts a session: its token carries a random sid; the body stays exactly {"token"}', async () => {
      const a = await login('alice');
      const b = await login('alice');
      assert.deepEqual(Object.keys(a.body), ['token']);
      assert.match(a.sid, /^[A-Za-z0-9_-]{22}$/, '128 random bits, base64url');
      assert.notEqual(a.sid, b.sid);
      const res = await server.post('/user/refresh', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":"x"}' });
      assert.equal(res.status, 404, 'refresh is off by default');
      assert.equal(((await res.json()) as { error: string }).error, 'refresh_disabled');
    });

    test('GET /user/sessions lists the devices, newest first, with the current one marked; no secrets', async () => {
      const first = await login('bob', 'first-device/1');
      const second = await login('bob', 'second-device/2');
      const sessions = await list(bearer(first.token));
      assert.deepEqual(sessions.map((s) => s.id), [second.sid, first.sid]);
      assert.deepEqual(sessions.map((s) => s.current), [false, true]);
      const [s] = sessions;
      assert.deepEqual(Object.keys(s!).sort(), ['created_at', 'current', 'id', 'ip', 'last_seen_at', 'user_agent']);
      assert.equal(s!.ip, '127.0.0.1');
      assert.equal(s!.user_agent, 'second-device/2');
      assert.ok(!Number.isNaN(Date.parse(s!.created_at)) && s!.created_at.endsWith('Z'), 'ISO 8601');
      assert.ok(!JSON.stringify(sessions).includes(first.token.split('.')[2]!), 'no token in the listing');
      // A trusted gateway's X-Auth-UserId names the user; no session is current then.
      const viaGateway = await list({ 'x-auth-userid': 'bob' });
      assert.deepEqual(viaGateway.map((x) => [x.id, x.current]), [[second.sid, false], [first.sid, false]]);
    });

    test('the client address is the forwarded one only from a trusted peer', async () => {
      const res = await fetch(`${server.url}/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify({ username: 'carol', password: PASSWORD }),
      });
      const { token } = (await res.json()) as { token: string };
      const [s] = await list(bearer(token));
      assert.equal(s!.ip, '198.51.100.7', 'loopback is a trusted peer by default');
    });

    test('DELETE /user/sessions/{id} ends that device: its tokens are refused, it leaves the list; again → 404', async () => {
      const keep = await login('dave');
      const gone = await login('dave');
      assert.equal(await status(gone.token), 200);
      const res = await del(gone.sid, bearer(keep.token));
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
      assert.equal(await status(gone.token), 401, 'refused at once on the instance that answered');
      assert.equal(await status(keep.token), 200);
      assert.deepEqual((await list(bearer(keep.token))).map((s) => s.id), [keep.sid]);
      const again = await del(gone.sid, bearer(keep.token));
      assert.equal(again.status, 404);
      assert.deepEqual(await again.json(), { error: 'session_not_found', message: 'No such session.' });
    });

    test("another user's session id, or one that does not exist → the same 404; no token → 401", async () => {
      const mine = await login('erin');
      const theirs = await login('fred');
      const foreign = await del(theirs.sid, bearer(mine.token));
      const missing = await del('no-such-session-id', bearer(mine.token));
      assert.equal(foreign.status, 404);
      assert.equal(missing.status, 404);
      assert.deepEqual(await foreign.json(), await missing.json(), 'no hint that the id exists');
      assert.equal(await status(theirs.token), 200, "fred's session is untouched");
      for (const res of [
        await fetch(`${server.url}/user/sessions`),
        await fetch(`${server.url}/user/sessions`, { headers: bearer('garbage') }),
        await del(theirs.sid, {}),
        await server.post('/user/logout_others'),
      ]) {
        assert.equal(res.status, 401);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
        assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
      }
      assert.equal(await status(theirs.token), 200);
    });

    test('POST /user/logout_others ends every session but the current one', async () => {
      const others = [await login('alice'), await login('alice')];
      const current = await login('alice');
      const res = await server.post('/user/logout_others', { headers: bearer(current.token) });
      assert.equal(res.status, 204);
      for (const other of others) assert.equal(await status(other.token), 401);
      assert.equal(await status(current.token), 200);
      assert.deepEqual((await list(bearer(current.token))).map((s) => [s.id, s.current]), [[current.sid, true]]);
      const unknownCurrent = await server.post('/user/logout_others', { headers: { 'x-auth-userid': 'alice' } });
      assert.equal(unknownCurrent.status, 400, 'with no token the current session is unknown');
      assert.equal(((await unknownCurrent.json()) as { error: string }).error, 'invalid_request');
    });

    test('logout ends the token\'s session; logout_all ends every session', async () => {
      const a = await login('carol');
      const b = await login('carol');
      assert.equal((await server.post('/user/logout', { headers: bearer(a.token) })).status, 204);
      assert.ok(!(await list(bearer(b.token))).some((s) => s.id === a.sid), 'the session left the list');
      assert.equal((await server.post('/user/logout', { headers: bearer(a.token) })).status, 204, 'idempotent');
      assert.equal((await server.post('/user/logout_all', { headers: bearer(b.token) })).status, 204);
      assert.deepEqual(await list({ 'x-auth-userid': 'carol' }), []);
    });

    test('last_seen_at follows verify, written at a bounded rate', async () => {
      const { token, sid } = await login('erin');
      const created = (await list({ 'x-auth-userid': 'erin' })).find((s) => s.id === sid)!;
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(await status(token), 200);
      // Once the coalesced write has happened (every 200 ms here), another process (the CLI) sees it too.
      await eventually(
        'the CLI shows the new last-seen time',
        async () => {
          const out = await server.cli(['sessions', 'erin']);
          const row = out.stdout.split('\n').find((l) => l.startsWith(sid));
          return row !== undefined && row.split(/\s+/)[2] !== row.split(/\s+/)[1];
        },
        3000,
        100,
      );
      const seen = (await list({ 'x-auth-userid': 'erin' })).find((s) => s.id === sid)!;
      assert.ok(Date.parse(seen.last_seen_at) >= Date.parse(created.last_seen_at) + 1000, `${seen.last_seen_at} after ${created.last_seen_at}`);
    });

    test(`at most ${MAX_SESSIONS} sessions per user: a new login ends the oldest`, async () => {
      const logins = [];
      for (let i = 0; i < MAX_SESSIONS + 1; i++) logins.push(await login('fred'));
      const live = (await list({ 'x-auth-userid': 'fred' })).map((s) => s.id);
      assert.equal(live.length, MAX_SESSIONS);
      assert.ok(!live.includes(logins[0]!.sid), 'the oldest was ended');
      assert.equal(await status(logins[0]!.token), 401);
      assert.equal(await status(logins.at(-1)!.token), 200);
    });

    test('CLI: sessions <name> shows id, created, last seen, address, agent; revoke --session ends one', async () => {
      const { token, sid } = await login('dave', 'cli-check/3');
      const out = await server.cli(['sessions', 'dave']);
      assert.equal(out.code, 0, out.stderr);
      const lines = out.stdout.trim().split('\n');
      assert.match(lines[0]!, /^ID\s+CREATED\s+LAST-SEEN\s+ADDRESS\s+USER-AGENT$/);
      assert.match(lines.find((l) => l.startsWith(sid))!, /^\S+\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\S+Z\s+127\.0\.0\.1\s+cli-check\/3$/);
      const res = await server.cli(['revoke', '--session', sid]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, `session ${sid} of 'dave' ended; its tokens are revoked\n`);
      await eventually('the server refuses the session ended by the CLI', async () => (await status(token)) === 401, 2000);
      const unknown = await server.cli(['revoke', '--session', 'no-such-session']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /^ats-auth: no session with id 'no-such-session'/);
    });
  });
}
