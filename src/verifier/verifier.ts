/**
 * createVerifier (SPEC §14): verifies ats-auth tokens in this process with the rules of
 * /user/verify — the same token checks (src/tokens/verifier.ts), the same revocation state
 * (src/revocation/state.ts) fed by the revocation stream instead of the store, and the same
 * errors — and fails closed (FeedStale) once the stream has been silent past `staleMs`.
 */
import { createAuthenticate } from '../auth/authenticate.js';
import { FeedStale } from '../errors.js';
import { RevocationState } from '../revocation/state.js';
import type { HelloData } from '../stream/protocol.js';
import type { KeySet, SigningKey } from '../tokens/keys.js';
import { createTokenVerifier, type TokenVerifier } from '../tokens/verifier.js';
import { StreamClient } from './stream-client.js';

export interface VerifierOptions {
  /** The ats-auth service, e.g. http://auth.internal:8081 (the stream is <url>/user/revocations). */
  url: string;
  /** A key of the service's ATS_AUTH_STREAM_KEYS; not needed from a trusted peer. */
  streamKey?: string;
  /** The HS256 secret (ATS_AUTH_JWT_SECRET), or {kid: secret} as in ATS_AUTH_JWT_KEYS. */
  secret?: string | Uint8Array | Readonly<Record<string, string>>;
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
  /** The first state has arrived. */
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
}

export interface Verifier {
  /** The token's identity, or throws TokenInvalid (err.reason says why) or FeedStale. */
  verify(token: string): VerifiedToken;
  /** Resolves once the state has arrived; rejects if the verifier is closed first. */
  ready(): Promise<void>;
  status(): VerifierStatus;
  close(): Promise<void>;
}

const DEFAULT_STALE_MS = 5000;
/** Results remembered by exact token text, like the service's verified-token cache. */
const RESULT_CACHE_SIZE = 10_000;
const PURGE_INTERVAL_MS = 60_000;

export function createVerifier(options: VerifierOptions): Verifier {
  const keys = keySetOf(options.secret);
  const now = options.now ?? Date.now;
  const clock = { now };
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const state = new RevocationState();
  let verifyToken: TokenVerifier | undefined;
  let settings: string | undefined;
  const results = new Map<string, VerifiedToken>();

  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const readyPromise = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  readyPromise.catch(() => {});

  const client = new StreamClient({
    url: new URL('user/revocations', options.url.endsWith('/') ? options.url : `${options.url}/`).toString(),
    streamKey: options.streamKey,
    now,
    // Heartbeats come every second; a connection quiet for the whole bound is dead.
    silenceMs: staleMs,
    minBackoffMs: options.minBackoffMs ?? 100,
    maxBackoffMs: options.maxBackoffMs ?? 5000,
    fetch: options.fetch ?? fetch,
    onHello(hello: HelloData) {
      const next = JSON.stringify([hello.issuer, hello.audience, hello.tokenTtlSeconds, hello.clockLeewaySeconds]);
      if (next === settings) return;
      settings = next;
      results.clear();
      verifyToken = createTokenVerifier({
        keys,
        issuer: hello.issuer,
        audience: hello.audience,
        ttlSeconds: hello.tokenTtlSeconds,
        leewaySeconds: hello.clockLeewaySeconds,
        clock,
      });
    },
    // A whole state after a reconnect is applied over what is held: revocations are only ever
    // added (expired ones are purged), so the union refuses no less than the server.
    onEvent: (event) => state.apply(event),
    onReady: () => resolveReady(),
    onError: options.onError ?? (() => {}),
  });

  const isCurrent = () => client.staleForMs() <= staleMs;
  const authenticate = createAuthenticate({
    verifyToken: (token) => {
      if (verifyToken === undefined) throw new FeedStale();
      return verifyToken(token);
    },
    state,
    feedIsCurrent: isCurrent,
  });

  const purge = setInterval(() => state.purge(now()), PURGE_INTERVAL_MS);
  purge.unref?.();
  client.start();

  return {
    verify(token) {
      authenticate(token);
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
    }),
    async close() {
      clearInterval(purge);
      rejectReady(new Error('the verifier was closed'));
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

function keySetOf(secret: VerifierOptions['secret']): KeySet {
  if (secret === undefined) {
    throw new TypeError('createVerifier: `secret` is required (the service signs with HS256; verifying with the service\'s published key pairs (JWKS) is not supported yet)');
  }
  let verification: SigningKey[];
  if (typeof secret === 'string') verification = [{ kid: undefined, secret: Buffer.from(secret, 'utf8') }];
  else if (secret instanceof Uint8Array) verification = [{ kid: undefined, secret: Buffer.from(secret) }];
  else verification = Object.entries(secret).map(([kid, value]) => ({ kid, secret: Buffer.from(value, 'utf8') }));
  if (verification.length === 0) throw new TypeError('createVerifier: `secret` names no key');
  return { signing: verification[0]!, verification };
}
