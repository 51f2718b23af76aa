/**
 * The verify hot path: signature and lifetime, then the in-memory revocation state. No store
 * access; fails closed when the change feed has not been read for longer than its bound. A
 * token's session is noted as seen (in memory; written to the store later, coalesced).
 */
import { FeedStale, TokenInvalid } from '../errors.js';
import type { RevocationState } from '../revocation/index.js';
import type { TokenVerifier, VerifiedClaims } from '../tokens/index.js';

export type Authenticate = (token: string) => VerifiedClaims;

export function createAuthenticate(deps: {
  verifyToken: TokenVerifier;
  state: RevocationState;
  feedIsCurrent: () => boolean;
  /** Told the sid of every accepted token; must be cheap (LastSeen.seen). */
  seen?: (sid: string) => void;
}): Authenticate {
  const seen = deps.seen;
  return (token) => {
    const claims = deps.verifyToken(token);
    if (!deps.feedIsCurrent()) throw new FeedStale();
    if (deps.state.isRevoked(claims)) throw new TokenInvalid('revoked');
    if (seen !== undefined && claims.sid !== undefined) seen(claims.sid);
    return claims;
  };
}
