/**
 * The account pages' rules over plain HTTP, on both stores (the browser suite is
 * account-pages.test.ts): the cookie /user/verify accepts and its flags, Secure behind https,
 * CSRF and same-origin refusals that change nothing, and a store outage shown as a 503 page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';
import { TcpProxy } from './support/tcp-proxy.js';

const PASSWORD = 'correct-horse-battery';
const PUBLIC = 'https://apps.example.test';

/** A browser's form post: the CSRF cookie and token from a fresh GET /account, and its Origin. */
async function formSession(server: TestServer) {
  const page = await fetch(`${server.url}/account`);
  const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('ats_auth_csrf='))!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: PUBLIC,
        'sec-fetch-site': 'same-origin',
        cookie: csrfCookie,
        ...headers,
      },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    });
  return { csrf, csrfCookie, post };
}

const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('ats_auth='));

for (const kind of STORES) {
  describe(`account forms over HTTP (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;

    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: { ...store.env, ATS_AUTH_PUBLIC_URL: PUBLIC } });
      await server.addUser('marco', PASSWORD);
    });
    after(async () => {
      await server?.stop();
      if (server) removeDir(server.dataDir);
      await store?.drop();
    });

    test('signing in sets an HttpOnly, SameSite=Lax, Secure cookie that /user/verify accepts, and only ats_auth pages change it', async () => {
      const form = await formSession(server);
      assert.match(form.csrfCookie, /^ats_auth_csrf=[A-Za-z0-9_-]{43}$/);
      const res = await form.post('/account/sign-in', { username: 'marco', password: PASSWORD, rd: `${PUBLIC}/dash` });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${PUBLIC}/dash`);
      const cookie = sessionCookie(res)!;
      assert.match(cookie, /^ats_auth=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
      const verify = await fetch(`${server.url}/user/verify`, { headers: { cookie: cookie.split(';')[0]! } });
      assert.equal(verify.status, 200);
      assert.equal(verify.headers.get('x-auth-userid'), 'marco');

      const out = await form.post('/account/sign-out', {}, { cookie: `${form.csrfCookie}; ${cookie.split(';')[0]}` });
      assert.equal(out.status, 303);
      assert.match(sessionCookie(out)!, /^ats_auth=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
      const after = await fetch(`${server.url}/user/verify`, { headers: { cookie: cookie.split(';')[0]! } });
      assert.equal(after.status, 401, 'the signed-out token is revoked, not just forgotten by the browser');
    });

    test('a form without the token, with a wrong token, or from another origin is refused with 403 and signs nobody in', async () => {
      const form = await formSession(server);
      const attempts: [string, Record<string, string>, Record<string, string>][] = [
        ['no token', { csrf: '' }, {}],
        ['token of another browser', { csrf: form.csrf }, { cookie: `ats_auth_csrf=${'A'.repeat(43)}` }],
        ['other origin', {}, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
        ['same-site but not same-origin', {}, { 'sec-fetch-site': 'same-site' }],
        ['no Origin and no Sec-Fetch-Site', {}, { origin: '', 'sec-fetch-site': '' }],
      ];
      for (const [what, fields, headers] of attempts) {
        const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
        const res = await fetch(`${server.url}/account/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: form.csrfCookie,
            ...('origin' in headers ? {} : { origin: PUBLIC }),
            ...('sec-fetch-site' in headers ? {} : { 'sec-fetch-site': 'same-origin' }),
            ...clean,
          },
          body: new URLSearchParams({ csrf: form.csrf, username: 'marco', password: PASSWORD, ...fields }).toString(),
        });
        assert.equal(res.status, 403, what);
        assert.equal(sessionCookie(res), undefined, `${what}: no cookie set`);
        assert.match(await res.text(), /came from another site or has expired/, what);
      }
    });

    test('pages carry a strict CSP, deny framing and are never cached', async () => {
      const res = await fetch(`${server.url}/account`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
        assert.ok(csp.includes(directive), `${directive} in ${csp}`);
      }
      assert.doesNotMatch(csp, /script-src|unsafe-inline/);
      assert.match(csp, /form-action 'self' http:\/\/apps\.example\.test:\* https:\/\/apps\.example\.test:\*/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.doesNotMatch(await res.text(), /<script/);
    });

    test('the gateway hand-off: X-Original-URL from a trusted peer becomes /account?rd=<encoded>', async () => {
      const res = await fetch(`${server.url}/account`, { redirect: 'manual', headers: { 'x-original-url': `${PUBLIC}/a?b=1&c=2` } });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `/account?rd=${encodeURIComponent(`${PUBLIC}/a?b=1&c=2`)}`);
      const foreign = await fetch(`${server.url}/account`, { redirect: 'manual', headers: { 'x-original-url': 'https://evil.example/' } });
      assert.equal(foreign.headers.get('location'), '/account');
    });
  });
}

describe('account sign-in while PostgreSQL is unreachable', () => {
  let store: StoreHandle;
  let proxy: TcpProxy;
  let server: TestServer;

  before(async () => {
    store = await storeEnv('postgres');
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: 5432 });
    const viaProxy = new URL(store.databaseUrl!);
    viaProxy.port = String(proxy.port);
    server = await startServer({ env: { ...store.env, ATS_AUTH_DATABASE_URL: viaProxy.toString(), ATS_AUTH_PUBLIC_URL: PUBLIC } });
    await server.addUser('marco', PASSWORD);
  });
  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    await proxy?.close();
    await store?.drop();
  });

  test('the form comes back with 503 and says signing in is not possible right now', async () => {
    const form = await formSession(server);
    await proxy.down();
    try {
      const res = await form.post('/account/sign-in', { username: 'marco', password: PASSWORD });
      assert.equal(res.status, 503);
      assert.equal(sessionCookie(res), undefined);
      const page = await res.text();
      assert.match(page, /role="alert">Signing in is not possible right now/);
      assert.ok(!page.includes(PASSWORD), 'the password is not echoed');
    } finally {
      await proxy.up();
    }
  });
});
