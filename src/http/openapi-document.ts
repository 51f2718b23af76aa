/**
 * The OpenAPI document without a running service, for `npm run openapi` and the test that keeps
 * docs/openapi.json current. The document depends only on the route schemas, so the app is built
 * with services that are never called.
 */
import { pino } from 'pino';
import { buildApp } from './app.js';

const unused = () => {
  throw new Error('not available while generating the OpenAPI document');
};

export async function openApiDocument(): Promise<unknown> {
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    login: unused,
    logout: { logout: unused, logoutAll: unused, revokeToken: unused, endSession: unused },
    sessions: { start: unused, list: unused, end: unused, endOthers: unused, endById: unused, find: unused },
    refresh: unused,
    authenticate: unused,
    readiness: { pingStore: unused, feedIsCurrent: unused },
    isTrustedPeer: () => false,
    cookieName: 'ats_auth',
    account: {
      sessions: { list: unused, end: unused, endOthers: unused },
      publicUrl: undefined,
      redirectHosts: new Set(),
      csrfKey: Buffer.alloc(32),
    },
    verifyOutcomes: { ok: () => {}, refused: () => {} },
    observeRequest: () => {},
    revocationStream: { hub: { load: unused, attach: unused }, keys: [] },
    // The default layout: /metrics on the main port.
    metrics: { contentType: 'text/plain', metrics: unused },
    bodyTimeoutMs: 10_000,
    maxConnections: 10_000,
    jwks: { version: unused, keys: unused, maxAgeSeconds: 300, now: unused },
  });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}
