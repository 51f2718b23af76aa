/** Decoding and forging tokens for tests: through fast-jwt, except the seed-style token below. */
import { createHmac } from 'node:crypto';
import { createSigner } from 'fast-jwt';

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function sign(payload: Record<string, unknown>, secret: string, header: Record<string, unknown> = {}): string {
  // The signer adds iat unless told not to; keep exactly the claims given.
  return createSigner({ key: secret, algorithm: 'HS256', noTimestamp: !('iat' in payload), header: header as never })(payload);
}

/** A token whose claims look like ours; override any of them. */
export function forge(secret: string, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return sign({ iss: 'ats.auth', sub: 'marco', iat: now, exp: now + 3600, jti: `forged-${Math.random()}`, ...claims }, secret, header);
}

/**
 * A token shaped like the seed's service issued (header {"typ","alg"}, float iat/exp, no jti).
 * fast-jwt's signer refuses non-integer dates, so this one test helper signs with node:crypto.
 */
export function seedStyleToken(secret: string, sub: string, lifetimeSeconds = 86400): string {
  // Date.now() has whole milliseconds; the seed's service used time.time() (microseconds).
  const t = Date.now() / 1000 + Math.random() / 1000;
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: 'ats.auth', sub, exp: t + lifetimeSeconds, iat: t })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
