/**
 * §11 black-box, per store and per algorithm: tokens signed by the stored key pair, the JWKS
 * document, interop with verifiers nobody here wrote (python3-jwt, jose) agreeing with
 * /user/verify on good and attack tokens, restart keeping keys, a wrong service secret refused
 * at start, and the HS256 → EdDSA switch as SECURITY.md describes it.
 */
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { claims, derSignature, rawToken } from './support/attack-tokens.js';
import { joseVerify, pyjwtVerify } from './support/interop.js';
import { decodePart, forge } from './support/jwt.js';
import { freshDataDir, removeDir, runCli, startServer, TEST_SECRET, type TestServer } from './support/server.js';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';

const ALGS = ['EdDSA', 'ES256', 'RS256'] as const;
type Alg = (typeof ALGS)[number];
const PASSWORD = 'right-password';

/** An attacker's key pair of each algorithm, signing whatever header it is given. */
function attacker(alg: Alg) {
  const { privateKey, publicKey } =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return {
    jwk: publicKey.export({ format: 'jwk' }),
    sign: (header: Record<string, unknown>, payload = claims()) =>
      createSigner({ key: pem, algorithm: alg, header: header as never, noTimestamp: true })(payload),
  };
}

interface Jwk {
  kid: string;
  alg: string;
  use: string;
  kty: string;
  k?: string;
  d?: string;
}

for (const kind of STORES) {
  for (const alg of ALGS) {
    describe(`asymmetric signing: ${alg} (${kind})`, () => {
      let store: StoreHandle;
      let server: TestServer;
      const dataDir = freshDataDir();
      let token: string;
      let jwksUrl: string;
      const env = () => ({ ...store.env, ATS_AUTH_JWT_ALG: alg, ATS_AUTH_JWKS_MAX_AGE: '60' });

      before(async () => {
        store = await storeEnv(kind);
        server = await startServer({ dataDir, env: env() });
        await server.addUser('marco', PASSWORD);
        token = await server.login('marco', PASSWORD);
        jwksUrl = `${server.url}/.well-known/jwks.json`;
      });
      after(async () => {
        await server?.stop();
        await store?.drop();
        removeDir(dataDir);
      });

      test('tokens carry the algorithm and the kid of a key in the JWKS; /user/verify accepts them', async () => {
        const header = decodePart(token, 0);
        assert.equal(header.alg, alg);
        assert.equal(header.typ, 'JWT');
        assert.equal(typeof header.kid, 'string');
        const res = await fetch(jwksUrl);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
        const { keys } = (await res.json()) as { keys: Jwk[] };
        assert.deepEqual(
          keys.map((k) => [k.kid, k.alg, k.use]),
          [[header.kid, alg, 'sig']],
        );
        assert.ok(keys.every((k) => k.k === undefined && k.d === undefined), 'no secret or private member');
        assert.equal((await server.verify(token)).headers.get('x-auth-userid'), 'marco');
      });

      test('the JWKS has an ETag: a revalidation with it is 304', async () => {
        const first = await fetch(jwksUrl);
        const etag = first.headers.get('etag');
        assert.match(etag ?? '', /^"[\w-]+"$/);
        const again = await fetch(jwksUrl, { headers: { 'if-none-match': etag! } });
        assert.equal(again.status, 304);
        assert.equal(again.headers.get('cache-control'), 'public, max-age=60');
        assert.equal((await fetch(jwksUrl, { headers: { 'if-none-match': '"other"' } })).status, 200);
      });

      test('python3-jwt and jose verify what /user/verify accepts and refuse what it refuses', async () => {
        const kid = decodePart(token, 0).kid as string;
        const jwk = ((await (await fetch(jwksUrl)).json()) as { keys: Record<string, string>[] }).keys[0]!;
        const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
        const own = attacker(alg);
        const other = attacker(alg === 'EdDSA' ? 'ES256' : 'EdDSA');
        const [head, body, signature] = token.split('.') as [string, string, string];
        const cases: Record<string, string> = {
          'a token of the service': token,
          'a second login': await server.login('marco', PASSWORD),
          'HS256 keyed with the public key PEM': rawToken({ alg: 'HS256', typ: 'JWT', kid }, claims(), (i) =>
            createHmac('sha256', pem).update(i).digest('base64url'),
          ),
          'HS256 keyed with the public JWK text': rawToken({ alg: 'HS256', typ: 'JWT', kid }, claims(), (i) =>
            createHmac('sha256', JSON.stringify(jwk)).update(i).digest('base64url'),
          ),
          'alg none': rawToken({ alg: 'none', typ: 'JWT', kid }, claims(), () => ''),
          'unknown kid': own.sign({ typ: 'JWT', kid: 'no-such-kid' }),
          'no kid': own.sign({ typ: 'JWT' }),
          'kid of this key, another algorithm': other.sign({ typ: 'JWT', kid }),
          'embedded jwk header': own.sign({ typ: 'JWT', kid, jwk: own.jwk }),
          'jku header': own.sign({ typ: 'JWT', kid, jku: 'http://127.0.0.1:1/jwks.json' }),
          'x5u header': own.sign({ typ: 'JWT', kid, x5u: 'http://127.0.0.1:1/cert.pem' }),
          'x5c header': own.sign({ typ: 'JWT', kid, x5c: ['MIIB'] }),
          'payload changed': `${head}.${Buffer.from(JSON.stringify({ ...decodePart(token, 1), sub: 'root' })).toString('base64url')}.${signature}`,
          ...(alg === 'ES256'
            ? {
                'ES256 r = s = 0 (CVE-2022-21449)': `${head}.${body}.${Buffer.alloc(64).toString('base64url')}`,
                'ES256 signature in DER': derSignature(token),
              }
            : {}),
        };
        const names = Object.keys(cases);
        const tokens = Object.values(cases);
        const ours = await Promise.all(tokens.map(async (t) => ((await server.verify(t)).status === 200 ? 'marco' : null)));
        const [py, jose] = await Promise.all([pyjwtVerify(jwksUrl, alg, tokens), joseVerify(jwksUrl, alg, tokens)]);
        const table = names.map((name, i) => ({ name, ours: ours[i], python: py[i], jose: jose[i] }));
        const expected = names.map((name) => ({
          name,
          ...(name === 'a token of the service' || name === 'a second login'
            ? { ours: 'marco', python: 'marco', jose: 'marco' }
            : { ours: null, python: null, jose: null }),
        }));
        assert.deepEqual(table, expected);
      });

      if (alg === 'EdDSA') {
        test('a restart keeps the keys: old tokens verify, the same kid signs', async () => {
          const kid = decodePart(token, 0).kid;
          await server.stop();
          server = await startServer({ dataDir, env: env() });
          assert.equal((await server.verify(token)).status, 200);
          assert.equal(decodePart(await server.login('marco', PASSWORD), 0).kid, kid);
        });

        test('a wrong service secret at start: one clear line, exit non-zero, no new key', async () => {
          const before = (await server.cli(['keys', 'list'])).stdout;
          await server.stop();
          const result = await runCli(['serve'], { env: { ...server.env, ATS_AUTH_JWT_SECRET: `${TEST_SECRET}-but-another-one` } });
          assert.notEqual(result.code, 0);
          const lines = result.stderr.trim().split('\n').filter((l) => !l.startsWith('{'));
          assert.equal(lines.length, 1, result.stderr);
          assert.match(lines[0]!, /^ats-auth: cannot decrypt signing key '[\w-]+' from the store: the service secret .* restore that secret \(no new key was made\)$/);
          assert.equal((await server.cli(['keys', 'list'])).stdout, before, 'no key was made');
          server = await startServer({ dataDir, env: env() });
          assert.equal((await server.verify(token)).status, 200);
        });
      }
    });
  }

  describe(`switching HS256 → EdDSA on a running deployment (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer | undefined;
    const dataDir = freshDataDir();
    before(async () => {
      store = await storeEnv(kind);
    });
    after(async () => {
      await server?.stop();
      await store?.drop();
      removeDir(dataDir);
    });

    test('the steps of SECURITY.md: HS256 tokens keep verifying, the published next key then signs', async () => {
      server = await startServer({ dataDir, env: { ...store.env, ATS_AUTH_JWKS_MAX_AGE: '1' } });
      await server.addUser('marco', PASSWORD);
      const hs = await server.login('marco', PASSWORD);
      assert.equal(decodePart(hs, 0).alg, 'HS256');
      assert.deepEqual(await (await fetch(`${server.url}/.well-known/jwks.json`)).json(), { keys: [] }, 'HS256: an empty set');

      // 1. Publish the EdDSA key as next while HS256 still signs.
      const published = await server.cli(['keys', 'rotate'], '');
      const withAlg = await runCli(['keys', 'rotate'], { env: { ...server.env, ATS_AUTH_JWT_ALG: 'EdDSA' } });
      assert.notEqual(published.code, 0, 'rotate with HS256 configured is refused');
      assert.match(published.stderr, /set ATS_AUTH_JWT_ALG/);
      assert.equal(withAlg.code, 0, withAlg.stderr);
      const kid = /key ([\w-]+) \(EdDSA\) published as next/.exec(withAlg.stdout)?.[1];
      assert.ok(kid, withAlg.stdout);
      // The running HS256 instance publishes it (feed), and still signs HS256.
      await until(async () => ((await (await fetch(`${server!.url}/.well-known/jwks.json`)).json()) as { keys: Jwk[] }).keys.length === 1);
      assert.equal(decodePart(await server.login('marco', PASSWORD), 0).alg, 'HS256');

      // 2. After one JWKS max-age, restart with ATS_AUTH_JWT_ALG=EdDSA: the next key signs.
      await new Promise((r) => setTimeout(r, 1100));
      await server.stop();
      server = await startServer({ dataDir, env: { ...store.env, ATS_AUTH_JWT_ALG: 'EdDSA', ATS_AUTH_JWKS_MAX_AGE: '1' } });
      const ed = await server.login('marco', PASSWORD);
      assert.deepEqual([decodePart(ed, 0).alg, decodePart(ed, 0).kid], ['EdDSA', kid]);
      assert.equal((await server.verify(hs)).status, 200, 'the HS256 token issued before the switch verifies');
      assert.equal((await server.verify(ed)).status, 200);
      // An HS256 token made now (even by someone holding the secret) was not issued by the service.
      const later = Math.floor(Date.now() / 1000) + 2;
      assert.equal((await server.verify(forge(TEST_SECRET, { iat: later }))).status, 401);
    });
  });
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
