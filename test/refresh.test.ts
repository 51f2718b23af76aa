/**
 * Refresh tokens (SPEC §12), black-box on both stores: login answers a pair; /user/refresh
 * rotates; two tabs refreshing at once inside the grace window get the same pair; a spent token
 * after the window ends the session (401 refresh_token_reused, audit line, metric); refresh after
 * logout / logout_all / disable → 401; malformed input → 4xx JSON, never 5xx; throttled like login.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './support/fresh-http.js';
import { decodePart } from './support/jwt.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'correct horse battery';
const GRACE_SECONDS = 1;

interface Pair {
  token: string;
  refresh_token: string;
  expires_in: number;
}

for (const kind of STORES) {
  describe(`refresh tokens [${kind}]`, () => {
    let server: TestServer;
    let store: StoreHandle;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({
        env: {
          ...store.env,
          ATS_AUTH_TOKEN_TTL: '600',
          ATS_AUTH_REFRESH_TTL: '3600',
          ATS_AUTH_REFRESH_REUSE_SECONDS: String(GRACE_SECONDS),
        },
      });
      for (const name of ['ann', 'ben', 'cat', 'dan', 'eve']) await server.addUser(name, PASSWORD);
    });
    after(async () => {
      await server.stop();
      removeDir(server.dataDir);
      await store.drop();
    });

    const login = async (user: string): Promise<Pair> => {
      const res = await server.post('/user/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user, password: PASSWORD }),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as Pair;
    };
    // Each request from its own (trusted, forwarded) address unless told otherwise, so the
    // failures some tests provoke on purpose never throttle another test.
    let addresses = 0;
    const refresh = (refreshToken: unknown, headers: Record<string, string> = {}) =>
      server.post('/user/refresh', {
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.${Math.floor(++addresses / 250)}.${addresses % 250}`, ...headers },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
    const refreshed = async (refreshToken: string): Promise<Pair> => {
      const res = await refresh(refreshToken);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get('cache-control'), 'no-store');
      return (await res.json()) as Pair;
    };
    const status = async (token: string) => (await server.verify(token)).status;
    const sid = (token: string) => decodePart(token, 1).sid;
    const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

    test('login answers {token, refresh_token, expires_in}; refresh rotates and keeps the sid', async () => {
      const first = await login('ann');
      assert.deepEqual(Object.keys(first).sort(), ['expires_in', 'refresh_token', 'token']);
      assert.equal(first.expires_in, 600);
      assert.match(first.refresh_token, /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url');
      const second = await refreshed(first.refresh_token);
      assert.notEqual(second.refresh_token, first.refresh_token);
      assert.notEqual(second.token, first.token);
      assert.equal(sid(second.token), sid(first.token), 'tokens obtained by refreshing keep the sid');
      assert.equal(await status(second.token), 200);
      assert.equal(await status(first.token), 200, 'the earlier access token lives on until it expires');
      const third = await refreshed(second.refresh_token);
      assert.equal(await status(third.token), 200);
    });

    test('two tabs refreshing at once inside the grace window get the same new pair', async () => {
      const { refresh_token } = await login('ben');
      const answers = await Promise.all([refresh(refresh_token), refresh(refresh_token), refresh(refresh_token)]);
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 200]);
      const pairs = (await Promise.all(answers.map((r) => r.json()))) as Pair[];
      assert.equal(new Set(pairs.map((p) => p.refresh_token)).size, 1, 'one new refresh token');
      assert.equal(new Set(pairs.map((p) => p.token)).size, 1, 'one new access token');
      assert.equal(await status(pairs[0]!.token), 200);
      assert.equal((await refresh(pairs[0]!.refresh_token)).status, 200, 'the one new refresh token works');
    });

    test('a spent refresh token after the grace window ends the whole session: 401 refresh_token_reused', async () => {
      const first = await login('cat');
      const second = await refreshed(first.refresh_token);
      await new Promise((r) => setTimeout(r, GRACE_SECONDS * 1000 + 300));
      const reused = await refresh(first.refresh_token);
      assert.equal(reused.status, 401);
      assert.deepEqual(await reused.json(), {
        error: 'refresh_token_reused',
        message: 'This refresh token was already used; the session has been ended.',
      });
      for (const token of [first.token, second.token]) assert.equal(await status(token), 401, 'every token of the session');
      const next = await refresh(second.refresh_token);
      assert.equal(next.status, 401, "the session's live refresh token is dead too");
      assert.equal(await errorOf(next), 'invalid_refresh_token');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^ats_auth_refreshes_total\{outcome="reused"\} 1$/m);
      const audit = server.logs.filter((l) => l.includes('"event":"refresh.reused"'));
      assert.equal(audit.length, 1, 'one audit line');
      assert.match(audit[0]!, /"user":"cat"/);
      assert.ok(!audit[0]!.includes(first.refresh_token), 'no refresh token in the log');
    });

    test('refresh after logout, after logout_all, after the user is disabled → 401', async () => {
      const a = await login('dan');
      assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${a.token}` } })).status, 204);
      const afterLogout = await refresh(a.refresh_token);
      assert.equal(afterLogout.status, 401);
      assert.equal(await errorOf(afterLogout), 'invalid_refresh_token');

      const b = await login('dan');
      assert.equal((await server.post('/user/logout_all', { headers: { 'x-auth-userid': 'dan' } })).status, 204);
      assert.equal((await refresh(b.refresh_token)).status, 401);

      const c = await login('dan');
      assert.equal((await server.cli(['user', 'disable', 'dan'])).code, 0);
      const afterDisable = await refresh(c.refresh_token);
      assert.equal(afterDisable.status, 401, 'at once: the command ended the sessions in the store');
      // The access token: once the server has read the CLI's revocation from the feed.
      await eventually('the disabled user\'s token is refused', async () => (await status(c.token)) === 401, 2000);
    });

    test('malformed refresh requests → 400/401/415 JSON, never 5xx', async () => {
      const cases: [string, RequestInit & { headers?: Record<string, string> }, number][] = [
        ['no body', { headers: { 'content-type': 'application/json' } }, 400],
        ['empty object', { headers: { 'content-type': 'application/json' }, body: '{}' }, 400],
        ['number', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":42}' }, 400],
        ['null', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":null}' }, 400],
        ['array body', { headers: { 'content-type': 'application/json' }, body: '[]' }, 400],
        ['not JSON', { headers: { 'content-type': 'application/json' }, body: '{nope' }, 400],
        ['text/plain', { headers: { 'content-type': 'text/plain' }, body: 'x' }, 415],
        ['too long', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: 'a'.repeat(300) }) }, 400],
        ['garbage', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":"garbage"}' }, 401],
        ['well-shaped but unknown', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: 'A'.repeat(43) }) }, 401],
        ['a JWT', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: (await login('eve')).token }) }, 401],
        ['raw control character', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":"a\u0000b"}' }, 400],
        ['non-ASCII', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":"\u00e9\ud83d\ude00"}' }, 401],
        ['escaped NUL', { headers: { 'content-type': 'application/json' }, body: '{"refresh_token":"\\u0000"}' }, 401],
      ];
      for (const [what, init, expected] of cases) {
        // Each from its own forwarded address, so the throttle does not step in.
        const headers = { ...init.headers, 'x-forwarded-for': `192.0.2.${cases.findIndex((c) => c[0] === what) + 1}` };
        const res = await fetch(`${server.url}/user/refresh`, { method: 'POST', ...init, headers });
        assert.equal(res.status, expected, what);
        const body = (await res.json()) as { error: string; message: string };
        assert.equal(typeof body.error, 'string', what);
        assert.equal(typeof body.message, 'string', what);
      }
      const form = await fetch(`${server.url}/user/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `refresh_token=${(await login('eve')).refresh_token}`,
      });
      assert.equal(form.status, 200, 'a form-encoded body works like a login');
    });

    test('failed refreshes are throttled per client address like failed logins (429 + Retry-After)', async () => {
      const from = { 'x-forwarded-for': '203.0.113.77' };
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await refresh('B'.repeat(43), from)).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
      const res = await refresh('B'.repeat(43), from);
      assert.equal(await errorOf(res), 'throttled');
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      const elsewhere = await login('eve');
      assert.equal((await refresh(elsewhere.refresh_token)).status, 200, 'other addresses are not affected');
    });
  });
}
