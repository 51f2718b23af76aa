/** Tokens for the bench, signed like ats-auth signs them (fast-jwt, HS256, iss/sub/iat/exp/jti). */
import { randomBytes } from 'node:crypto';
import { createSigner } from 'fast-jwt';

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
export const ISSUER = 'ats.auth';
export const TTL_SECONDS = 86_400;

const sign = createSigner({ key: BENCH_SECRET, algorithm: 'HS256' });

export interface BenchToken {
  token: string;
  sub: string;
  jti: string;
  iat: number;
  exp: number;
}

export function newJti(): string {
  return randomBytes(16).toString('base64url');
}

export function forgeToken(sub: string, iat = Math.floor(Date.now() / 1000), jti = newJti()): BenchToken {
  const exp = iat + TTL_SECONDS;
  return { token: sign({ iss: ISSUER, sub, iat, exp, jti }), sub, jti, iat, exp };
}

/** The same token with its signature's first character changed. */
export function tamper(token: string): string {
  const dot = token.lastIndexOf('.');
  const c = token[dot + 1] === 'A' ? 'B' : 'A';
  return `${token.slice(0, dot + 1)}${c}${token.slice(dot + 2)}`;
}
