/** Peer (d): fastify + @fastify/jwt, with the same Redis revocation lookup per request. */
import fastifyJwt from '@fastify/jwt';
import Fastify from 'fastify';
import { banner, ISSUER, SECRET, UNAUTHORIZED_HEADERS } from './common.js';
import { createRedisRevocations } from './redis-revocations.js';

const revocations = createRedisRevocations();
const app = Fastify({ logger: false });
await app.register(fastifyJwt, { secret: SECRET, verify: { algorithms: ['HS256'], allowedIss: ISSUER } });

app.all('/user/verify', async (request, reply) => {
  let claims: { sub: string; jti?: string; iat: number };
  try {
    claims = await request.jwtVerify();
  } catch {
    return reply.code(401).headers(UNAUTHORIZED_HEADERS).send();
  }
  if (await revocations.isRevoked(claims)) return reply.code(401).headers(UNAUTHORIZED_HEADERS).send();
  return reply.code(200).headers({ 'x-auth-userid': claims.sub, 'cache-control': 'no-store' }).send();
});

await app.listen({ host: '127.0.0.1', port: 0 });
app.server.keepAliveTimeout = 72_000;
banner(app.server.address());
process.on('SIGTERM', () => void app.close().then(() => revocations.close()).then(() => process.exit(0)));
