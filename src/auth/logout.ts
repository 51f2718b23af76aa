/** Logout (one token) and logout_all (every token of a user issued up to now). */
import type { Logger } from 'pino';
import type { Revoker } from '../revocation/index.js';
import type { TokenVerifier } from '../tokens/index.js';
import type { ClientInfo } from './client.js';

export interface Logout {
  /** Revokes the presented token. Idempotent: an already revoked token is fine. */
  logout(token: string, client: ClientInfo): Promise<void>;
  /** Revokes every token of `user` issued up to now. */
  logoutAll(user: string, client: ClientInfo): Promise<void>;
  /** Revokes a token known by its session record (the CLI's `revoke --jti`). */
  revokeSession(session: { jti: string; user: string; expiresAtMs: number }, client: ClientInfo): Promise<void>;
}

export function createLogout(deps: { verifyToken: TokenVerifier; revoker: Revoker; audit: Pick<Logger, 'info'> }): Logout {
  return {
    async logout(token, client) {
      const claims = deps.verifyToken(token);
      // A token of the seed's service has no jti: it is revoked by a digest of its text (§2).
      await deps.revoker.revokeToken({ jti: claims.revocationId, user: claims.sub, expiresAtMs: claims.expMs });
      deps.audit.info({ event: 'logout', user: claims.sub, jti: claims.revocationId, client: client.address }, 'token revoked');
    },
    async logoutAll(user, client) {
      await deps.revoker.revokeUser(user);
      deps.audit.info({ event: 'logout_all', user, client: client.address }, 'all tokens of user revoked');
    },
    async revokeSession(session, client) {
      await deps.revoker.revokeToken(session);
      deps.audit.info({ event: 'revoke', user: session.user, jti: session.jti, client: client.address }, 'token revoked');
    },
  };
}
