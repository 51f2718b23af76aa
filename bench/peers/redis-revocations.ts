/**
 * The per-request revocation lookup peers (c) and (d) do, as such stacks usually do it: one
 * Redis round trip (MGET) for the token's jti and the user's not-before instant.
 */
import { Redis } from 'ioredis';
import { REDIS_PREFIX, REDIS_URL } from './common.js';

export function createRedisRevocations(): { isRevoked(claims: { sub: string; jti?: string; iat: number }): Promise<boolean>; close(): Promise<void> } {
  const redis = new Redis(REDIS_URL, { lazyConnect: false, enableAutoPipelining: true });
  return {
    async isRevoked(claims) {
      const [jti, notBefore] = await redis.mget(`${REDIS_PREFIX}jti:${claims.jti ?? ''}`, `${REDIS_PREFIX}user:${claims.sub}`);
      if (claims.jti !== undefined && jti !== null) return true;
      return notBefore !== null && claims.iat * 1000 <= Number(notBefore);
    },
    async close() {
      await redis.quit();
    },
  };
}
