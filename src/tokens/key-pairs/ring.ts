/**
 * The key set as this process knows it: the public half and state of every signing key that
 * still matters, kept current by 'key' events of the change feed (applied by RevocationState,
 * the same machinery as revocations). Verification, the JWKS document and the signer read it.
 * Removed keys leave at once; retired ones when their last token has expired (purge).
 */
import type { PublicKeyRecord, RevocationEvent } from '../../store/index.js';

export type KeyEvent = Extract<RevocationEvent, { kind: 'key' }>;

/** One entry of a JWK Set (RFC 7517): the public key, its kid, its algorithm, use sig. */
export type PublishedJwk = Readonly<Record<string, string>>;

export class KeyRing {
  readonly #keys = new Map<string, PublicKeyRecord>();
  readonly #listeners = new Set<() => void>();
  #version = 0;

  apply(event: KeyEvent): void {
    const { seq: _, kind: __, ...key } = event;
    if (key.state === 'removed') this.#keys.delete(key.kid);
    else this.#keys.set(key.kid, Object.freeze(key));
    this.#changed();
  }

  clear(): void {
    if (this.#keys.size === 0) return;
    this.#keys.clear();
    this.#changed();
  }

  /** Drops keys whose last token has expired; returns how many. */
  purge(nowMs: number): number {
    let removed = 0;
    for (const [kid, key] of this.#keys) {
      if (key.expiresAtMs <= nowMs) {
        this.#keys.delete(kid);
        removed++;
      }
    }
    if (removed > 0) this.#changed();
    return removed;
  }

  /** The key a token's kid names, if it is in the set (next, active or retired). */
  get(kid: string): PublicKeyRecord | undefined {
    return this.#keys.get(kid);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Changes with every applied event: a cheap cache key for the JWKS document. */
  get version(): number {
    return this.#version;
  }

  /** The signing key: the active one activated last (two actives only briefly, mid-rotation). */
  active(): PublicKeyRecord | undefined {
    let best: PublicKeyRecord | undefined;
    for (const key of this.#keys.values()) {
      if (key.state === 'active' && (best === undefined || (key.activatedAtMs ?? 0) > (best.activatedAtMs ?? 0))) best = key;
    }
    return best;
  }

  /** Every key in the set, oldest first. */
  all(): PublicKeyRecord[] {
    return [...this.#keys.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /** When the earliest key still in the set began signing (the end of HS256 issuing after a switch). */
  firstActivatedMs(): number | undefined {
    let first: number | undefined;
    for (const key of this.#keys.values()) {
      if (key.activatedAtMs !== null && (first === undefined || key.activatedAtMs < first)) first = key.activatedAtMs;
    }
    return first;
  }

  /** The JWK Set's entries at nowMs: next, active and retired keys that still verify. */
  jwks(nowMs: number): PublishedJwk[] {
    return this.all()
      .filter((key) => key.expiresAtMs > nowMs)
      .map((key) => Object.freeze({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' }));
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#listeners) listener();
  }
}
