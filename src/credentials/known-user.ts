/**
 * "Is this a user?" across the configured backends, for the answers that depend on it (SPEC §15):
 * true when any backend has the user, false only when every backend can tell and none has it,
 * undefined when some backend cannot tell — by design (Keystone: no lookup without an admin
 * token) or for now (directory unreachable: a logout_all must still be stored, not refused).
 */
import type { CredentialBackend } from './port.js';

export type KnownUser = (username: string) => Promise<boolean | undefined>;

export function knownUserAcross(backends: readonly CredentialBackend[]): KnownUser {
  return async (username) => {
    let someCannotTell = false;
    for (const backend of backends) {
      if (backend.userExists === undefined) {
        someCannotTell = true;
        continue;
      }
      try {
        if (await backend.userExists(username)) return true;
      } catch {
        someCannotTell = true;
      }
    }
    return someCannotTell ? undefined : false;
  };
}
