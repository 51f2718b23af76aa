/**
 * The service's JWK Set (<url>/.well-known/jwks.json, SPEC §11) as the verifier reads it: only
 * that URL (redirects refused), only keys of the service's own algorithms whose key type matches
 * their `alg`, only the public members. An entry that does not fit is skipped, so a token of it
 * is refused as an unknown kid rather than checked with a key the service never meant.
 *
 * Fetches are rate-limited: at most one in flight and one start per `minIntervalMs`; asking
 * sooner schedules one more fetch at the end of the interval, so a burst of tokens naming
 * unknown kids costs the service one request per interval whatever they name.
 */
import { createPublicKey } from 'node:crypto';
import type { KeyAlgorithm, PublicKeyRecord } from '../store/ports.js';

/** What a JWKS entry must be, per algorithm: the key type and curve. */
const KEY_TYPES: Readonly<Record<KeyAlgorithm, { kty: string; crv?: string }>> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
  RS256: { kty: 'RSA' },
};
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const;
/** A JWK Set is a few keys; anything this large is not one. */
const MAX_JWKS_CHARS = 256 * 1024;
const FETCH_TIMEOUT_MS = 5000;

export class JwksError extends Error {}

/** Whether `publicJwk` is a public key of `alg`'s type that node:crypto can use. */
export function isUsableKey(alg: KeyAlgorithm, publicJwk: Readonly<Record<string, string>>): boolean {
  const type = KEY_TYPES[alg];
  if (type === undefined || publicJwk.kty !== type.kty || publicJwk.crv !== type.crv) return false;
  try {
    return createPublicKey({ key: { ...publicJwk }, format: 'jwk' }).type === 'public';
  } catch {
    return false;
  }
}

/**
 * The usable keys of a JWK Set document. The set does not say a key's state or lifetime: they
 * count as published (`next`) until the stream says more, and never expire by themselves.
 */
export function parseJwks(document: unknown, nowMs: number): PublicKeyRecord[] {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksError('the JWK Set has no keys array');
  const records: PublicKeyRecord[] = [];
  for (const entry of keys as unknown[]) {
    if (entry === null || typeof entry !== 'object') continue;
    const jwk = entry as Record<string, unknown>;
    const alg = jwk.alg as KeyAlgorithm;
    if (typeof jwk.kid !== 'string' || jwk.kid === '' || !Object.hasOwn(KEY_TYPES, alg)) continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    const publicJwk: Record<string, string> = {};
    for (const name of PUBLIC_MEMBERS) if (typeof jwk[name] === 'string') publicJwk[name] = jwk[name];
    if (!isUsableKey(alg, publicJwk)) continue;
    records.push({
      kid: jwk.kid,
      alg,
      state: 'next',
      publicJwk: Object.freeze(publicJwk),
      createdAtMs: nowMs,
      activatedAtMs: null,
      expiresAtMs: Infinity,
    });
  }
  return records;
}

export interface JwksClientOptions {
  /** <service>/.well-known/jwks.json */
  url: string;
  fetch: typeof fetch;
  now: () => number;
  minIntervalMs: number;
  onKeys(keys: PublicKeyRecord[]): void;
  onError(error: Error): void;
}

export class JwksClient {
  readonly #options: JwksClientOptions;
  #inFlight: Promise<boolean> | undefined;
  #lastStartMs = -Infinity;
  #scheduled: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: JwksClientOptions) {
    this.#options = options;
  }

  /** Fetches now, or once the interval allows; resolves whether that fetch succeeded. */
  refresh(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#inFlight) return this.#inFlight;
    const waitMs = this.#lastStartMs + this.#options.minIntervalMs - this.#options.now();
    if (waitMs > 0) {
      this.#scheduled ??= setTimeout(() => {
        this.#scheduled = undefined;
        void this.refresh();
      }, waitMs).unref();
      return Promise.resolve(false);
    }
    this.#lastStartMs = this.#options.now();
    this.#inFlight = this.#fetchOnce().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#scheduled);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #fetchOnce(): Promise<boolean> {
    try {
      const res = await this.#options.fetch(this.#options.url, {
        headers: { accept: 'application/json', 'cache-control': 'no-cache' },
        // The keys come from the service's own URL, never from wherever it might point.
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw new JwksError(`the JWK Set answered ${res.status}`);
      }
      const text = await res.text();
      if (text.length > MAX_JWKS_CHARS) throw new JwksError('the JWK Set is too large');
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        throw new JwksError('the JWK Set is not JSON');
      }
      const keys = parseJwks(document, this.#options.now());
      if (!this.#closed) this.#options.onKeys(keys);
      return true;
    } catch (error) {
      if (!this.#closed) this.#options.onError(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }
}
