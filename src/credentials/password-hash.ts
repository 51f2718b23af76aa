/**
 * Password hashing with argon2id at OWASP's minimum (m=19 MiB, t=2, p=1). @node-rs/argon2
 * runs on the libuv thread pool, so hashing never blocks the event loop.
 */
import { Algorithm, hash, verify } from '@node-rs/argon2';

export const ARGON2_PARAMS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unreadable hash; never throws for bad input. */
  verify(passwordHash: string, password: string): Promise<boolean>;
}

export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, ARGON2_PARAMS),
  verify: async (passwordHash, password) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  },
};
