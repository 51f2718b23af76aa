/**
 * The account pages (SPEC §13) in Debian's Chromium, behind the real nginx with
 * examples/nginx/web-app.conf: the gateway's sign-in flow, the device list, sign-out of one
 * device / the others / everywhere, CSRF and open-redirect attempts, keyboard-only use,
 * phone width, accessibility (axe-core) and a clean console (no CSP violations).
 * With ATS_AUTH_UPDATE_SCREENSHOTS=1 the screenshots are written to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, seriousAccessibilityFindings, watchProblems } from './support/browser.js';
import { freePort, type RunningGateway } from './support/gateway.js';
import { NGINX_WEB_APP_EXAMPLE, startNginx } from './support/nginx.js';
import { startServer, type TestServer } from './support/server.js';

const PASSWORD = 'correct-horse-battery';
const CHROME_ON_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_ON_UBUNTU = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SCREENSHOTS = process.env.ATS_AUTH_UPDATE_SCREENSHOTS
  ? 'docs/screenshots'
  : mkdtempSync(join(tmpdir(), 'ats-auth-screenshots-'));
/** Answers the browser sees on purpose (refused sign-ins, the CSRF refusal); Chromium logs each one. */
const EXPECTED_STATUS_LOG = /^Failed to load resource: the server responded with a status of (401|403|429)\b/;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

describe('account pages in Chromium behind nginx', { skip: chromiumMissing() }, () => {
  let ats: TestServer;
  let nginx: RunningGateway;
  let browser: Browser;
  let app: Server;
  let attacker: Server;
  let site: string;
  let attackerUrl: string;
  const contexts: { context: BrowserContext; problems: string[] }[] = [];

  const newBrowser = async (userAgent: string, viewport = { width: 1280, height: 800 }) => {
    const context = await browser.newContext({ userAgent, viewport });
    contexts.push({ context, problems: watchProblems(context) });
    return context.newPage();
  };

  const signIn = async (page: Page, username: string, password: string) => {
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/account/sign-in')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await page.waitForLoadState();
    return response.status();
  };

  const heading = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    app = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`hello ${req.headers['x-auth-userid'] ?? 'nobody'} at ${req.url}`);
    });
    const appPort = await listen(app);
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>cute cats</title>
<form id="f" method="post" action="${site}/account/sign-out-everywhere"><input type="hidden" name="csrf" value="guess"></form>
<script>document.getElementById('f').submit()</script>`);
    });
    attackerUrl = `http://localhost:${await listen(attacker)}/`;
    const nginxPort = await freePort();
    site = `http://127.0.0.1:${nginxPort}`;
    ats = await startServer({ env: { ATS_AUTH_PUBLIC_URL: site } });
    await ats.addUser('marco', PASSWORD);
    nginx = await startNginx({ atsAuth: ats.port, app: appPort }, { example: NGINX_WEB_APP_EXAMPLE, listenPort: nginxPort });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await nginx?.stop();
    if (process.env.ATS_AUTH_TEST_DEBUG) console.error(ats?.logs.join('\n'));
    await ats?.stop();
    app?.close();
    attacker?.close();
    if (!process.env.ATS_AUTH_UPDATE_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  let desk: Page;
  let laptop: Page;

  test('a protected page sends the browser to sign in, and back to the page with the user', async () => {
    desk = await newBrowser(CHROME_ON_LINUX);
    await desk.goto(`${site}/reports/q3?year=2026&view=full`);
    assert.ok(desk.url().startsWith(`${site}/account?rd=`), `landed on ${desk.url()}`);
    assert.equal(await heading(desk), 'Sign in');
    await shot(desk, 'account-sign-in');
    assert.equal(await signIn(desk, 'marco', PASSWORD), 303);
    assert.equal(desk.url(), `${site}/reports/q3?year=2026&view=full`);
    assert.equal(await desk.textContent('body'), 'hello marco at /reports/q3?year=2026&view=full');
    const cookie = (await desk.context().cookies()).find((c) => c.name === 'ats_auth');
    assert.ok(cookie, 'the session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.secure, false, 'Secure only when ATS_AUTH_PUBLIC_URL is https');
  });

  test('the device list shows this device; a second browser is signed out from the first', async () => {
    await desk.goto(`${site}/account`);
    assert.equal(await heading(desk), 'Your devices');
    assert.equal(await desk.locator('.device').count(), 1);
    assert.match(await desk.locator('.device-current').innerText(), /Chrome 131 on Linux[\s\S]*This device/);

    laptop = await newBrowser(FIREFOX_ON_UBUNTU);
    await laptop.goto(`${site}/account`);
    assert.equal(await signIn(laptop, 'marco', PASSWORD), 303);
    assert.equal(await heading(laptop), 'Your devices');

    await desk.reload();
    assert.equal(await desk.locator('.device').count(), 2);
    await shot(desk, 'account-devices');
    await desk.getByRole('button', { name: 'Sign out Firefox 133 on Ubuntu' }).click();
    await desk.waitForLoadState();
    assert.equal(await desk.getByRole('status').textContent(), 'That device is signed out.');
    assert.equal(await desk.locator('.device').count(), 1);

    await laptop.goto(`${site}/reports`);
    assert.ok(laptop.url().startsWith(`${site}/account?rd=`), `the signed-out browser is sent to sign in, got ${laptop.url()}`);
    assert.equal(await heading(laptop), 'Sign in');
  });

  test('a wrong password is shown on the page, and the password is never echoed back', async () => {
    const page = await newBrowser(CHROME_ON_LINUX);
    await page.goto(`${site}/account`);
    assert.equal(await signIn(page, 'marco', 'wrong-Pa55word-typed'), 401);
    assert.equal(await page.getByRole('alert').textContent(), 'The username or password is not valid.');
    assert.equal(await page.getByLabel('Username').inputValue(), 'marco');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.ok(!(await page.content()).includes('wrong-Pa55word-typed'), 'the password is not in the page');
    await shot(page, 'account-sign-in-error');
    assert.deepEqual(await seriousAccessibilityFindings(page), []);
  });

  test('too many failed sign-ins say how long to wait, in words (429)', async () => {
    const page = await newBrowser(CHROME_ON_LINUX);
    await page.goto(`${site}/account`);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8 && !statuses.includes(429); attempt++) statuses.push(await signIn(page, 'mallory', 'guess-guess'));
    assert.equal(statuses.at(-1), 429, `statuses: ${statuses.join(',')}`);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /^Too many failed sign-ins\. Try again in \d+ (second|minute|hour)s?\.$/);
  });

  test('a form posted from another site is refused and changes nothing', async () => {
    const [response] = await Promise.all([
      desk.waitForResponse((r) => r.url() === `${site}/account/sign-out-everywhere`),
      desk.goto(attackerUrl),
    ]);
    assert.equal(response.status(), 403);
    await desk.waitForLoadState();
    assert.equal(await heading(desk), 'Request refused');
    assert.deepEqual(await seriousAccessibilityFindings(desk), []);
    await desk.goto(`${site}/reports`);
    assert.equal(await desk.textContent('body'), 'hello marco at /reports', 'still signed in');
  });

  test('open-redirect attempts land on /account', async () => {
    for (const rd of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', `http://127.0.0.1@evil.example/`]) {
      await desk.goto(`${site}/account?rd=${encodeURIComponent(rd)}`);
      assert.equal(new URL(desk.url()).origin, site, rd);
      assert.equal(await heading(desk), 'Your devices', rd);
    }
    const page = await newBrowser(CHROME_ON_LINUX);
    await page.goto(`${site}/account?rd=${encodeURIComponent('https://evil.example/')}`);
    await signIn(page, 'marco', PASSWORD);
    assert.equal(page.url(), `${site}/account`);
  });

  test('keyboard only: sign in, then reach every action with Tab', async () => {
    const page = await newBrowser(SAFARI_ON_IPHONE);
    await page.goto(`${site}/account`);
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim());
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'username');
    await page.keyboard.type('marco');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'password');
    await page.keyboard.type(PASSWORD);
    await Promise.all([page.waitForURL(`${site}/account`), page.keyboard.press('Enter')]);
    assert.equal(await heading(page), 'Your devices');
    const reached: string[] = [];
    for (let i = 0; i < 12 && !reached.includes('Sign out everywhere'); i++) {
      await page.keyboard.press('Tab');
      reached.push(String(await focused()));
    }
    assert.ok(reached.includes('Sign out all other devices'), reached.join(' | '));
    assert.ok(reached.includes('Sign out everywhere'), reached.join(' | '));
  });

  test('pages fit a phone screen and pass axe-core with no serious or critical findings', async () => {
    const phone = await newBrowser(SAFARI_ON_IPHONE, { width: 390, height: 844 });
    await phone.goto(`${site}/account`);
    assert.deepEqual(await seriousAccessibilityFindings(phone), []);
    await shot(phone, 'account-sign-in-phone');
    await signIn(phone, 'marco', PASSWORD);
    assert.equal(await heading(phone), 'Your devices');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    assert.deepEqual(await seriousAccessibilityFindings(phone), []);
    await shot(phone, 'account-devices-phone');
    await desk.goto(`${site}/account`);
    assert.deepEqual(await seriousAccessibilityFindings(desk), []);
  });

  test('sign out all other devices, then sign out everywhere', async () => {
    await desk.goto(`${site}/account`);
    assert.ok((await desk.locator('.device').count()) > 1);
    await desk.getByRole('button', { name: 'Sign out all other devices' }).click();
    await desk.waitForLoadState();
    assert.equal(await desk.getByRole('status').textContent(), 'Every other device is signed out.');
    assert.equal(await desk.locator('.device').count(), 1);

    const other = await newBrowser(FIREFOX_ON_UBUNTU);
    await other.goto(`${site}/account`);
    await signIn(other, 'marco', PASSWORD);
    await desk.reload();
    await desk.getByRole('button', { name: 'Sign out everywhere' }).click();
    await desk.waitForLoadState();
    assert.equal(await desk.getByRole('status').textContent(), 'You are signed out on every device.');
    assert.equal(await heading(desk), 'Sign in');
    for (const page of [desk, other]) {
      await page.goto(`${site}/reports`);
      assert.ok(page.url().startsWith(`${site}/account?rd=`), `signed out: ${page.url()}`);
    }
  });

  test('no console errors and no Content-Security-Policy violations on any page', () => {
    const problems = contexts.flatMap((c) => c.problems).filter((p) => !EXPECTED_STATUS_LOG.test(p.replace(/^[^ ]+: console error: /, '')));
    assert.deepEqual(problems, []);
  });
});
