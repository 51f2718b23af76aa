/**
 * createVerifier (SPEC §14): verifies ats-auth tokens in this process with the rules of
 * /user/verify — the same token checks (src/tokens/verifier.ts), the same revocation state
 * (src/revocation/state.ts) fed by the revocation stream instead of the store, and the same
 * errors — and fails closed (FeedStale) once the stream has been silent past `staleMs`.
 * Signing keys: the HS256 secret when given; otherwise the service's JWK Set, kept current by
 * the stream's key events (key-set.ts).
 */
import { createAuthenticate } from '../auth/authenticate.js';
import { FeedStale, TokenInvalid } from '../errors.js';
import { RevocationState } from '../revocation/state.js';
import type { HelloData } from '../stream/protocol.js';
import type { SigningKey } from '../tokens/keys.js';
import { createTokenVerifier, type TokenVerifier } from '../tokens/verifier.js';
import { JwksClient } from './jwks.js';
import { VerifierKeys } from './key-set.js';
import { StreamClient } from './stream-client.js';

export interface VerifierOptions {
  /** The ats-auth service, e.g. http://auth.internal:8081 (the stream is <url>/user/revocations). */
  url: string;
  /** A key of the service's ATS_AUTH_STREAM_KEYS; not needed from a trusted peer. */
  streamKey?: string;
  /**
   * The HS256 secret (ATS_AUTH_JWT_SECRET), or {kid: secret} as in ATS_AUTH_JWT_KEYS. Without
   * it, tokens verify with the service's public keys only (ATS_AUTH_JWT_ALG EdDSA, ES256, RS256):
   * its JWK Set, then the stream's key changes.
   */
  secret?: string | Uint8Array | Readonly<Record<string, string>>;
  /** Least time between two fetches of the JWK Set when a token names an unknown kid (default 1000). */
  jwksMinIntervalMs?: number;
  /** Verify fails closed once the stream has vouched for nothing for this long (default 5000). */
  staleMs?: number;
  /** Reconnect back-off bounds (defaults 100 and 5000 ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told of connection problems (the verifier retries by itself). Default: ignored. */
  onError?: (error: Error) => void;
  /** For tests: milliseconds since the epoch. */
  now?: () => number;
  fetch?: typeof fetch;
}

export interface VerifiedToken {
  sub: string;
  jti: string | undefined;
  /** The session id (SPEC §12), when the token has one. */
  sid: string | undefined;
  /** Expiry, NumericDate (seconds). */
  exp: number;
  /** Every claim of the token, frozen. */
  claims: Readonly<Record<string, unknown>>;
}

export interface VerifierStatus {
  /** The first state (and without a secret, the JWK Set) has arrived. */
  ready: boolean;
  /** verify() may accept tokens now. */
  current: boolean;
  connected: boolean;
  /** Milliseconds since the service last vouched for this state (Infinity before ready). */
  staleForMs: number;
  /** The last feed cursor received. */
  cursor: string | undefined;
  revokedTokens: number;
  /** Ended sessions (SPEC §12) still refused. */
  endedSessions: number;
  notBefores: number;
  /** Public signing keys held (SPEC §11). */
  keys: number;
}

export interface Verifier {
  /** The token's identity, or throws TokenInvalid (err.reason says why) or FeedStale. */
  verify(token: string): VerifiedToken;
  /** Resolves once the state (and the key set) has arrived; rejects if the verifier is closed first. */
  ready(): Promise<void>;
  status(): VerifierStatus;
  close(): Promise<void>;
}

const DEFAULT_STALE_MS = 5000;
/** Results remembered by exact token text, like the service's verified-token cache. */
const RESULT_CACHE_SIZE = 10_000;
const PURGE_INTERVAL_MS = 60_000;

export function createVerifier(options: VerifierOptions): Verifier {
  const secrets = secretsOf(options.secret);
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const onError = options.onError ?? (() => {});
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const keys = new VerifierKeys();
  const clock = { now };
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const state = new RevocationState();
  let verifyToken: TokenVerifier | undefined;
  let settings: string | undefined;
  const results = new Map<string, VerifiedToken>();

  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const streamReady = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  streamReady.catch(() => {});

  // With HS256 the secret is the key set; otherwise the service's JWK Set is, until the stream
  // says more. A token naming a kid not held fetches it again (rate-limited): it may be newer
  // than what the stream has told this process so far.
  const jwks =
    secrets.length > 0
      ? undefined
      : new JwksClient({
          url: new URL('.well-known/jwks.json', base).toString(),
          fetch: fetchImpl,
          now,
          minIntervalMs: options.jwksMinIntervalMs ?? 1000,
          onKeys: (fetched) => {
            keys.applyJwks(fetched);
            keysLoaded = true;
            resolveKeys();
          },
          onError,
        });
  let keysLoaded = jwks === undefined;
  let resolveKeys!: () => void;
  const keysReady = new Promise<void>((resolve) => (resolveKeys = resolve));
  if (jwks === undefined) resolveKeys();
  else void fetchUntilLoaded(jwks, () => keysLoaded, options);
  const readyPromise = Promise.all([streamReady, keysReady]).then(() => {});
  readyPromise.catch(() => {});

  const client = new StreamClient({
    url: new URL('user/revocations', base).toString(),
    streamKey: options.streamKey,
    now,
    // Heartbeats come every second; a connection quiet for the whole bound is dead.
    silenceMs: staleMs,
    minBackoffMs: options.minBackoffMs ?? 100,
    maxBackoffMs: options.maxBackoffMs ?? 5000,
    fetch: fetchImpl,
    onHello(hello: HelloData) {
      keys.beginState(hello.full);
      const next = JSON.stringify([hello.issuer, hello.audience, hello.tokenTtlSeconds, hello.clockLeewaySeconds, hello.alg]);
      if (next === settings) return;
      settings = next;
      results.clear();
      verifyToken = createTokenVerifier({
        keys: { verification: secrets },
        issuer: hello.issuer,
        audience: hello.audience,
        ttlSeconds: hello.tokenTtlSeconds,
        leewaySeconds: hello.clockLeewaySeconds,
        clock,
        // Each key verifies with its own algorithm only; a kid outside the ring is refused.
        ring: keys.ring,
        // A service that does not say signs with HS256 (it predates the other algorithms).
        alg: hello.alg ?? 'HS256',
      });
    },
    // A whole state after a reconnect is applied over what is held: revocations are only ever
    // added (expired ones are purged), so the union refuses no less than the server. Keys are
    // the exception (key-set.ts): one held but no longer in force would accept more.
    onEvent: (event) => (event.kind === 'key' ? keys.applyEvent(event) : state.apply(event)),
    onReady: () => {
      keys.endState();
      resolveReady();
    },
    onError,
  });

  const isCurrent = () => keysLoaded && client.staleForMs() <= staleMs;
  const authenticate = createAuthenticate({
    verifyToken: (token) => {
      if (verifyToken === undefined || !keysLoaded) throw new FeedStale();
      return verifyToken(token);
    },
    state,
    feedIsCurrent: isCurrent,
  });

  const purge = setInterval(() => {
    state.purge(now());
    keys.purge(now());
  }, PURGE_INTERVAL_MS);
  purge.unref?.();
  client.start();

  return {
    verify(token) {
      try {
        authenticate(token);
      } catch (error) {
        if (jwks !== undefined && error instanceof TokenInvalid && error.reason === 'unknown kid') void jwks.refresh();
        throw error;
      }
      let result = results.get(token);
      if (result === undefined) {
        result = describe(token);
        if (results.size >= RESULT_CACHE_SIZE) results.delete(results.keys().next().value!);
        results.set(token, result);
      }
      return result;
    },
    ready: () => readyPromise,
    status: () => ({
      ready: client.staleForMs() !== Infinity,
      current: isCurrent(),
      connected: client.connected,
      staleForMs: client.staleForMs(),
      cursor: client.cursor,
      revokedTokens: state.revokedTokenCount,
      endedSessions: state.endedSessionCount,
      notBefores: state.notBeforeCount,
      keys: keys.ring.size,
    }),
    async close() {
      clearInterval(purge);
      rejectReady(new Error('the verifier was closed'));
      jwks?.close();
      await client.close();
    },
  };
}

/** The result for a token whose signature and claims have just been checked. */
function describe(token: string): VerifiedToken {
  const claims = Object.freeze(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>);
  return Object.freeze({
    sub: claims.sub as string,
    jti: typeof claims.jti === 'string' ? claims.jti : undefined,
    sid: typeof claims.sid === 'string' ? claims.sid : undefined,
    exp: claims.exp as number,
    claims,
  });
}

/** The HS256 keys; none without a secret (then only the service's public keys verify). */
function secretsOf(secret: VerifierOptions['secret']): SigningKey[] {
  if (secret === undefined) return [];
  let verification: SigningKey[];
  if (typeof secret === 'string') verification = [{ kid: undefined, secret: Buffer.from(secret, 'utf8') }];
  else if (secret instanceof Uint8Array) verification = [{ kid: undefined, secret: Buffer.from(secret) }];
  else verification = Object.entries(secret).map(([kid, value]) => ({ kid, secret: Buffer.from(value, 'utf8') }));
  if (verification.length === 0) throw new TypeError('createVerifier: `secret` names no key');
  return verification;
}

/** Asks for the first JWK Set with the stream's back-off until one arrives (or the verifier closes). */
async function fetchUntilLoaded(jwks: JwksClient, loaded: () => boolean, options: VerifierOptions): Promise<void> {
  const minMs = options.minBackoffMs ?? 100;
  const maxMs = options.maxBackoffMs ?? 5000;
  for (let failures = 0; !loaded() && !jwks.closed; failures++) {
    await jwks.refresh();
    if (loaded()) return;
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(failures, 16));
    await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + (Math.random() * ceiling) / 2).unref?.());
  }
}
