/** buildApp: the Fastify instance with every route, the body rules and the one error handler. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import type { Authenticate } from '../auth/authenticate.js';
import type { Login } from '../auth/login.js';
import type { Logout } from '../auth/logout.js';
import type { Refresh, Sessions } from '../sessions/index.js';
import { accountRoutes, type AccountSessions } from './account/routes.js';
import { limitBodyTime } from './body-deadline.js';
import { clientErrorHandler } from './client-error.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { registerOpenApi } from './openapi.js';
import { timeRequests, type ObserveRequest } from './request-timing.js';
import { healthRoutes, type Readiness } from './routes/health.js';
import { jwksRoute, type JwksSource } from './routes/jwks.js';
import { loginRoute } from './routes/login.js';
import { logoutRoutes } from './routes/logout.js';
import { metricsRoute, type MetricsText } from './routes/metrics.js';
import { revocationsRoute, type StreamHub } from './routes/revocations.js';
import { refreshRoute } from './routes/refresh.js';
import { sessionRoutes } from './routes/sessions.js';
import { verifyRoute, type VerifyOutcomes } from './routes/verify.js';
import type { IsTrustedPeer } from './trusted-peers.js';
import { createVerifyFastPath } from './verify-fast-path.js';

/** §6: bodies are small; a login body is two short strings. */
export const MAX_BODY_BYTES = 8 * 1024;

export interface AppDeps {
  logger: Logger;
  login: Login;
  logout: Logout;
  sessions: Sessions;
  refresh: Refresh;
  authenticate: Authenticate;
  readiness: Readiness;
  isTrustedPeer: IsTrustedPeer;
  cookieName: string;
  account: {
    sessions: AccountSessions;
    publicUrl: URL | undefined;
    redirectHosts: ReadonlySet<string>;
    csrfKey: Buffer;
  };
  verifyOutcomes: VerifyOutcomes;
  observeRequest: ObserveRequest;
  /** GET /user/revocations: the hub, and the Bearer keys allowed besides trusted peers. */
  revocationStream: { hub: StreamHub; keys: readonly string[] };
  /** Served at /metrics; undefined when metrics have a port of their own. */
  metrics: MetricsText | undefined;
  /** A body not fully arrived within this long gets 408 (SPEC §15). */
  bodyTimeoutMs: number;
  /** Connections over this many are refused (Node's server.maxConnections). */
  maxConnections: number;
  /** The signing keys' JWK Set (§11). */
  jwks: JwksSource;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  let closing = false;
  const fastPath = createVerifyFastPath({
    authenticate: deps.authenticate,
    cookieName: deps.cookieName,
    isClosing: () => closing,
    outcomes: deps.verifyOutcomes,
    observeRequest: deps.observeRequest,
  });
  const app = Fastify({
    // The verify fast path goes first; the server gets the settings Fastify gives its own.
    serverFactory: (handler, rawOptions) => {
      // Fastify passes its normalised options (defaults filled in).
      const options = rawOptions as unknown as Record<'keepAliveTimeout' | 'requestTimeout' | 'connectionTimeout' | 'maxRequestsPerSocket', number>;
      const server = createServer((req, res) => fastPath(req, res) || handler(req, res));
      server.keepAliveTimeout = options.keepAliveTimeout;
      server.requestTimeout = options.requestTimeout;
      server.setTimeout(options.connectionTimeout);
      if (options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
      server.maxConnections = deps.maxConnections;
      return server;
    },
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Per-request access logs would dominate the verify hot path; audit events are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // The §2 contract wants 400 for a non-string field, not a silently coerced string.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    return503OnClosing: true,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preClose', async () => {
    closing = true;
  });
  timeRequests(app, deps.observeRequest);
  limitBodyTime(app, deps.bodyTimeoutMs);
  await registerOpenApi(app);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });

  // §2: a login body that is not JSON (or a form) is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  // httpie's --form and HTML forms send x-www-form-urlencoded; the seed's API accepts it too.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  await app.register(loginRoute, { login: deps.login, isTrustedPeer: deps.isTrustedPeer });
  await app.register(refreshRoute, { refresh: deps.refresh, isTrustedPeer: deps.isTrustedPeer });
  await app.register(async (bodyless) => {
    // logout, logout_all and verify read only headers: whatever body a client or gateway sends
    // (of any type, even malformed) is read up to the limit and dropped.
    bodyless.removeAllContentTypeParsers();
    bodyless.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
    await bodyless.register(logoutRoutes, {
      logout: deps.logout,
      authenticate: deps.authenticate,
      isTrustedPeer: deps.isTrustedPeer,
    });
    await bodyless.register(sessionRoutes, {
      sessions: deps.sessions,
      authenticate: deps.authenticate,
      isTrustedPeer: deps.isTrustedPeer,
      cookieName: deps.cookieName,
    });
    await bodyless.register(verifyRoute, {
      authenticate: deps.authenticate,
      cookieName: deps.cookieName,
      outcomes: deps.verifyOutcomes,
    });
  });
  await app.register(revocationsRoute, {
    hub: deps.revocationStream.hub,
    isTrustedPeer: deps.isTrustedPeer,
    streamKeys: deps.revocationStream.keys,
  });
  await app.register(accountRoutes, {
    ...deps.account,
    login: deps.login,
    logout: deps.logout,
    authenticate: deps.authenticate,
    isTrustedPeer: deps.isTrustedPeer,
    cookieName: deps.cookieName,
  });
  await app.register(healthRoutes, { readiness: deps.readiness });
  await app.register(jwksRoute, { jwks: deps.jwks });
  if (deps.metrics) await app.register(metricsRoute, { metrics: deps.metrics });
  return app;
}
