/** Decoding and forging tokens for tests, through fast-jwt (never by hand for signatures). */
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
