/**
 * Issues the service's JWTs: HS256, claims iss, sub, iat, exp, jti, sid (and aud when configured),
 * signed with the signing key. The header names its kid only when several keys are configured.
 */
import { randomBytes } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { KeySet } from './keys.js';

export interface IssuedToken {
  token: string;
  jti: string;
  /** The session (device) the token belongs to. */
  sid: string | undefined;
  subject: string;
  /** iat and exp as whole seconds, expressed in ms. */
  issuedAtMs: number;
  expiresAtMs: number;
}

export interface TokenIssuer {
  /** `sid` names the session (SPEC §12); every token the service hands out has one. */
  issue(subject: string, nowMs: number, sid?: string): IssuedToken;
}

export function createTokenIssuer(options: {
  keys: KeySet;
  issuer: string;
  audience: string | undefined;
  ttlSeconds: number;
}): TokenIssuer {
  const sign = createSigner({
    key: options.keys.signing.secret,
    algorithm: 'HS256',
    ...(options.keys.verification.length > 1 ? { kid: options.keys.signing.kid } : {}),
  });

  return {
    issue(subject, nowMs, sid) {
      const iat = Math.floor(nowMs / 1000);
      const exp = iat + options.ttlSeconds;
      const jti = randomBytes(16).toString('base64url');
      // iat and exp come from the injected clock; the signer keeps a payload iat as given.
      const claims: Record<string, unknown> = { iss: options.issuer, sub: subject, iat, exp, jti };
      if (sid !== undefined) claims.sid = sid;
      if (options.audience !== undefined) claims.aud = options.audience;
      return { token: sign(claims), jti, sid, subject, issuedAtMs: iat * 1000, expiresAtMs: exp * 1000 };
    },
  };
}
