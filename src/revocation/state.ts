/**
 * The in-memory revocation state the verify hot path reads: revoked jtis, ended sessions and
 * per-user "not before" instants. It holds only revocations still in force; purge() drops the rest.
 * Key events of the same feed update the signing key set (`keys`), so key changes reach every
 * process by the same path and within the same bounds as revocations.
 */
import type { RevocationEvent } from '../store/index.js';
import { KeyRing } from '../tokens/key-pairs/ring.js';

export interface RevocationCheck {
  sub: string;
  /** The token's jti, or for a token without one its digest (tokens/verifier.ts digestId). */
  revocationId: string;
  /** The session the token belongs to (absent in tokens issued before sessions existed). */
  sid?: string | undefined;
  iatMs: number;
}

export class RevocationState {
  /** jti (or digest of a jti-less token) → when the revocation stops mattering (the token's expiry). */
  readonly #tokens = new Map<string, number>();
  /** user → the latest not-before instant and when it stops mattering. */
  readonly #users = new Map<string, { notBeforeMs: number; expiresAtMs: number }>();
  /** Ended session id → when its last token expires. */
  readonly #sessions = new Map<string, number>();
  /** The signing keys (§11) as the feed last described them. */
  readonly keys = new KeyRing();

  apply(event: RevocationEvent): void {
    if (event.kind === 'key') {
      this.keys.apply(event);
      return;
    }
    if (event.kind === 'token') {
      const known = this.#tokens.get(event.jti);
      if (known === undefined || known < event.expiresAtMs) this.#tokens.set(event.jti, event.expiresAtMs);
      return;
    }
    if (event.kind === 'session') {
      const known = this.#sessions.get(event.sid);
      if (known === undefined || known < event.expiresAtMs) this.#sessions.set(event.sid, event.expiresAtMs);
      return;
    }
    const known = this.#users.get(event.user);
    this.#users.set(event.user, {
      notBeforeMs: Math.max(known?.notBeforeMs ?? -Infinity, event.notBeforeMs),
      expiresAtMs: Math.max(known?.expiresAtMs ?? -Infinity, event.expiresAtMs),
    });
  }

  /** Takes over everything `other` holds, forgetting its own (a reloaded snapshot). */
  replaceWith(other: RevocationState): void {
    this.clear();
    for (const [jti, expiresAtMs] of other.#tokens) this.#tokens.set(jti, expiresAtMs);
    for (const [user, entry] of other.#users) this.#users.set(user, entry);
    for (const [sid, expiresAtMs] of other.#sessions) this.#sessions.set(sid, expiresAtMs);
    for (const key of other.keys.all()) this.keys.apply({ seq: 0, kind: 'key', ...key });
  }

  /** Forgets everything, before loading a snapshot of the store. */
  clear(): void {
    this.#tokens.clear();
    this.#users.clear();
    this.#sessions.clear();
    this.keys.clear();
  }

  isRevoked(token: RevocationCheck): boolean {
    if (this.#tokens.has(token.revocationId)) return true;
    if (token.sid !== undefined && this.#sessions.has(token.sid)) return true;
    const user = this.#users.get(token.sub);
    // iat has whole-second precision: a token of the same second as a logout_all counts as
    // issued before it. Login waits for the next second in that case (see notBeforeMs).
    return user !== undefined && token.iatMs <= user.notBeforeMs;
  }

  /** Whether the session has been ended. */
  isSessionEnded(sid: string): boolean {
    return this.#sessions.has(sid);
  }

  /** The user's latest not-before instant, if any. */
  notBeforeMs(user: string): number | undefined {
    return this.#users.get(user)?.notBeforeMs;
  }

  purge(nowMs: number): number {
    let removed = this.keys.purge(nowMs);
    for (const [jti, expiresAtMs] of this.#tokens) {
      if (expiresAtMs <= nowMs) {
        this.#tokens.delete(jti);
        removed++;
      }
    }
    for (const [sid, expiresAtMs] of this.#sessions) {
      if (expiresAtMs <= nowMs) {
        this.#sessions.delete(sid);
        removed++;
      }
    }
    for (const [user, entry] of this.#users) {
      if (entry.expiresAtMs <= nowMs) {
        this.#users.delete(user);
        removed++;
      }
    }
    return removed;
  }

  get revokedTokenCount(): number {
    return this.#tokens.size;
  }

  get endedSessionCount(): number {
    return this.#sessions.size;
  }

  get notBeforeCount(): number {
    return this.#users.size;
  }
}
