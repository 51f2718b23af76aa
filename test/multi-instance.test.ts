/**
 * Several instances on one PostgreSQL database (§3, §7): a revocation made through one instance,
 * by any route (logout, logout_all, the CLI), is refused by every other instance within a
 * bounded time, and at once by the instance that answered (read-your-writes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './support/fresh-http.js';
import { decodePart } from './support/jwt.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { storeEnv, type StoreHandle } from './support/stores.js';

/** Generous for a shared 2-core machine; the benchmark measures the real figure. */
const PROPAGATION_DEADLINE_MS = 1500;

describe('three instances sharing one PostgreSQL database', () => {
  let db: StoreHandle;
  let a: TestServer, b: TestServer, c: TestServer;

  before(async () => {
    db = await storeEnv('postgres');
    a = await startServer({ env: db.env });
    [b, c] = await Promise.all([startServer({ env: db.env }), startServer({ env: db.env })]);
    await a.addUser('marco', 'correct horse battery staple');
  });
  after(async () => {
    await Promise.all([a, b, c].map((s) => s?.stop()));
    for (const s of [a, b, c]) if (s) removeDir(s.dataDir);
    await db?.drop();
  });

  const login = () => a.login('marco', 'correct horse battery staple');
  const status = async (server: TestServer, token: string) => (await server.verify(token)).status;

  /**
   * The token works everywhere, then `revoke` runs, then every instance refuses it soon; A at once
   * when A answered the revocation (read-your-writes), not when another process (the CLI) did.
   */
  async function assertRevokedEverywhere(token: string, revoke: () => Promise<void>, revokedByA = true): Promise<void> {
    for (const server of [a, b, c]) assert.equal(await status(server, token), 200, 'valid before the revocation');
    await revoke();
    if (revokedByA) assert.equal(await status(a, token), 401, 'read-your-writes on the instance that revoked');
    await Promise.all(
      (revokedByA ? [b, c] : [a, b, c]).map((server) =>
        eventually(`instance on port ${server.port} refuses the token`, async () => (await status(server, token)) === 401, PROPAGATION_DEADLINE_MS),
      ),
    );
  }

  test('logout through A', async () => {
    const token = await login();
    const other = await login();
    await assertRevokedEverywhere(token, async () => {
      const res = await a.post('/user/logout', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 204);
    });
    assert.equal(await status(b, other), 200, 'only that token is revoked');
  });

  test('logout_all through A refuses every earlier token; later ones work', async () => {
    const [first, second] = [await login(), await login()];
    await assertRevokedEverywhere(first, async () => {
      const res = await a.post('/user/logout_all', { headers: { authorization: `Bearer ${second}` } });
      assert.equal(res.status, 204);
    });
    for (const server of [b, c]) assert.equal(await status(server, second), 401);
    // Issued in a later second than the revocation's not-before instant.
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await login();
    for (const server of [a, b, c]) assert.equal(await status(server, fresh), 200);
  });

  test('CLI revoke --jti (a separate process) reaches every running instance', async () => {
    const token = await login();
    const jti = decodePart(token, 1).jti as string;
    await assertRevokedEverywhere(token, async () => {
      const result = await a.cli(['revoke', '--jti', jti]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `token ${jti} of 'marco' revoked\n`);
    }, false);
  });

  test('CLI revoke --user reaches every running instance', async () => {
    const token = await login();
    await assertRevokedEverywhere(token, async () => {
      const result = await a.cli(['revoke', '--user', 'marco']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "all tokens of 'marco' issued up to now are revoked\n");
    }, false);
  });
});
