/**
 * The builtin backend: users in the service's own store. An unknown user is checked against a
 * dummy hash and a disabled user's password is still checked, so all failures take as long as
 * a wrong password.
 */
import type { UserStore } from '../store/index.js';
import type { PasswordHasher } from './password-hash.js';
import type { CredentialBackend } from './port.js';

export async function createBuiltinBackend(users: UserStore, hasher: PasswordHasher): Promise<CredentialBackend> {
  // Hashed while the server goes on starting (a hashing thread's start and one argon2 hash, ~0.1 s);
  // the first login waits for it. Its failure is that login's, not an unhandled rejection.
  const dummy = hasher.hash('ats-auth timing equaliser');
  dummy.catch(() => {});
  return {
    name: 'builtin',
    async check(username, password) {
      const user = await users.findUser(username);
      const matches = await hasher.verify(user?.passwordHash ?? (await dummy), password);
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
    // Before the hashing threads are stopped: a thread stopped in the middle of its first job
    // (a start that fails right away) can leave the stop waiting for ever.
    close: () => dummy.then(
      () => {},
      () => {},
    ),
  };
}
