/**
 * Checks a token is one this service issued and is within its lifetime. Signature, algorithm
 * allowlist, issuer, audience and `crit` are fast-jwt's; lifetime checks run here against the
 * injected clock so tests can move time. Revocation is not checked here (see auth/).
 */
import { createVerifier, TokenError } from 'fast-jwt';
import type { Clock } from '../clock.js';
import { TokenInvalid } from '../errors.js';
import type { SigningKey } from './keys.js';

/** Tokens beyond this size are refused before any parsing. */
export const MAX_TOKEN_BYTES = 8192;

export interface VerifiedClaims {
  sub: string;
  /** Absent in tokens of the seed's service; such tokens are revocable only by logout_all. */
  jti: string | undefined;
  /** May be fractional: the seed's service issued non-integer NumericDates. */
  iatMs: number;
  expMs: number;
}

export type TokenVerifier = (token: string) => VerifiedClaims;

export function createTokenVerifier(options: {
  key: SigningKey;
  issuer: string;
  audience: string | undefined;
  ttlSeconds: number;
  leewaySeconds: number;
  clock: Clock;
}): TokenVerifier {
  const verify = createVerifier({
    key: options.key.secret,
    algorithms: ['HS256'],
    allowedIss: options.issuer,
    // fast-jwt checks aud only when present, so a configured audience must also be required.
    ...(options.audience !== undefined ? { allowedAud: options.audience } : {}),
    requiredClaims: options.audience !== undefined ? ['sub', 'iat', 'exp', 'aud'] : ['sub', 'iat', 'exp'],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    complete: true,
  });
  const leewayMs = options.leewaySeconds * 1000;
  // A token living longer than the configured TTL was not issued under the current policy;
  // refusing it also bounds how long a logout_all row must be kept.
  const maxLifetimeMs = options.ttlSeconds * 1000 + leewayMs;

  return (token) => {
    if (token.length > MAX_TOKEN_BYTES) throw new TokenInvalid('token too large');
    let decoded: { header: Record<string, unknown>; payload: Record<string, unknown> };
    try {
      decoded = verify(token) as unknown as typeof decoded;
    } catch (error) {
      if (error instanceof TokenError) throw new TokenInvalid(error.code);
      throw error;
    }
    const { header, payload } = decoded;
    if (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT') throw new TokenInvalid('bad typ');
    const { sub, jti, iat, exp, nbf } = payload;
    if (typeof sub !== 'string' || sub === '') throw new TokenInvalid('bad sub');
    if (jti !== undefined && (typeof jti !== 'string' || jti === '')) throw new TokenInvalid('bad jti');
    if (!isNumericDate(iat) || !isNumericDate(exp)) throw new TokenInvalid('bad iat/exp');
    if (nbf !== undefined && !isNumericDate(nbf)) throw new TokenInvalid('bad nbf');

    const now = options.clock.now();
    const iatMs = iat * 1000;
    const expMs = exp * 1000;
    if (now >= expMs + leewayMs) throw new TokenInvalid('expired');
    if (iatMs > now + leewayMs) throw new TokenInvalid('issued in the future');
    if (nbf !== undefined && nbf * 1000 > now + leewayMs) throw new TokenInvalid('not yet valid');
    if (expMs - iatMs > maxLifetimeMs) throw new TokenInvalid('lifetime exceeds the configured TTL');
    return { sub, jti, iatMs, expMs };
  };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
