/**
 * Password hashing with argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), and checking against
 * argon2id or bcrypt hashes (htpasswd -B), on a pool of low-priority threads (hash-pool.ts), so
 * hashing never blocks or starves the event loop.
 */
import { Algorithm } from '@node-rs/argon2';
import { HashPool, type HashPoolOptions } from './hash-pool.js';

export const ARGON2_PARAMS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface PasswordHasher {
  /** An argon2id PHC string. */
  hash(password: string): Promise<string>;
  /** Against an argon2id or bcrypt hash. False for a wrong password or an unreadable hash; throws only when a hashing thread was lost. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createPasswordHasher(options: HashPoolOptions): PasswordHasher {
  const pool = new HashPool(options);
  return {
    hash: (password) => pool.run({ op: 'hash', password }),
    verify: (passwordHash, password) => pool.run({ op: 'verify', hash: passwordHash, password }),
    close: () => pool.close(),
  };
}
