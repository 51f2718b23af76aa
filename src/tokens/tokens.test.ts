import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSigner } from 'fast-jwt';
import { TokenInvalid } from '../errors.js';
import { createTokenIssuer } from './issuer.js';
import { createTokenVerifier, digestId, MAX_TOKEN_BYTES } from './verifier.js';

const key = { kid: undefined, secret: Buffer.from('unit-test-secret-0123456789-abcdefghijklmnop') };
const keys = { signing: key, verification: [key] };
const T = 1_800_000_000_000;
const clock = { now: () => T };
const issuer = createTokenIssuer({ keys, issuer: 'ats.auth', audience: undefined, ttlSeconds: 3600 });
const verifierAt = (ms: number, audience?: string) =>
  createTokenVerifier({ keys, issuer: 'ats.auth', audience, ttlSeconds: 3600, leewaySeconds: 30, clock: { now: () => ms } });

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TokenInvalid, `expected TokenInvalid, got ${String(error)}`);
    return error.reason;
  }
  assert.fail('expected the token to be refused');
}

test('issue → verify round trip with integer dates from the clock', () => {
  const issued = issuer.issue('marco', T + 999, 'sess-1');
  assert.equal(issued.issuedAtMs, T);
  assert.equal(issued.expiresAtMs, T + 3600_000);
  const claims = verifierAt(T)(issued.token);
  assert.deepEqual(claims, { sub: 'marco', jti: issued.jti, sid: 'sess-1', revocationId: issued.jti, iatMs: T, expMs: T + 3600_000 });
  assert.equal(verifierAt(T)(issuer.issue('marco', T).token).sid, undefined, 'sid is optional');
});

test('expiry honours the leeway and no more', () => {
  const { token } = issuer.issue('marco', T);
  assert.ok(verifierAt(T + 3600_000 + 29_999)(token));
  assert.equal(reason(() => verifierAt(T + 3600_000 + 30_000)(token)), 'expired');
});

test('iat in the future beyond the leeway is refused', () => {
  const { token } = issuer.issue('marco', T + 31_000);
  assert.equal(reason(() => verifierAt(T)(token)), 'issued in the future');
  assert.ok(verifierAt(T)(issuer.issue('marco', T + 29_000).token));
});

test('nbf in the future is refused', () => {
  const sign = createSigner({ key: key.secret, algorithm: 'HS256' });
  const token = sign({ iss: 'ats.auth', sub: 'm', iat: T / 1000, exp: T / 1000 + 60, nbf: T / 1000 + 120 });
  assert.equal(reason(() => verifierAt(T)(token)), 'not yet valid');
});

test('a lifetime longer than the TTL is refused', () => {
  const sign = createSigner({ key: key.secret, algorithm: 'HS256' });
  const token = sign({ iss: 'ats.auth', sub: 'm', iat: T / 1000, exp: T / 1000 + 7200 });
  assert.equal(reason(() => verifierAt(T)(token)), 'lifetime exceeds the configured TTL');
});

test('missing typ, other issuer, missing claims and oversize tokens are refused', () => {
  const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { typ: 'JWT' }) =>
    createSigner({ key: key.secret, algorithm: 'HS256', noTimestamp: !('iat' in payload), header: header as never })(payload);
  const base = { iss: 'ats.auth', sub: 'm', iat: T / 1000, exp: T / 1000 + 60 };
  assert.equal(reason(() => verifierAt(T)(sign(base, { typ: 'at+jwt' }))), 'bad typ');
  assert.match(reason(() => verifierAt(T)(sign({ ...base, iss: 'x' }))), /CLAIM/);
  assert.match(reason(() => verifierAt(T)(sign({ iss: 'ats.auth', sub: 'm', exp: T / 1000 + 60 }))), /MISSING/);
  assert.equal(reason(() => verifierAt(T)('a'.repeat(MAX_TOKEN_BYTES + 1))), 'token too large');
});

test('audience, when configured, is issued and required', () => {
  const withAud = createTokenIssuer({ keys, issuer: 'ats.auth', audience: 'shop', ttlSeconds: 3600 });
  assert.ok(verifierAt(T, 'shop')(withAud.issue('m', T).token));
  assert.match(reason(() => verifierAt(T, 'shop')(issuer.issue('m', T).token)), /AUD|MISSING|CLAIM/);
});

test('a token verified once is still refused once it expires (the cache keeps no verdicts on time)', () => {
  let now = T;
  const verify = createTokenVerifier({ keys, issuer: 'ats.auth', audience: undefined, ttlSeconds: 3600, leewaySeconds: 0, clock: { now: () => now } });
  const { token } = issuer.issue('marco', T);
  assert.equal(verify(token).sub, 'marco');
  assert.equal(verify(token).sub, 'marco', 'a second call is answered too');
  now = T + 3600_000;
  assert.equal(reason(() => verify(token)), 'expired');
});

test('a tampered copy of a verified token is refused', () => {
  const verify = verifierAt(T);
  const { token } = issuer.issue('marco', T);
  verify(token);
  const [header, , signature] = token.split('.');
  const other = Buffer.from(JSON.stringify({ iss: 'ats.auth', sub: 'admin', iat: T / 1000, exp: T / 1000 + 60 })).toString('base64url');
  assert.match(reason(() => verify(`${header}.${other}.${signature}`)), /SIGNATURE|INVALID/i);
});

test("a token of the seed's service (no jti, float dates) is keyed by a digest of its exact text", async () => {
  const { createHmac } = await import('node:crypto');
  const seedToken = (iat: number) => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: 'ats.auth', sub: 'marco', exp: iat + 3600, iat })}`;
    return `${input}.${createHmac('sha256', key.secret).update(input).digest('base64url')}`;
  };
  const first = seedToken(T / 1000 + 0.875);
  const second = seedToken(T / 1000 + 0.625);
  const claims = verifierAt(T + 1000)(first);
  assert.equal(claims.jti, undefined);
  assert.equal(claims.revocationId, digestId(first));
  assert.match(claims.revocationId, /^sha256:[A-Za-z0-9_-]{43}$/);
  assert.notEqual(verifierAt(T + 1000)(second).revocationId, claims.revocationId, 'another token, another key');
  assert.equal(claims.iatMs, T + 875);
});
