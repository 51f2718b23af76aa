/**
 * Peer (b), the ideal of the job: node:http, a hand-written HS256 check with node:crypto
 * (signature, alg, iss, exp) and in-memory revocations (a Set of jtis, a Map of per-user
 * not-before instants), loaded from BENCH_REVOKED_JTIS and BENCH_REVOKED_USERS.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { banner, bearer, ISSUER, SECRET, UNAUTHORIZED_HEADERS } from './common.js';

const revokedJtis = new Set((process.env.BENCH_REVOKED_JTIS ?? '').split(',').filter((s) => s !== ''));
const notBefore = new Map(
  (process.env.BENCH_REVOKED_USERS ?? '')
    .split(',')
    .filter((s) => s !== '')
    .map((pair) => {
      const at = pair.lastIndexOf(':');
      return [pair.slice(0, at), Number(pair.slice(at + 1))] as const;
    }),
);
const key = Buffer.from(SECRET, 'utf8');

interface Claims {
  iss?: unknown;
  sub?: unknown;
  iat?: unknown;
  exp?: unknown;
  jti?: unknown;
}

function check(token: string | undefined): string | undefined {
  if (token === undefined || token.length > 8192) return undefined;
  const dot1 = token.indexOf('.');
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) return undefined;
  const expected = createHmac('sha256', key).update(token.slice(0, dot2)).digest();
  const given = Buffer.from(token.slice(dot2 + 1), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString()) as { alg?: unknown };
    if (header.alg !== 'HS256') return undefined;
    const claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString()) as Claims;
    if (claims.iss !== ISSUER || typeof claims.sub !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
    if (claims.exp * 1000 <= Date.now()) return undefined;
    if (typeof claims.jti === 'string' && revokedJtis.has(claims.jti)) return undefined;
    const nb = notBefore.get(claims.sub);
    if (nb !== undefined && claims.iat * 1000 <= nb) return undefined;
    return claims.sub;
  } catch {
    return undefined;
  }
}

const server = createServer((req, res) => {
  const user = check(bearer(req.headers.authorization));
  if (user === undefined) {
    res.writeHead(401, { ...UNAUTHORIZED_HEADERS, 'content-length': '0' });
  } else {
    res.writeHead(200, { 'x-auth-userid': user, 'cache-control': 'no-store', 'content-length': '0' });
  }
  res.end();
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => banner(server.address()));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
