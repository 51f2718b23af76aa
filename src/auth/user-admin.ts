/** Managing builtin users; used by the CLI. Disabling or removing a user also revokes their tokens. */
import type { Clock } from '../clock.js';
import type { PasswordHasher } from '../credentials/index.js';
import { InvalidRequest, UserNotFound } from '../errors.js';
import type { Revoker } from '../revocation/index.js';
import type { UserRecord, UserStore } from '../store/index.js';
import { usernameProblem, passwordProblem } from './input-rules.js';

export interface UserAdmin {
  add(name: string, password: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
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
    async setPassword(name, password) {
      checked(name, password);
      await deps.users.setPasswordHash(name, await deps.hasher.hash(password));
    },
    // Revoke first: if the store fails in between, a retry still finds the user to act on,
    // and no removed or disabled user keeps a working token.
    async disable(name) {
      await mustExist(name);
      await deps.revoker.revokeUser(name);
      await deps.users.setDisabled(name, true);
    },
    enable: (name) => deps.users.setDisabled(name, false),
    async remove(name) {
      await mustExist(name);
      await deps.revoker.revokeUser(name);
      await deps.users.removeUser(name);
    },
    list: () => deps.users.listUsers(),
  };
}
