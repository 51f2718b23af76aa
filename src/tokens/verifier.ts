/**
 * Checks a token is one this service issued and is within its lifetime (RFC 8725). Signature,
 * the HS256-only algorithm allowlist, issuer, audience and `crit` are fast-jwt's; lifetime
 * checks run here against the injected clock so tests can move time. Revocation is not checked
 * here (see auth/).
 *
 * Keys: a `kid` header only picks among the configured keys, never fetches one; jku, x5u, jwk
 * and x5c are never read. With one unnamed key, kid is not consulted. With named keys, a token
 * naming an unknown kid is refused and a token without kid (issued before a rotation began,
 * or when a single key was configured) is tried against each key.
 *
 * Asymmetric keys (§11, the ring the change feed keeps current): a token naming a kid of the
 * ring is checked with that key and only that key's algorithm, so the header's `alg` cannot
 * choose (no HS256 "signed" with a public key, no `none`). Any other non-HS256 token is refused
 * without a lookup. While an asymmetric algorithm is configured, HS256 tokens still verify if
 * they were issued before the first key in the set began to sign (the switch, SECURITY.md).
 */
import { createHash } from 'node:crypto';
import { createDecoder, createVerifier, TokenError } from 'fast-jwt';
import type { Clock } from '../clock.js';
import type { JwtAlgorithm } from '../config/schema.js';
import { TokenInvalid } from '../errors.js';
import { publicPem } from './key-pairs/algorithms.js';
import type { KeyRing } from './key-pairs/ring.js';
import type { KeySet } from './keys.js';
import { LruCache } from './lru-cache.js';

/** Tokens beyond this size are refused before any parsing. */
export const MAX_TOKEN_BYTES = 8192;

export interface VerifiedClaims {
  sub: string;
  /** Absent in tokens of the seed's service. */
  jti: string | undefined;
  /** The session (SPEC §12); absent in tokens issued before sessions existed. */
  sid?: string | undefined;
  /** What a revocation of this one token is keyed on: the jti, or for a token without one its digest (see digestId). */
  revocationId: string;
  /** May be fractional: the seed's service issued non-integer NumericDates. */
  iatMs: number;
  expMs: number;
}

export type TokenVerifier = (token: string) => VerifiedClaims;

type Decoded = { header: Record<string, unknown>; payload: Record<string, unknown> };
type Verify = (token: string) => Decoded;
/** kid: the ring key that verified the token (checked again on each call: it may be revoked). */
type Structure = { claims: VerifiedClaims; nbfMs: number | undefined; kid: string | undefined };

/** How many verified tokens are remembered (a few MB at most). */
const VERIFIED_CACHE_SIZE = 10_000;

/** Three base64url segments, no padding (RFC 7515 §2). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function createTokenVerifier(options: {
  /** The HS256 keys; none when only asymmetric keys may verify (the verifier package without a secret). */
  keys: Pick<KeySet, 'verification'>;
  issuer: string;
  audience: string | undefined;
  ttlSeconds: number;
  leewaySeconds: number;
  clock: Clock;
  /** The asymmetric signing keys; absent or empty with HS256 only. */
  ring?: KeyRing;
  /** The configured signing algorithm (default HS256). */
  alg?: JwtAlgorithm;
}): TokenVerifier {
  const common = {
    allowedIss: options.issuer,
    ...(options.audience !== undefined ? { allowedAud: options.audience } : {}),
    // fast-jwt checks iss and aud only when present; ours must be there.
    requiredClaims: ['iss', 'sub', 'iat', 'exp', ...(options.audience !== undefined ? ['aud'] : [])],
    ignoreExpiration: true,
    ignoreNotBefore: true,
    complete: true as const,
  };
  const byKid = new Map<string | undefined, Verify>(
    options.keys.verification.map((key) => [
      key.kid,
      createVerifier({ ...common, key: key.secret, algorithms: ['HS256'] }) as unknown as Verify,
    ]),
  );
  const verifyHmac =
    byKid.size === 0 ? refuseHmac : byKid.size === 1 && byKid.has(undefined) ? byKid.get(undefined)! : pickByKid(byKid);
  const ring = options.ring;
  const hmacOnly = (options.alg ?? 'HS256') === 'HS256';
  // One fast-jwt verifier per ring key, bound to that key's algorithm; a kid's key never changes.
  const ringVerifiers = new Map<string, Verify>();
  const decodeHeader = createDecoder({ complete: true });

  const verifySignature = (token: string): { decoded: Decoded; kid: string | undefined } => {
    if (ring === undefined || (ring.size === 0 && hmacOnly)) return { decoded: verifyHmac(token), kid: undefined };
    const { header } = decodeHeader(token) as Decoded;
    const key = typeof header.kid === 'string' ? ring.get(header.kid) : undefined;
    if (key !== undefined) {
      let verify = ringVerifiers.get(key.kid);
      if (verify === undefined) {
        verify = createVerifier({ ...common, key: publicPem(key.publicJwk), algorithms: [key.alg] }) as unknown as Verify;
        ringVerifiers.set(key.kid, verify);
      }
      return { decoded: verify(token), kid: key.kid };
    }
    if (header.alg !== 'HS256') throw new TokenInvalid(header.kid === undefined ? 'no kid' : 'unknown kid');
    const decoded = verifyHmac(token);
    if (!hmacOnly) {
      const switchedMs = ring.firstActivatedMs();
      const iat = decoded.payload.iat;
      if (switchedMs !== undefined && typeof iat === 'number' && iat * 1000 >= switchedMs) {
        throw new TokenInvalid('HS256 token issued after the switch to an asymmetric algorithm');
      }
    }
    return { decoded, kid: undefined };
  };
  const leewayMs = options.leewaySeconds * 1000;
  const maxLifetimeMs = maxTokenLifetimeMs(options);

  /** Signature, algorithm, issuer, audience and claim shapes: everything but time. */
  const verifyStructure = (token: string): Structure => {
    if (token.length > MAX_TOKEN_BYTES) throw new TokenInvalid('token too large');
    if (!COMPACT_JWS.test(token) || !canonicalSignature(token)) throw new TokenInvalid('malformed');
    let decoded: Decoded;
    let kid: string | undefined;
    try {
      ({ decoded, kid } = verifySignature(token));
    } catch (error) {
      if (error instanceof TokenError) throw new TokenInvalid(error.code);
      throw error;
    }
    const { header, payload } = decoded;
    if (typeof header.typ !== 'string' || header.typ.toUpperCase() !== 'JWT') throw new TokenInvalid('bad typ');
    const { sub, jti, sid, iat, exp, nbf } = payload;
    if (typeof sub !== 'string' || sub === '') throw new TokenInvalid('bad sub');
    if (jti !== undefined && (typeof jti !== 'string' || jti === '')) throw new TokenInvalid('bad jti');
    if (sid !== undefined && (typeof sid !== 'string' || sid === '')) throw new TokenInvalid('bad sid');
    if (!isNumericDate(iat) || !isNumericDate(exp)) throw new TokenInvalid('bad iat/exp');
    if (nbf !== undefined && !isNumericDate(nbf)) throw new TokenInvalid('bad nbf');
    const revocationId = jti === undefined ? digestId(token) : (jti as string);
    const claims = Object.freeze({ sub, jti, sid, revocationId, iatMs: iat * 1000, expMs: exp * 1000 });
    return { claims, nbfMs: nbf === undefined ? undefined : nbf * 1000, kid };
  };

  // A gateway asks about the same token on every request of a session, so tokens that passed
  // verifyStructure are remembered by their exact text (bounded, least recently used out first,
  // so a token in constant use stays). Only what cannot change is cached: lifetime is checked
  // on every call, revocation by the caller.
  const verified = new LruCache<string, Structure>(VERIFIED_CACHE_SIZE);

  return (token) => {
    let structure = verified.get(token);
    if (structure === undefined) {
      structure = verifyStructure(token);
      verified.set(token, structure);
    }
    const { claims, nbfMs, kid } = structure;
    // A revoked key leaves the ring: its tokens are refused from then on, cached or not.
    if (kid !== undefined && ring?.get(kid) === undefined) throw new TokenInvalid('key not in the key set');
    const now = options.clock.now();
    if (now >= claims.expMs + leewayMs) throw new TokenInvalid('expired');
    if (claims.iatMs > now + leewayMs) throw new TokenInvalid('issued in the future');
    if (nbfMs !== undefined && nbfMs > now + leewayMs) throw new TokenInvalid('not yet valid');
    if (claims.expMs - claims.iatMs > maxLifetimeMs) throw new TokenInvalid('lifetime exceeds the configured TTL');
    return claims;
  };
}

/**
 * The longest lifetime (exp − iat) a token may have: the TTL plus the clock leeway. A token living
 * longer was not issued under the current policy and is refused; so this also bounds how long a
 * logout_all row must be kept (revocation/revoker.ts).
 */
export function maxTokenLifetimeMs(options: { ttlSeconds: number; leewaySeconds: number }): number {
  return (options.ttlSeconds + options.leewaySeconds) * 1000;
}

/**
 * The revocation key of a token without jti (the seed's service issued such tokens, §2):
 * 'sha256:' + base64url(SHA-256 of the token's exact text). Issued jtis are plain base64url, so
 * the two never collide; signatures are canonical (one text per token), so it names exactly
 * that token. Anything that applies revocation events must key jti-less tokens this way.
 */
export function digestId(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('base64url')}`;
}

const refuseHmac: Verify = () => {
  throw new TokenInvalid('HS256 token but no HS256 key');
};

/** Named keys: the kid picks one; without a kid every key is tried. */
function pickByKid(byKid: Map<string | undefined, Verify>): Verify {
  const decodeHeader = createDecoder({ complete: true });
  return (token) => {
    const { header } = decodeHeader(token) as Decoded;
    if (header.kid !== undefined) {
      const verify = typeof header.kid === 'string' ? byKid.get(header.kid) : undefined;
      if (verify === undefined) throw new TokenInvalid('unknown kid');
      return verify(token);
    }
    let firstError: unknown;
    for (const verify of byKid.values()) {
      try {
        return verify(token);
      } catch (error) {
        firstError ??= error;
      }
    }
    throw firstError;
  };
}

/**
 * base64 decoding ignores the unused low bits of the last character, so several spellings
 * of one signature would verify; accept only the one the issuer wrote, so a token has exactly
 * one form (what the client got is what logs, caches and gateways see).
 */
function canonicalSignature(token: string): boolean {
  const signature = token.slice(token.lastIndexOf('.') + 1);
  return Buffer.from(signature, 'base64url').toString('base64url') === signature;
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
