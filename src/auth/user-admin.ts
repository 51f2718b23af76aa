/** Managing builtin users; used by the CLI. Disabling or removing a user also revokes their tokens. */
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../credentials/index.js';
import { InvalidRequest, UserNotFound } from '../errors.js';
import type { Revoker } from '../revocation/index.js';
import type { UserRecord, UserStore } from '../store/index.js';
import { usernameProblem, passwordProblem } from './input-rules.js';

export interface UserAdmin {
  add(name: string, password: string): Promise<void>;
  /** Sets the password and ends every session of the user, unless keepSessions. */
  setPassword(name: string, password: string, options?: { keepSessions?: boolean }): Promise<void>;
  disable(name: string): Promise<void>;
  enable(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  list(): Promise<UserRecord[]>;
}

export function createUserAdmin(deps: {
  users: UserStore;
  hasher: PasswordHasher;
  revoker: Revoker;
  clock: Clock;
}): UserAdmin {
  const checked = (name: string, password?: string) => {
    const problem = usernameProblem(name) ?? (password === undefined ? undefined : passwordProblem(password));
    if (problem) throw new InvalidRequest(problem);
  };
  const mustExist = async (name: string) => {
    if ((await deps.users.findUser(name)) === null) throw new UserNotFound(name);
  };
  return {
    async add(name, password) {
      checked(name, password);
      await deps.users.createUser(name, await deps.hasher.hash(password), deps.clock.now());
    },
    // A new password usually follows a compromise: end the user's sessions unless told not to
    // (§15). Same order as disable: change the user, then write the not-before.
    async setPassword(name, password, options) {
      checked(name, password);
      await deps.users.setPasswordHash(name, await deps.hasher.hash(password));
      if (!options?.keepSessions) await deps.revoker.revokeUser(name);
    },
    // Change the user first, then write the not-before: a login in flight re-reads the user
    // after issuing (login.ts), so it either sees the change and is refused, or re-read before
    // it and holds a token issued before the not-before (§15). If the store fails in between,
    // the user is left disabled and a retry still finds them to revoke.
    async disable(name) {
      await mustExist(name);
      await deps.users.setDisabled(name, true);
      await deps.revoker.revokeUser(name);
    },
    enable: (name) => deps.users.setDisabled(name, false),
    // Disable, revoke, then remove: same order as disable, and a failed revoke leaves a user to retry on.
    async remove(name) {
      await mustExist(name);
      await deps.users.setDisabled(name, true);
      await deps.revoker.revokeUser(name);
      await deps.users.removeUser(name);
    },
    list: () => deps.users.listUsers(),
  };
}
