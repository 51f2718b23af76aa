/**
 * The account pages' device list over the session records the store keeps today: one record
 * per issued token, so a device is a token and ending it revokes that token.
 */
import { SessionNotFound } from '../errors.js';
import type { AccountSessions } from '../http/account/routes.js';
import type { RevocationState } from '../revocation/index.js';
import type { SessionStore } from '../store/index.js';
import type { Clock } from '../clock.js';
import type { Logout } from './logout.js';
import type { ClientInfo } from './client.js';

export function tokenDevices(deps: {
  sessions: SessionStore;
  state: RevocationState;
  logout: Logout;
  clock: Clock;
  client: ClientInfo;
}): AccountSessions {
  const live = async (user: string) =>
    (await deps.sessions.listSessions(user, deps.clock.now())).filter(
      (s) => !deps.state.isRevoked({ sub: s.user, revocationId: s.jti, iatMs: s.issuedAtMs }),
    );
  return {
    async list(current) {
      return (await live(current.sub)).map((s) => ({
        id: s.jti,
        createdAtMs: s.issuedAtMs,
        lastSeenAtMs: s.issuedAtMs,
        ip: s.clientAddress,
        userAgent: s.userAgent,
        current: s.jti === current.jti,
      }));
    },
    async end(current, id) {
      const session = (await live(current.sub)).find((s) => s.jti === id);
      if (session === undefined) throw new SessionNotFound();
      await deps.logout.revokeSession(session, deps.client);
    },
    async endOthers(current) {
      for (const session of await live(current.sub)) {
        if (session.jti !== current.jti) await deps.logout.revokeSession(session, deps.client);
      }
    },
  };
}
