/**
 * The account pages' device list (SPEC §13) over the sessions service (SPEC §12): a device is
 * a session, and ending it refuses every token of that session.
 */
import { InvalidRequest } from '../errors.js';
import type { AccountSessions } from '../http/account/routes.js';
import type { Sessions } from '../sessions/index.js';
import type { ClientInfo } from './client.js';

export function accountDevices(deps: { sessions: Sessions; client: ClientInfo }): AccountSessions {
  return {
    async list(current) {
      return (await deps.sessions.list(current.sub, current.sid)).map((s) => ({
        id: s.id,
        createdAtMs: s.createdAtMs,
        lastSeenAtMs: s.lastSeenAtMs,
        ip: s.clientAddress,
        userAgent: s.userAgent,
        current: s.current,
      }));
    },
    async end(current, id) {
      await deps.sessions.end(current.sub, id, deps.client);
    },
    async endOthers(current) {
      if (current.sid === undefined) throw new InvalidRequest('This token belongs to no session.');
      await deps.sessions.endOthers(current.sub, current.sid, deps.client);
    },
  };
}
