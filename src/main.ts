/**
 * The composition root: config → store → services → HTTP app. Everything is built here and
 * passed down explicitly; the CLI uses the same core as the server.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAuthenticate } from './auth/authenticate.js';
import { createLogin, type Login } from './auth/login.js';
import { createLogout, type Logout } from './auth/logout.js';
import { createUserAdmin, type UserAdmin } from './auth/user-admin.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/index.js';
import { argon2Hasher, chainVerifiers, createBuiltinVerifier } from './credentials/index.js';
import { buildApp } from './http/app.js';
import { createPeerTrust } from './http/trusted-peers.js';
import { createRevoker, RevocationFeed, RevocationState, startPurger, type Revoker } from './revocation/index.js';
import { openStore, type Store } from './store/index.js';
import { createTokenIssuer, createTokenVerifier, loadSigningKey, type TokenVerifier } from './tokens/index.js';

const PURGE_INTERVAL_MS = 60_000;

export interface Core {
  config: Readonly<Config>;
  store: Store;
  state: RevocationState;
  revoker: Revoker;
  verifyToken: TokenVerifier;
  userAdmin: UserAdmin;
  login: Login;
  logout: Logout;
}

/** Opens the store (applying migrations) and builds the services shared by server and CLI. */
export async function createCore(config: Readonly<Config>, logger: Logger, clock: Clock = systemClock): Promise<Core> {
  const store = await openStore(config);
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ versions: applied }, 'applied migrations');
    const key = loadSigningKey(config, logger);
    const leewayMs = config.clockLeewaySeconds * 1000;
    const state = new RevocationState();
    const revoker = createRevoker({
      store: store.revocations,
      state,
      clock,
      maxTokenLifetimeMs: config.tokenTtlSeconds * 1000 + leewayMs,
      leewayMs,
    });
    const tokenOptions = { key, issuer: config.issuer, audience: config.audience, ttlSeconds: config.tokenTtlSeconds };
    const verifyToken = createTokenVerifier({ ...tokenOptions, leewaySeconds: config.clockLeewaySeconds, clock });
    const audit = logger.child({ audit: true });
    const verifier = chainVerifiers([await createBuiltinVerifier(store.users, argon2Hasher)]);
    return {
      config,
      store,
      state,
      revoker,
      verifyToken,
      userAdmin: createUserAdmin({ users: store.users, sessions: store.sessions, hasher: argon2Hasher, revoker, clock }),
      login: createLogin({ verifier, issuer: createTokenIssuer(tokenOptions), sessions: store.sessions, state, clock, audit }),
      logout: createLogout({ verifyToken, revoker, audit }),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export interface RunningServer {
  app: FastifyInstance;
  /** Stops accepting connections, finishes in-flight requests, then closes feed and store. */
  close(): Promise<void>;
}

/** `announce` is the start-up log message; cluster workers use their own so only the primary says 'ats-auth listening'. */
export async function startServer(
  config: Readonly<Config>,
  logger: Logger,
  clock: Clock = systemClock,
  announce = 'ats-auth listening',
): Promise<RunningServer> {
  const core = await createCore(config, logger, clock);
  const feed = new RevocationFeed({
    store: core.store.revocations,
    signal: core.store.changeSignal,
    state: core.state,
    clock,
    pollMs: config.feedPollMs,
    staleMs: config.feedStaleMs,
    logger,
  });
  let stopPurger = () => {};
  try {
    await feed.start();
    stopPurger = startPurger({ store: core.store.revocations, state: core.state, clock, intervalMs: PURGE_INTERVAL_MS, logger });
    const feedIsCurrent = () => feed.isCurrent();
    const app = await buildApp({
      logger,
      login: core.login,
      logout: core.logout,
      authenticate: createAuthenticate({ verifyToken: core.verifyToken, state: core.state, feedIsCurrent }),
      readiness: { pingStore: () => core.store.ping(), feedIsCurrent },
      isTrustedPeer: createPeerTrust(config.trustedProxies),
      cookieName: config.cookieName,
    });
    await app.listen({ host: config.host, port: config.port });
    logger.info(
      {
        address: app.addresses().map((a) => (typeof a === 'string' ? a : `${a.address}:${a.port}`)),
        store: core.store.kind,
        location: core.store.location,
        revocations: core.state.revokedTokenCount,
        notBefore: core.state.notBeforeCount,
        tokenTtl: config.tokenTtlSeconds,
        trustedProxies: config.trustedProxies,
      },
      announce,
    );
    return {
      app,
      async close() {
        await app.close();
        stopPurger();
        await feed.stop();
        await core.store.close();
      },
    };
  } catch (error) {
    stopPurger();
    await feed.stop();
    await core.store.close();
    throw error;
  }
}
