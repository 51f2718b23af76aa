/**
 * Issues the service's JWTs: claims iss, sub, iat, exp, jti, sid (and aud when configured), signed
 * by the current signer: the HS256 secret (its kid in the header only when several keys are
 * configured) or the active asymmetric key (always with its kid, §11).
 */
import { randomBytes } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { StoreUnavailable } from '../errors.js';
import type { ClaimsSigner } from './key-pairs/signing.js';
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

/** The HS256 signer of a key set. */
function hmacSigner(keys: KeySet): ClaimsSigner {
  const kid = keys.verification.length > 1 ? keys.signing.kid : undefined;
  const sign = createSigner({ key: keys.signing.secret, algorithm: 'HS256', ...(kid !== undefined ? { kid } : {}) });
  return { kid, sign: (claims) => sign(claims) };
}

export function createTokenIssuer(options: {
  keys: KeySet;
  /**
   * The signer to use now (the asymmetric keys); undefined when none is loaded (the request
   * fails with 503). Without it, the HS256 signing key of `keys` signs.
   */
  signer?: () => ClaimsSigner | undefined;
  issuer: string;
  audience: string | undefined;
  ttlSeconds: number;
}): TokenIssuer {
  const hmac = hmacSigner(options.keys);
  const currentSigner = options.signer ?? (() => hmac);
  return {
    issue(subject, nowMs, sid) {
      const signer = currentSigner();
      if (signer === undefined) throw new StoreUnavailable(new Error('no signing key loaded'));
      const iat = Math.floor(nowMs / 1000);
      const exp = iat + options.ttlSeconds;
      const jti = randomBytes(16).toString('base64url');
      // iat and exp come from the injected clock; the signer keeps a payload iat as given.
      const claims: Record<string, unknown> = { iss: options.issuer, sub: subject, iat, exp, jti };
      if (sid !== undefined) claims.sid = sid;
      if (options.audience !== undefined) claims.aud = options.audience;
      return { token: signer.sign(claims), jti, sid, subject, issuedAtMs: iat * 1000, expiresAtMs: exp * 1000 };
    },
  };
}
