/**
 * The builtin backend: users in the service's own store. An unknown user is checked against a
 * dummy hash and a disabled user's password is still checked, so all failures take as long as
 * a wrong password.
 */
import type { UserStore } from '../store/index.js';
import type { PasswordHasher } from './password-hash.js';
import type { CredentialBackend } from './port.js';

export async function createBuiltinBackend(users: UserStore, hasher: PasswordHasher): Promise<CredentialBackend> {
  const dummyHash = await hasher.hash('ats-auth timing equaliser');
  return {
    name: 'builtin',
    async check(username, password) {
      const user = await users.findUser(username);
      const matches = await hasher.verify(user?.passwordHash ?? dummyHash, password);
      if (user === null) return { outcome: 'unknown' };
      if (user.disabled) return { outcome: 'rejected', reason: 'disabled' };
      if (!matches) return { outcome: 'rejected', reason: 'wrong password' };
      return {
        outcome: 'accepted',
        subject: user.name,
        async stillValid() {
          const now = await users.findUser(user.name);
          return now !== null && !now.disabled && now.passwordHash === user.passwordHash;
        },
      };
    },
    userExists: async (username) => (await users.findUser(username)) !== null,
  };
}
