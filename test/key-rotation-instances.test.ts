/**
 * §11 across instances on PostgreSQL: a rotation made on one instance (the CLI) reaches the
 * other through the change feed, which then signs with the new key within the revocation bound;
 * tokens of the retired key keep verifying; after `keys revoke` they are refused on both
 * instances and the kid leaves both JWK Sets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodePart } from './support/jwt.js';
import { freshDataDir, removeDir, runCli, startServer, type TestServer } from './support/server.js';
import { storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'right-password';
/** The revocation bound (§3: 100 ms p99) with room for a loaded test machine. */
const BOUND_MS = 1000;

describe('key rotation across two instances (postgres)', () => {
  let store: StoreHandle;
  const servers: TestServer[] = [];
  const dirs = [freshDataDir(), freshDataDir()];

  before(async () => {
    store = await storeEnv('postgres');
    const env = { ...store.env, ATS_AUTH_JWT_ALG: 'EdDSA', ATS_AUTH_JWKS_MAX_AGE: '1' };
    servers.push(await startServer({ dataDir: dirs[0], env }));
    servers.push(await startServer({ dataDir: dirs[1], env }));
    await servers[0]!.addUser('marco', PASSWORD);
  });
  after(async () => {
    for (const s of servers) await s.stop();
    await store?.drop();
    dirs.forEach(removeDir);
  });

  const kidOf = (token: string) => decodePart(token, 0).kid as string;
  const jwksKids = async (s: TestServer) =>
    ((await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  /** Milliseconds until `condition` holds, failing past the bound. */
  async function within(boundMs: number, condition: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (!(await condition())) {
      if (Date.now() - start > boundMs) throw new Error(`not within ${boundMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return Date.now() - start;
  }

  test('both instances sign with the one key made at start', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const kid = kidOf(await a.login('marco', PASSWORD));
    assert.equal(kidOf(await b.login('marco', PASSWORD)), kid);
    assert.deepEqual(await jwksKids(a), [kid]);
    assert.deepEqual(await jwksKids(b), [kid]);
  });

  test('rotate on one, the other signs with the new key; retired tokens verify; revoke refuses them everywhere', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const old = await b.login('marco', PASSWORD);
    const oldKid = kidOf(old);

    const published = await a.cli(['keys', 'rotate']);
    assert.equal(published.code, 0, published.stderr);
    const newKid = /key ([\w-]+) \(EdDSA\) published as next/.exec(published.stdout)![1]!;
    await within(BOUND_MS, async () => (await jwksKids(b)).includes(newKid));
    assert.equal(kidOf(await b.login('marco', PASSWORD)), oldKid, 'a next key does not sign');

    // Before one JWKS max-age has passed, rotate refuses to make it sign (a long max-age here:
    // the CLI alone may take longer than a second to start on a loaded machine).
    const early = await runCli(['keys', 'rotate'], { env: { ...a.env, ATS_AUTH_JWKS_MAX_AGE: '3600' } });
    assert.notEqual(early.code, 0);
    assert.match(early.stderr, /published less than ATS_AUTH_JWKS_MAX_AGE \(3600 s\) ago/);
    await new Promise((r) => setTimeout(r, 1000));
    const rotated = await a.cli(['keys', 'rotate']);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, new RegExp(`key ${newKid} \\(EdDSA\\) now signs\\nkey ${oldKid} retired`));

    // The other instance switches within the bound (login costs a password hash: measured loosely).
    const ms = await within(BOUND_MS + 2000, async () => kidOf(await b.login('marco', PASSWORD)) === newKid);
    assert.ok(ms <= BOUND_MS + 2000);
    assert.equal((await b.verify(old)).status, 200, 'a retired key still verifies');
    assert.equal((await a.verify(old)).status, 200);
    assert.deepEqual((await jwksKids(b)).sort(), [oldKid, newKid].sort());

    const list = await a.cli(['keys', 'list']);
    assert.match(list.stdout, new RegExp(`${oldKid}\\s+EdDSA\\s+retired`));
    assert.match(list.stdout, new RegExp(`${newKid}\\s+EdDSA\\s+active`));

    const revoked = await b.cli(['keys', 'revoke', oldKid]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await within(BOUND_MS, async () => (await a.verify(old)).status === 401 && (await b.verify(old)).status === 401);
    assert.deepEqual(await jwksKids(a), [newKid]);
    assert.deepEqual(await jwksKids(b), [newKid]);
    const fresh = await a.login('marco', PASSWORD);
    assert.equal((await b.verify(fresh)).status, 200, 'tokens of the active key still verify');

    const again = await b.cli(['keys', 'revoke', oldKid]);
    assert.notEqual(again.code, 0, 'a removed key cannot be revoked again');
    assert.match(again.stderr, /No signing key/);
  });

  test('revoking the active key: the next one (or a new one) signs at once, everywhere', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const before = await a.login('marco', PASSWORD);
    const activeKid = kidOf(before);
    const result = await a.cli(['keys', 'revoke', activeKid]);
    assert.equal(result.code, 0, result.stderr);
    const replacement = /key ([\w-]+) \(EdDSA\) now signs/.exec(result.stdout)![1]!;
    await within(BOUND_MS, async () => (await b.verify(before)).status === 401);
    await within(BOUND_MS + 2000, async () => kidOf(await b.login('marco', PASSWORD)) === replacement);
    assert.deepEqual(await jwksKids(b), [replacement]);
  });
});
