/**
 * The composition root: config → store → services → HTTP app. Everything is built here and
 * passed down explicitly; the CLI uses the same core as the server.
 */
import type { FastifyInstance } from 'fastify';
import { hkdfSync } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAuthenticate } from './auth/authenticate.js';
import { createLogin, type Login } from './auth/login.js';
import { createNameForLog } from './auth/log-name.js';
import { createLogout, type Logout } from './auth/logout.js';
import { accountDevices } from './auth/account-devices.js';
import { createUserAdmin, type UserAdmin } from './auth/user-admin.js';
import { systemClock, type Clock } from './clock.js';
import { MAX_CLOCK_LEEWAY_SECONDS, type Config } from './config/index.js';
import { createCredentials, createPasswordHasher, knownUserAcross, type CredentialObserver, type CredentialVerifier } from './credentials/index.js';
import { buildApp } from './http/app.js';
import { buildMetricsApp } from './http/metrics-app.js';
import type { MetricsText } from './http/routes/metrics.js';
import { createPeerTrust } from './http/trusted-peers.js';
import {
  createMetrics,
  credentialObserver,
  instrumentLogin,
  instrumentLogout,
  instrumentRefresh,
  requestObserver,
  verifyOutcomes,
} from './metrics/index.js';
import { createRevoker, RevocationFeed, RevocationState, startCheckpoints, startPurger, type Revoker } from './revocation/index.js';
import { createRefresh, createSessions, LastSeen, type Refresh, type Sessions } from './sessions/index.js';
import { openStore, type Store } from './store/index.js';
import { RevocationHub } from './stream/hub.js';
import { createThrottle, type Throttle } from './throttle/index.js';
import {
  createKeyManager,
  createSealer,
  createTokenIssuer,
  createTokenVerifier,
  KeyPairSigners,
  loadKeySet,
  maxTokenLifetimeMs,
  type KeyManager,
  type TokenVerifier,
} from './tokens/index.js';
import { version } from './version.js';

const PURGE_INTERVAL_MS = 60_000;
/** §14: a heartbeat at least every 5 s; each one tells consumers how fresh the server is. */
const STREAM_HEARTBEAT_MS = 1000;
/** A stream consumer's unsent data beyond this (a few thousand events) drops it. */
const STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;
/** How often each instance checks whether automatic key rotation is due (ATS_AUTH_KEY_ROTATION_DAYS). */
const ROTATION_CHECK_MS = 60_000;

export interface Core {
  config: Readonly<Config>;
  store: Store;
  state: RevocationState;
  revoker: Revoker;
  verifyToken: TokenVerifier;
  userAdmin: UserAdmin;
  login: Login;
  logout: Logout;
  /** The devices: list and end sessions (HTTP routes, account pages, CLI). */
  sessions: Sessions;
  refresh: Refresh;
  /** Last-seen times noted by verify, written to the store at a bounded rate (started by the server). */
  lastSeen: LastSeen;
  /** The chain of credential backends (§10). */
  credentials: CredentialVerifier;
  /** Names of the credential backends, in the order they are asked. */
  credentialBackends: readonly string[];
  throttle: Throttle;
  /** The asymmetric signing keys' lifecycle (§11). */
  keyManager: KeyManager;
  /** Which asymmetric key signs (started by the server only). */
  signers: KeyPairSigners;
  /** Signs the account pages' CSRF form tokens; derived from the service secret, so every instance agrees. */
  formKey: Buffer;
  /** Closes the credential backends' connections and then the store. */
  close(): Promise<void>;
}

/** Opens the store (applying migrations) and builds the services shared by server and CLI. */
export async function createCore(
  config: Readonly<Config>,
  logger: Logger,
  clock: Clock = systemClock,
  options: { observeCredentials?: CredentialObserver } = {},
): Promise<Core> {
  const store = await openStore(config);
  const hasher = createPasswordHasher({ threads: config.hashThreads, nice: config.hashNice });
  let credentials: CredentialVerifier | undefined;
  try {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ versions: applied }, 'applied migrations');
    const keys = loadKeySet(config, logger);
    const lifetimeMs = maxTokenLifetimeMs({ ttlSeconds: config.tokenTtlSeconds, leewaySeconds: config.clockLeewaySeconds });
    // Every process (the CLI too) records how long tokens it issues can verify anywhere (its TTL
    // plus the largest leeway any verifier may use), so user revocations written anywhere are
    // kept as long as the longest-lived token can verify anywhere.
    await store.revocations.recordTokenLifetime((config.tokenTtlSeconds + MAX_CLOCK_LEEWAY_SECONDS) * 1000);
    const state = new RevocationState();
    // Audit events are logged whatever the log level (only 'silent' drops them): the CLI runs at 'warn'.
    const audit = logger.child({ audit: true }, { level: logger.level === 'silent' ? 'silent' : 'info' });
    // A token revocation is kept past the token's exp by the largest leeway any process may
    // use, not this one's: a process with a larger leeway still accepts the token meanwhile.
    const revoker = createRevoker({
      store: store.revocations,
      state,
      clock,
      maxTokenLifetimeMs: lifetimeMs,
      leewayMs: MAX_CLOCK_LEEWAY_SECONDS * 1000,
      maxPerUser: config.maxRevocationsPerUser,
      audit,
    });
    const keyManager = createKeyManager({
      store: store.keys,
      apply: (event) => state.apply(event),
      policy: {
        alg: config.jwtAlg,
        maxTokenLifetimeMs: maxTokenLifetimeMs({ ttlSeconds: config.tokenTtlSeconds, leewaySeconds: config.clockLeewaySeconds }),
        jwksMaxAgeMs: config.jwksMaxAgeSeconds * 1000,
        rotationMs: config.keyRotationDays * 86_400_000,
      },
      // The service secret (§6) seals private keys; the signing secret first, the others still open.
      sealer: createSealer([keys.signing.secret, ...keys.verification.filter((k) => k !== keys.signing).map((k) => k.secret)]),
      clock,
    });
    const signers = new KeyPairSigners({ ring: state.keys, loadPrivateKey: (kid) => keyManager.privateKey(kid), logger });
    const tokenOptions = { keys, issuer: config.issuer, audience: config.audience, ttlSeconds: config.tokenTtlSeconds };
    const verifyToken = createTokenVerifier({
      ...tokenOptions,
      leewaySeconds: config.clockLeewaySeconds,
      clock,
      ring: state.keys,
      alg: config.jwtAlg,
    });
    const issuer = createTokenIssuer({
      ...tokenOptions,
      ...(config.jwtAlg === 'HS256' ? {} : { signer: () => signers.current() }),
    });
    const throttlePolicy = {
      windowMs: config.throttleWindowSeconds * 1000,
      userAddressLimit: config.throttleUserAddressLimit,
      addressLimit: config.throttleAddressLimit,
      userLimit: config.throttleUserLimit,
      userDelayMs: config.throttleUserDelayMs,
      userCap: config.throttleUserCap,
      ipv6Prefix: config.throttleIpv6Prefix,
    };
    const throttle = createThrottle({ store: store.throttles, clock, policy: throttlePolicy });
    // Refresh attempts share the store and the per-address limits, but no user is known before
    // the token is checked: a per-user rule would put every client in one bucket.
    const refreshThrottle = createThrottle({ store: store.throttles, clock, policy: { ...throttlePolicy, userLimit: 0, userCap: 0 } });
    const lastSeen = new LastSeen({ store: store.sessions, clock, intervalMs: config.lastSeenIntervalMs, logger });
    const sessions = createSessions({
      store: store.sessions,
      state,
      revoker,
      issuer,
      clock,
      lastSeen,
      policy: {
        maxPerUser: config.maxSessionsPerUser,
        refreshTtlSeconds: config.refreshTtlSeconds,
        ttlSeconds: config.tokenTtlSeconds,
        leewayMs: MAX_CLOCK_LEEWAY_SECONDS * 1000,
      },
      audit,
    });
    const refresh = createRefresh({
      store: store.sessions,
      state,
      sessions,
      issuer,
      throttle: refreshThrottle,
      clock,
      policy: { refreshTtlSeconds: config.refreshTtlSeconds, reuseSeconds: config.refreshReuseSeconds },
      audit,
    });
    const built = await createCredentials(config, {
      users: store.users,
      hasher,
      logger,
      observe: options.observeCredentials,
    });
    credentials = built.verifier;
    const verifier = credentials;
    const backends = built.backends;
    const knownUser = knownUserAcross(backends);
    return {
      config,
      store,
      state,
      revoker,
      verifyToken,
      userAdmin: createUserAdmin({ users: store.users, hasher, revoker, clock }),
      login: createLogin({ verifier, throttle, sessions, state, clock, audit, nameForLog: createNameForLog(knownUser) }),
      logout: createLogout({ verifyToken, revoker, sessions, audit, knownUser }),
      sessions,
      refresh,
      lastSeen,
      credentials: verifier,
      credentialBackends: verifier.backends,
      throttle,
      keyManager,
      signers,
      formKey: Buffer.from(hkdfSync('sha256', keys.signing.secret, '', 'ats-auth account form tokens', 32)),
      async close() {
        await verifier.close();
        await hasher.close();
        await store.close();
      },
    };
  } catch (error) {
    await credentials?.close();
    await hasher.close();
    await store.close();
    throw error;
  }
}

export interface RunningServer {
  app: FastifyInstance;
  /** Stops accepting connections, finishes in-flight requests, then closes feed and store. */
  close(): Promise<void>;
  /** Cuts the connections a close() is still waiting for (the shutdown bound has passed). */
  dropConnections(): void;
}

/** `announce` is the start-up log message; cluster workers use their own so only the primary says 'ats-auth listening'. */
export async function startServer(
  config: Readonly<Config>,
  logger: Logger,
  clock: Clock = systemClock,
  announce = 'ats-auth listening',
  /** How /metrics exposes the registry: as is, or (a cluster worker) the whole group's. */
  expose: (registry: Registry) => MetricsText = (registry) => registry,
): Promise<RunningServer> {
  // Metrics first, so the credential backends report to them; the gauges read core and feed at scrape time.
  let core: Core | undefined;
  let feed: RevocationFeed | undefined;
  let hub: RevocationHub | undefined;
  const metrics = createMetrics({
    revokedTokenCount: () => core?.state.revokedTokenCount ?? 0,
    notBeforeCount: () => core?.state.notBeforeCount ?? 0,
    endedSessionCount: () => core?.state.endedSessionCount ?? 0,
    feedLagMs: () => feed?.lagMs() ?? 0,
    streamConsumers: () => hub?.subscriberCount ?? 0,
  });
  core = await createCore(config, logger, clock, { observeCredentials: credentialObserver(metrics) });
  feed = new RevocationFeed({
    store: core.store.revocations,
    checkpoints: core.store.checkpoints,
    signal: core.store.changeSignal,
    state: core.state,
    clock,
    pollMs: config.feedPollMs,
    staleMs: config.feedStaleMs,
    logger,
  });
  const streamHub = new RevocationHub({
    store: core.store.revocations,
    feed,
    clock,
    verification: {
      issuer: config.issuer,
      audience: config.audience,
      tokenTtlSeconds: config.tokenTtlSeconds,
      clockLeewaySeconds: config.clockLeewaySeconds,
      alg: config.jwtAlg,
    },
    heartbeatMs: STREAM_HEARTBEAT_MS,
    // A consumer that has taken nothing for as long as verify trusts a silent feed is stale anyway.
    stallMs: config.feedStaleMs,
    maxBufferedBytes: STREAM_MAX_BUFFERED_BYTES,
    purgeIntervalMs: PURGE_INTERVAL_MS,
    logger,
    onDrop: () => metrics.streamDrops.inc(),
  });
  hub = streamHub;
  const metricsText = expose(metrics.registry);
  let stopPurger = () => {};
  let stopCheckpoints = async () => {};
  let rotationTimer: NodeJS.Timeout | undefined;
  let app: FastifyInstance | undefined;
  let metricsApp: FastifyInstance | undefined;
  const closeAll = async () => {
    // Streams never finish by themselves: end them, or the drain would wait for them.
    streamHub.close();
    if (app) await drain(app);
    if (metricsApp) await drain(metricsApp);
    stopPurger();
    await stopCheckpoints();
    await core!.lastSeen.stop();
    clearInterval(rotationTimer);
    core?.signers.stop();
    await feed!.stop();
    await core!.close();
  };
  try {
    await feed.start();
    // Throws KeysUnreadable when the service secret cannot open the stored keys, before any
    // key is made: a wrong secret never leads to a silent new key.
    await core.signers.start();
    if (config.jwtAlg !== 'HS256') {
      const events = await core.keyManager.ensureSigningKey();
      if (events.length > 0) logger.info({ kid: core.state.keys.active()?.kid, alg: config.jwtAlg }, 'signing key activated');
      await core.signers.refresh();
    }
    if (config.jwtAlg !== 'HS256' && config.keyRotationDays > 0) {
      rotationTimer = setInterval(() => {
        core.keyManager.autoRotate().then(
          (events) => {
            for (const event of events) if (event.kind === 'key') logger.info({ kid: event.kid, state: event.state }, 'key rotation');
          },
          (error: unknown) => logger.warn({ err: error }, 'automatic key rotation failed; retrying'),
        );
      }, Math.min(ROTATION_CHECK_MS, Math.max(1000, config.jwksMaxAgeSeconds * 250)));
      rotationTimer.unref();
    }
    core.lastSeen.start();
    // An unreachable directory at start is a warning and a metric, not a refusal: verify must keep working.
    void core.credentials.probe((backend, error) => {
      metrics.credentialBackendUp.labels(backend).set(error === undefined ? 1 : 0);
      if (error !== undefined) logger.warn({ backend, err: error }, 'credential backend unreachable at start; logins through it answer 503 until it is back');
    });
    const feedIsCurrent = () => feed!.isCurrent();
    app = await buildApp({
      logger,
      login: instrumentLogin(core.login, metrics),
      logout: instrumentLogout(core.logout, metrics),
      sessions: core.sessions,
      refresh: instrumentRefresh(core.refresh, metrics),
      authenticate: createAuthenticate({
        verifyToken: core.verifyToken,
        state: core.state,
        feedIsCurrent,
        seen: (sid) => core.lastSeen.seen(sid),
      }),
      readiness: { pingStore: () => core.store.ping(), feedIsCurrent },
      isTrustedPeer: createPeerTrust(config.trustedProxies),
      cookieName: config.cookieName,
      account: {
        sessions: accountDevices({ sessions: core.sessions, client: { address: null, userAgent: 'account page' } }),
        publicUrl: config.publicUrl === undefined ? undefined : new URL(config.publicUrl),
        redirectHosts: new Set(config.redirectHosts ?? (config.publicUrl === undefined ? [] : [new URL(config.publicUrl).hostname])),
        csrfKey: core.formKey,
      },
      verifyOutcomes: verifyOutcomes(metrics),
      observeRequest: requestObserver(metrics),
      metrics: config.metricsPort === undefined ? metricsText : undefined,
      revocationStream: { hub: streamHub, keys: config.streamKeys },
      bodyTimeoutMs: config.bodyTimeoutMs,
      maxConnections: config.maxConnections,
      jwks: {
        version: () => core.state.keys.version,
        keys: (nowMs) => core.state.keys.jwks(nowMs),
        maxAgeSeconds: config.jwksMaxAgeSeconds,
        now: () => clock.now(),
      },
    });
    await app.listen({ host: config.host, port: config.port });
    if (config.metricsPort !== undefined) {
      metricsApp = await buildMetricsApp({ logger, metrics: metricsText });
      await metricsApp.listen({ host: config.host, port: config.metricsPort });
    }
    logger.info(
      {
        version: version(),
        address: addressesOf(app),
        metricsAddress: metricsApp ? addressesOf(metricsApp) : addressesOf(app).map((a) => `${a}/metrics`),
        store: core.store.kind,
        location: core.store.location,
        credentialBackends: core.credentialBackends,
        trustedProxies: config.trustedProxies,
        tokenTtl: config.tokenTtlSeconds,
        alg: config.jwtAlg,
        ...(config.jwtAlg === 'HS256' ? {} : { kid: core.state.keys.active()?.kid }),
        revocations: core.state.revokedTokenCount,
        notBefore: core.state.notBeforeCount,
      },
      announce,
    );
    // After the announcement: the first purge and a checkpoint due now run while the server
    // already answers (the state loaded at start holds nothing expired).
    stopPurger = startPurger({ store: core.store.revocations, state: core.state, clock, intervalMs: PURGE_INTERVAL_MS, logger });
    if (core.store.checkpoints !== undefined) {
      const started = feed;
      stopCheckpoints = startCheckpoints({
        store: core.store.checkpoints,
        state: core.state,
        cursor: () => started.cursor,
        startedFrom: started.startedFrom,
        passedOver: started.passedOver,
        everyRows: config.checkpointRows,
        intervalMs: PURGE_INTERVAL_MS,
        logger,
      });
    }
    const server = app;
    return {
      app: server,
      close: closeAll,
      dropConnections() {
        server.server.closeAllConnections();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Closes the listener and waits for in-flight requests. Node closes idle keep-alive connections
 * only once, when close() starts; a connection whose request finishes later would otherwise
 * hold the shutdown until its keep-alive timeout, so idle ones are swept until close resolves.
 */
async function drain(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
  }
}

function addressesOf(app: FastifyInstance): string[] {
  return app
    .addresses()
    .map((a) => (typeof a === 'string' ? a : a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`));
}
