/**
 * `ats-auth/verifier` with asymmetric keys (SPEC §11, §14) against a real running service signing
 * with EdDSA: no secret given, the verifier takes the service's JWK Set and follows its key
 * changes through the revocation stream. A rotated-in key verifies, a revoked key stops
 * verifying within the bound, a key is bound to its algorithm, and an unknown kid is refused
 * without looking anywhere but the service's own JWK Set.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
// Through the package's own `exports`, as a user would import it.
import { createVerifier, TokenInvalid, type Verifier } from 'ats-auth/verifier';
import { claims, hmac, rawToken } from './support/attack-tokens.js';
import { decodePart } from './support/jwt.js';
import { removeDir, startServer, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const PASSWORD = 'right-password';
/**
 * Key changes travel the revocation path (§3: 100 ms p99). One sample per change here, timed
 * from the CLI's exit on a shared machine: the same room as test/key-rotation-instances.test.ts.
 */
const KEY_BOUND_MS = 1000;

function refusal(verifier: Verifier, token: string): unknown {
  try {
    verifier.verify(token);
    return undefined;
  } catch (error) {
    return error;
  }
}
const refusedAs = (verifier: Verifier, token: string) => {
  const error = refusal(verifier, token);
  return error instanceof TokenInvalid ? error.reason : error === undefined ? 'accepted' : String(error);
};
const kidOf = (token: string) => decodePart(token, 0).kid as string;

/** Milliseconds until `condition` holds, failing past the bound. */
async function within(boundMs: number, what: string, condition: () => boolean): Promise<number> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > boundMs) assert.fail(`not within ${boundMs} ms: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
  return performance.now() - start;
}

for (const kind of STORES) {
  describe(`in-process verifier with EdDSA keys, no secret (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    let verifier: Verifier;
    const errors: string[] = [];

    before(async () => {
      store = await storeEnv(kind);
      // SQLite has no wake-up signal: a short poll stands in for PostgreSQL's NOTIFY.
      const poll: Record<string, string> = kind === 'sqlite' ? { ATS_AUTH_FEED_POLL_MS: '20' } : {};
      server = await startServer({ env: { ...store.env, ...poll, ATS_AUTH_JWT_ALG: 'EdDSA', ATS_AUTH_JWKS_MAX_AGE: '1' } });
      await server.addUser('marco', PASSWORD);
      // Loopback is a trusted peer by default: no stream key needed.
      verifier = createVerifier({ url: server.url, onError: (e) => errors.push(e.message) });
      await verifier.ready();
    });
    after(async () => {
      await verifier?.close();
      await server?.stop();
      if (server) removeDir(server.dataDir);
      await store?.drop();
    });

    test('a token of the service verifies in process without any secret', async () => {
      const token = await server.login('marco', PASSWORD);
      assert.equal(decodePart(token, 0).alg, 'EdDSA');
      const result = verifier.verify(token);
      assert.equal(result.sub, 'marco');
      assert.equal(typeof result.sid, 'string');
      assert.equal(verifier.status().keys, 1, 'the one key of the JWK Set');
      assert.deepEqual(errors, []);
    });

    test('a key is bound to its algorithm: forged header algs are refused', async () => {
      const token = await server.login('marco', PASSWORD);
      const kid = kidOf(token);
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
      const jwk = jwks.keys.find((k) => k.kid === kid)!;
      const [, payload, signature] = token.split('.');
      const withHeader = (header: Record<string, unknown>) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
      const forged: Record<string, string> = {
        'HS256 keyed with the public JWK x': rawToken({ alg: 'HS256', typ: 'JWT', kid }, claims(), hmac('sha256', jwk.x!)),
        'HS256 keyed with the JWK text': rawToken({ alg: 'HS256', typ: 'JWT', kid }, claims(), hmac('sha256', JSON.stringify(jwk))),
        'alg none': rawToken({ alg: 'none', typ: 'JWT', kid }, claims(), () => ''),
        'the real signature under header alg ES256': withHeader({ alg: 'ES256', typ: 'JWT', kid }),
        'the real signature under header alg RS256': withHeader({ alg: 'RS256', typ: 'JWT', kid }),
      };
      for (const [what, attack] of Object.entries(forged)) {
        assert.ok(refusal(verifier, attack) instanceof TokenInvalid, `${what}: refused, got ${refusedAs(verifier, attack)}`);
        assert.equal((await server.verify(attack)).status, 401, `${what}: the service agrees`);
      }
      assert.equal(refusal(verifier, token), undefined, 'the genuine token still verifies');
    });

    test('an unknown kid is refused without a lookup anywhere but the service', async () => {
      let elsewhere = 0;
      const trap = createServer((_req, res) => {
        elsewhere++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
      });
      await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
      const trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}/keys`;
      try {
        const token = rawToken({ alg: 'EdDSA', typ: 'JWT', kid: 'no-such-kid', jku: trapUrl, x5u: trapUrl }, claims(), () => 'AAAA');
        assert.equal(refusedAs(verifier, token), 'unknown kid');
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(refusedAs(verifier, token), 'unknown kid', 'still refused once the service\'s JWK Set was fetched again');
        assert.equal(elsewhere, 0, 'jku / x5u never followed');
      } finally {
        trap.close();
      }
    });

    test('keys rotate: the new key verifies as soon as the service signs with it; keys revoke: its tokens are refused within the bound', async () => {
      const old = await server.login('marco', PASSWORD);
      const oldKid = kidOf(old);

      const published = await server.cli(['keys', 'rotate']);
      assert.equal(published.code, 0, published.stderr);
      const newKid = /key ([\w-]+) \(EdDSA\) published as next/.exec(published.stdout)![1]!;
      const rotated = await server.cli(['keys', 'rotate', '--now']);
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stdout, new RegExp(`key ${newKid} \\(EdDSA\\) now signs`));

      // The service signs with the new key once its own feed has the change; the stream carries
      // the same change to the verifier, so the first token of the key already verifies.
      let fresh = await server.login('marco', PASSWORD);
      for (const start = Date.now(); kidOf(fresh) !== newKid; fresh = await server.login('marco', PASSWORD)) {
        if (Date.now() - start > 5000) assert.fail('the service does not sign with the new key');
      }
      assert.equal(refusedAs(verifier, fresh), 'accepted', 'a token of the freshly activated key verifies at once');
      assert.equal(refusedAs(verifier, old), 'accepted', 'the retired key still verifies');
      assert.equal(verifier.status().keys, 2);

      const revoked = await server.cli(['keys', 'revoke', oldKid]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const ms = await within(KEY_BOUND_MS, 'a token of the revoked key refused in process', () => refusal(verifier, old) instanceof TokenInvalid);
      assert.equal(refusedAs(verifier, old), 'key not in the key set', `refused after ${ms.toFixed(1)} ms`);
      assert.equal((await server.verify(old)).status, 401, 'as by the service');
      assert.equal(refusedAs(verifier, fresh), 'accepted', 'tokens of the active key still verify');
      assert.equal(verifier.status().keys, 1);
    });
  });
}
