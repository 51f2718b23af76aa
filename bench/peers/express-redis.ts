/** Peer (c): express + jsonwebtoken, with a Redis revocation lookup per request. */
import { createSecretKey } from 'node:crypto';
import express from 'express';
import jwt from 'jsonwebtoken';
import { banner, bearer, ISSUER, SECRET, UNAUTHORIZED_HEADERS } from './common.js';
import { createRedisRevocations } from './redis-revocations.js';

// A KeyObject, not the string: given a string, jsonwebtoken 9 first tries to parse it as a PEM
// public key on every call, which costs ~1 ms of CPU (seen in this peer's profile).
const key = createSecretKey(Buffer.from(SECRET, 'utf8'));
const revocations = createRedisRevocations();
const app = express();
app.disable('x-powered-by');
app.disable('etag');

app.all('/user/verify', async (req, res) => {
  const token = bearer(req.headers.authorization);
  let claims: { sub: string; jti?: string; iat: number };
  try {
    if (token === undefined) throw new Error('no token');
    claims = jwt.verify(token, key, { algorithms: ['HS256'], issuer: ISSUER }) as typeof claims;
  } catch {
    res.status(401).set(UNAUTHORIZED_HEADERS).end();
    return;
  }
  if (await revocations.isRevoked(claims)) {
    res.status(401).set(UNAUTHORIZED_HEADERS).end();
    return;
  }
  res.status(200).set({ 'x-auth-userid': claims.sub, 'cache-control': 'no-store' }).end();
});

const server = app.listen(0, '127.0.0.1', () => banner(server.address()));
server.keepAliveTimeout = 72_000;
process.on('SIGTERM', () => server.close(() => void revocations.close().then(() => process.exit(0))));
