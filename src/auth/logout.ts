/**
 * Logout (one token, or its whole session when it has a sid) and logout_all (every token and
 * session of a user issued up to now).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { KnownUser } from '../credentials/index.js';
import { UnknownUser } from '../errors.js';
import type { Revoker } from '../revocation/index.js';
import type { Sessions } from '../sessions/index.js';
import type { TokenVerifier } from '../tokens/index.js';
import type { ClientInfo } from './client.js';

export interface Logout {
  /** Revokes the presented token and ends its session. Idempotent: an already revoked token is fine. */
  logout(token: string, client: ClientInfo): Promise<void>;
  /**
   * Revokes every token of `user` issued up to now. With mustBeKnown (a name given by a gateway
   * or an operator, not a token's subject), throws UnknownUser when no backend knows the user
   * and no live session of theirs is recorded (so a user removed from a backend whose tokens
   * still live can be logged out).
   */
  logoutAll(user: string, client: ClientInfo, options?: { mustBeKnown?: boolean }): Promise<void>;
  /** Revokes a token known by its issued-token record (the CLI's `revoke --jti`). */
  revokeToken(token: { jti: string; user: string; expiresAtMs: number; issuedAtMs: number }, client: ClientInfo): Promise<void>;
  /** Ends a session by id whoever owns it (the CLI's `revoke --session`); null when there is none. */
  endSession(id: string, client: ClientInfo): Promise<{ user: string } | null>;
}

export function createLogout(deps: {
  verifyToken: TokenVerifier;
  revoker: Revoker;
  sessions: Pick<Sessions, 'endById' | 'list'>;
  audit: Pick<Logger, 'info'>;
  knownUser: KnownUser;
}): Logout {
  const isUnknown = async (user: string) =>
    (await deps.knownUser(user)) === false && (await deps.sessions.list(user, undefined)).length === 0;
  return {
    async logout(token, client) {
      const claims = deps.verifyToken(token);
      // Ending the session refuses this token and every other one of that device (SPEC §12).
      // A session already purged (its tokens expired or it ended earlier) falls back to the token:
      // its jti, or for a token of the seed's service (no jti) a digest of its text (§2).
      const audit = { event: 'logout', user: claims.sub, jti: claims.revocationId, sid: claims.sid, client: client.address };
      if (claims.sid !== undefined && (await deps.sessions.endById(claims.sid)) !== null) {
        deps.audit.info(audit, 'session ended');
        return;
      }
      await deps.revoker.revokeToken({ jti: claims.revocationId, user: claims.sub, expiresAtMs: claims.expMs, issuedAtMs: claims.iatMs });
      deps.audit.info(audit, 'token revoked');
    },
    async logoutAll(user, client, options) {
      if (options?.mustBeKnown && (await isUnknown(user))) throw new UnknownUser(user);
      await deps.revoker.revokeUser(user);
      deps.audit.info({ event: 'logout_all', user, client: client.address }, 'all tokens of user revoked');
    },
    async revokeToken(session, client) {
      await deps.revoker.revokeToken(session);
      deps.audit.info({ event: 'revoke', user: session.user, jti: session.jti, client: client.address }, 'token revoked');
    },
    async endSession(id, client) {
      const session = await deps.sessions.endById(id);
      if (session !== null) deps.audit.info({ event: 'revoke', user: session.user, sid: id, client: client.address }, 'session ended');
      return session;
    },
  };
}
