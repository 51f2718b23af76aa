/**
 * What every peer shares: its settings from the environment (set by bench/lib/peers.ts) and
 * the banner the bench waits for. Peers answer like ats-auth's verify: 200, X-Auth-UserId and
 * Cache-Control: no-store, or 401 with WWW-Authenticate.
 */
export const SECRET = required('BENCH_SECRET');
export const ISSUER = process.env.BENCH_ISSUER ?? 'ats.auth';
/** Key prefix of this run's revocations in Redis (peers c and d). */
export const REDIS_PREFIX = process.env.BENCH_REDIS_PREFIX ?? 'ats-bench:';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer error="invalid_token"' } as const;

export function banner(address: unknown): void {
  const port = typeof address === 'object' && address !== null ? (address as { port: number }).port : address;
  console.log(`peer listening 127.0.0.1:${port}`);
}

/** A bearer token from an Authorization header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  return header.slice(7).trim();
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}
