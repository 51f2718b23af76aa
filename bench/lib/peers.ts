/**
 * Starting the verify peers (a)–(d) with the same secret and the same revoked token as
 * ats-auth: (b) gets it in its environment, (c) and (d) find it in Redis under this run's prefix.
 */
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { SERVER_CORES } from './pinning.js';
import { launch, type ServerProcess } from './proc.js';
import { BENCH_SECRET, ISSUER, TTL_SECONDS, type BenchToken } from './tokens.js';

export const PEERS = {
  bare: { label: '(a) node:http, no work', file: 'bare.ts', checked: false },
  crypto: { label: '(b) node:crypto HS256 + Set', file: 'crypto-set.ts', checked: true },
  express: { label: '(c) express + jsonwebtoken + Redis', file: 'express-redis.ts', checked: true },
  fastify: { label: '(d) fastify + @fastify/jwt + Redis', file: 'fastify-redis.ts', checked: true },
} as const;
export type PeerName = keyof typeof PEERS;

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** This run's revocations in Redis; remove() deletes them again. */
export async function seedRedis(prefix: string, revoked: BenchToken): Promise<{ remove(): Promise<void> }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await redis.set(`${prefix}jti:${revoked.jti}`, '1', 'EX', TTL_SECONDS);
  } finally {
    await redis.quit();
  }
  return {
    async remove() {
      const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        await r.del(`${prefix}jti:${revoked.jti}`);
      } finally {
        await r.quit();
      }
    },
  };
}

export function startPeer(name: PeerName, revoked: BenchToken, redisPrefix: string): Promise<ServerProcess> {
  const file = fileURLToPath(new URL(`../peers/${PEERS[name].file}`, import.meta.url));
  return launch({
    name: PEERS[name].label,
    command: process.execPath,
    args: ['--import', 'tsx', file],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      BENCH_SECRET,
      BENCH_ISSUER: ISSUER,
      BENCH_REDIS_URL: REDIS_URL,
      BENCH_REDIS_PREFIX: redisPrefix,
      BENCH_REVOKED_JTIS: revoked.jti,
    },
    cores: SERVER_CORES,
  });
}
