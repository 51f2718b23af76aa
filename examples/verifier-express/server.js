// A Node service that checks ats-auth tokens itself with `ats-auth/verifier`: no call to the
// auth service per request, and a token revoked there (logout, logout_all, `ats-auth revoke`)
// is refused here within the revocation bound. See README.md beside this file.
import express from 'express';
import { createVerifier, expressMiddleware } from 'ats-auth/verifier';

/** The app, given a verifier: public /healthz, everything else behind the token check. */
export function createApp(verifier) {
  const app = express();
  // Unauthenticated: tells a load balancer whether this instance can vouch for tokens right now.
  app.get('/healthz', (_req, res) => {
    const { current, staleForMs } = verifier.status();
    res.status(current ? 200 : 503).json({ current, staleForMs });
  });
  app.use(expressMiddleware(verifier));
  // req.auth is the verified token; X-Auth-UserId is set as the gateway would (a client's own is dropped).
  app.get('/whoami', (req, res) => {
    res.json({ user: req.auth.sub, userHeader: req.headers['x-auth-userid'], jti: req.auth.jti, exp: req.auth.exp });
  });
  return app;
}

async function main() {
  const verifier = createVerifier({
    url: process.env.ATS_AUTH_URL ?? 'http://127.0.0.1:8081',
    streamKey: process.env.ATS_AUTH_STREAM_KEY, // not needed when this host is a trusted peer
    // HS256 only; with ATS_AUTH_JWT_ALG EdDSA, ES256 or RS256 leave it unset: the public keys come from the service.
    secret: process.env.ATS_AUTH_JWT_SECRET,
    onError: (error) => console.warn(`revocation stream: ${error.message} (retrying)`),
  });
  await verifier.ready();
  const port = Number(process.env.PORT ?? 3000);
  const server = createApp(verifier).listen(port, () => console.log(`example service on http://127.0.0.1:${port}`));
  process.once('SIGTERM', () => {
    server.close();
    void verifier.close();
  });
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
