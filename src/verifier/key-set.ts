/**
 * The signing keys the verifier checks tokens with (SPEC §11), from two sources of the same
 * service: the JWK Set it fetches, and the `key` events of the revocation stream. A key event
 * carries the key's public half and state, in order with the revocations, so it is the word that
 * counts: a new key verifies, and a revoked one stops verifying, when its event arrives. The JWK
 * Set only adds keys the stream has not described yet, and never one the stream has removed (a
 * fetch answered just before a `keys revoke` must not bring the key back).
 */
import type { PublicKeyRecord } from '../store/ports.js';
import { KeyRing, type KeyEvent } from '../tokens/key-pairs/ring.js';
import { isUsableKey } from './jwks.js';

export class VerifierKeys {
  readonly ring = new KeyRing();
  /** kid → until when: keys the stream removed, kept out of later JWK Sets. */
  readonly #removed = new Map<string, number>();
  /** During a whole state from the stream: the kids it describes. */
  #inState: Set<string> | undefined;

  /** A stream connection (or a resent state) begins; `full`: its events up to ready are everything. */
  beginState(full: boolean): void {
    this.#inState = full ? new Set() : undefined;
  }

  /**
   * The stream is caught up. After a whole state, keys it did not describe are no longer in
   * force (their `removed` event may have been purged while this process was away): dropped.
   */
  endState(): void {
    const inState = this.#inState;
    this.#inState = undefined;
    if (inState === undefined) return;
    for (const key of this.ring.all()) {
      if (!inState.has(key.kid)) this.ring.apply({ seq: 0, kind: 'key', ...key, state: 'removed' });
    }
  }

  applyEvent(event: KeyEvent): void {
    this.#inState?.add(event.kid);
    if (event.state === 'removed') {
      this.#removed.set(event.kid, event.expiresAtMs);
      this.ring.apply(event);
      return;
    }
    this.#removed.delete(event.kid);
    // A key this process cannot use verifies nothing (its tokens are refused as an unknown kid).
    if (isUsableKey(event.alg, event.publicJwk)) this.ring.apply(event);
  }

  applyJwks(keys: readonly PublicKeyRecord[]): void {
    for (const key of keys) {
      if (this.ring.get(key.kid) !== undefined || this.#removed.has(key.kid)) continue;
      this.ring.apply({ seq: 0, kind: 'key', ...key });
    }
  }

  purge(nowMs: number): void {
    this.ring.purge(nowMs);
    for (const [kid, untilMs] of this.#removed) if (untilMs <= nowMs) this.#removed.delete(kid);
  }
}
