/**
 * Key rotation, black-box, as SECURITY.md tells operators to do it: add the new key while the
 * old one still signs, then sign with the new one, then remove the old one once its tokens
 * have expired. Tokens keep working through every step; tokens of the removed key are refused.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePart, forge } from './support/jwt.js';
import { freshDataDir, removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv } from './support/stores.js';

const S1 = 'first-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const S2 = 'second-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

for (const kind of STORES) {
  describe(`key rotation (${kind})`, async () => {
    const store = await storeEnv(kind);
    const dataDir = freshDataDir();
    let server: TestServer | undefined;
    after(async () => {
      await server?.stop();
      await store.drop();
      removeDir(dataDir);
    });

    /** Restarts the service with these key settings on the same data. */
    async function restart(keys: Record<string, string>): Promise<TestServer> {
      await server?.stop();
      server = await startServer({ dataDir, env: { ...store.env, ATS_AUTH_JWT_SECRET: '', ...keys } });
      return server;
    }
    const status = async (token: string) => (await server!.verify(token)).status;

    test('old tokens keep working through a rotation; tokens of the removed key are refused', async () => {
      let s = await restart({ ATS_AUTH_JWT_SECRET: S1 });
      await s.addUser('marco', 'right-password');
      const t0 = await s.login('marco', 'right-password');
      assert.equal(decodePart(t0, 0).kid, undefined, 'one key: no kid');

      // Step 1: every instance learns the new key; the old one still signs.
      s = await restart({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: S1, k2: S2 }), ATS_AUTH_JWT_SIGNING_KID: 'k1' });
      const t1 = await s.login('marco', 'right-password');
      assert.equal(decodePart(t1, 0).kid, 'k1', 'several keys: the kid is in the header');
      assert.deepEqual([await status(t0), await status(t1)], [200, 200]);

      // Step 2: the new key signs.
      s = await restart({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: S1, k2: S2 }), ATS_AUTH_JWT_SIGNING_KID: 'k2' });
      const t2 = await s.login('marco', 'right-password');
      assert.equal(decodePart(t2, 0).kid, 'k2');
      assert.deepEqual([await status(t0), await status(t1), await status(t2)], [200, 200, 200]);

      // Step 3 (after the old tokens expired): the old key is removed, here through a keys file.
      const keysFile = join(dataDir, 'jwt-keys.json');
      writeFileSync(keysFile, JSON.stringify({ k2: S2 }), { mode: 0o600 });
      s = await restart({ ATS_AUTH_JWT_KEYS_FILE: keysFile });
      const t3 = await s.login('marco', 'right-password');
      assert.equal(decodePart(t3, 0).kid, undefined, 'one key again: no kid');
      assert.deepEqual([await status(t2), await status(t3)], [200, 200]);
      assert.deepEqual([await status(t0), await status(t1)], [401, 401], 'tokens of the removed key are refused');
    });

    test('the kid only picks among configured keys', async () => {
      await restart({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: S1, k2: S2 }), ATS_AUTH_JWT_SIGNING_KID: 'k2' });
      assert.equal(await status(forge(S1, {}, { kid: 'k1' })), 200);
      assert.equal(await status(forge(S1, {}, { kid: 'k2' })), 401, 'a kid names exactly one key');
      assert.equal(await status(forge(S1, {}, { kid: 'k3' })), 401, 'an unknown kid is refused');
      assert.equal(await status(forge(S1, {}, { kid: 'k1', jku: 'http://127.0.0.1:1/keys' })), 200, 'jku is ignored');
      assert.equal(await status(forge(S2)), 200, 'no kid: tried against each configured key');
      assert.equal(await status(forge('not-a-configured-secret-0123456789-abcdef', {}, { kid: 'k1' })), 401);
    });

    test('a revoked token stays revoked across a rotation', async () => {
      let s = await restart({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: S1, k2: S2 }), ATS_AUTH_JWT_SIGNING_KID: 'k1' });
      const token = await s.login('marco', 'right-password');
      assert.equal((await s.post('/user/logout', { headers: { authorization: `Bearer ${token}` } })).status, 204);
      s = await restart({ ATS_AUTH_JWT_KEYS: JSON.stringify({ k1: S1, k2: S2 }), ATS_AUTH_JWT_SIGNING_KID: 'k2' });
      assert.equal(await status(token), 401);
    });
  });
}
