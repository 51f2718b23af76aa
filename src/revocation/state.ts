/**
 * The in-memory revocation state the verify hot path reads: revoked jtis, ended sessions and
 * per-user "not before" instants. It holds only revocations still in force; purge() drops the rest,
 * and a not-before drops the user's token and session revocations it covers (so the revoker can
 * bound what one user holds: revoker.ts).
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

/** A token or session revocation as held: whose, until when, and what it covers. */
interface Held {
  user: string;
  /** When it stops mattering (its last token's expiry). */
  expiresAtMs: number;
  /** The latest iat of any token it refuses; undefined for rows written before it was recorded. */
  latestIatMs: number | undefined;
}

export class RevocationState {
  /** jti (or digest of a jti-less token) → the revocation. */
  readonly #tokens = new Map<string, Held>();
  /** user → the latest not-before instant and when it stops mattering. */
  readonly #users = new Map<string, { notBeforeMs: number; expiresAtMs: number }>();
  /** Ended session id → the revocation. */
  readonly #sessions = new Map<string, Held>();
  /**
   * user → the keys of #tokens and #sessions held for them, kept in step with both: the per-user
   * count the revoker bounds is O(1) to read, and a not-before visits only its user's entries.
   */
  readonly #byUser = new Map<string, { tokens: Set<string>; sessions: Set<string> }>();
  /** The signing keys (§11) as the feed last described them. */
  readonly keys = new KeyRing();

  apply(event: RevocationEvent): void {
    if (event.kind === 'key') {
      this.keys.apply(event);
      return;
    }
    if (event.kind === 'user') {
      const known = this.#users.get(event.user);
      const notBeforeMs = Math.max(known?.notBeforeMs ?? -Infinity, event.notBeforeMs);
      this.#users.set(event.user, { notBeforeMs, expiresAtMs: Math.max(known?.expiresAtMs ?? -Infinity, event.expiresAtMs) });
      this.#dropCovered(event.user, notBeforeMs);
      return;
    }
    const held = { user: event.user, expiresAtMs: event.expiresAtMs, latestIatMs: event.latestIatMs };
    if (event.kind === 'token') this.#hold('tokens', event.jti, held);
    else this.#hold('sessions', event.sid, held);
  }

  /**
   * Holds a token or session revocation, unless the user's not-before already refuses every
   * token it refuses (it lives at least as long: see RevocationStore.revokeUser), so a user's
   * revocations folded into a not-before do not come back one by one from the feed.
   */
  #hold(kind: 'tokens' | 'sessions', key: string, held: Held): void {
    if (this.#covers(held)) return;
    const map = kind === 'tokens' ? this.#tokens : this.#sessions;
    const known = map.get(key);
    if (known !== undefined) {
      // The same revocation again (a snapshot overlapping the feed): keep the later expiry.
      if (known.expiresAtMs < held.expiresAtMs) known.expiresAtMs = held.expiresAtMs;
      return;
    }
    map.set(key, { ...held });
    let keys = this.#byUser.get(held.user);
    if (keys === undefined) this.#byUser.set(held.user, (keys = { tokens: new Set(), sessions: new Set() }));
    keys[kind].add(key);
  }

  /** Whether the user's not-before refuses every token the revocation refuses (its tokens' iat are all at or before it). */
  #covers(held: Held): boolean {
    const notBeforeMs = this.#users.get(held.user)?.notBeforeMs;
    return notBeforeMs !== undefined && held.latestIatMs !== undefined && held.latestIatMs <= notBeforeMs;
  }

  /** Forgets the user's token and session revocations a not-before at notBeforeMs now covers. */
  #dropCovered(user: string, notBeforeMs: number): void {
    const keys = this.#byUser.get(user);
    if (keys === undefined) return;
    for (const kind of ['tokens', 'sessions'] as const) {
      const map = kind === 'tokens' ? this.#tokens : this.#sessions;
      for (const key of keys[kind]) {
        const latestIatMs = map.get(key)!.latestIatMs;
        if (latestIatMs !== undefined && latestIatMs <= notBeforeMs) this.#forget(kind, key);
      }
    }
  }

  /** Removes one token or session revocation from its map and from its user's keys. */
  #forget(kind: 'tokens' | 'sessions', key: string): void {
    const map = kind === 'tokens' ? this.#tokens : this.#sessions;
    const held = map.get(key);
    if (held === undefined) return;
    map.delete(key);
    const keys = this.#byUser.get(held.user)!;
    keys[kind].delete(key);
    if (keys.tokens.size === 0 && keys.sessions.size === 0) this.#byUser.delete(held.user);
  }

  /** Takes over everything `other` holds, forgetting its own (a reloaded snapshot). */
  replaceWith(other: RevocationState): void {
    this.clear();
    for (const [user, entry] of other.#users) this.#users.set(user, entry);
    for (const [jti, held] of other.#tokens) this.#hold('tokens', jti, held);
    for (const [sid, held] of other.#sessions) this.#hold('sessions', sid, held);
    for (const key of other.keys.all()) this.keys.apply({ seq: 0, kind: 'key', ...key });
  }

  /** Forgets everything, before loading a snapshot of the store. */
  clear(): void {
    this.#tokens.clear();
    this.#users.clear();
    this.#sessions.clear();
    this.#byUser.clear();
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

  /** Token and session revocations held for the user: what the revoker bounds (O(1)). */
  heldCount(user: string): number {
    const keys = this.#byUser.get(user);
    return keys === undefined ? 0 : keys.tokens.size + keys.sessions.size;
  }

  /** The latest iat covered by the user's held token and session revocations (those that record it). */
  latestHeldIatMs(user: string): number | undefined {
    const keys = this.#byUser.get(user);
    let latest: number | undefined;
    for (const kind of ['tokens', 'sessions'] as const) {
      const map = kind === 'tokens' ? this.#tokens : this.#sessions;
      for (const key of keys?.[kind] ?? []) {
        const latestIatMs = map.get(key)!.latestIatMs;
        if (latestIatMs !== undefined && (latest === undefined || latestIatMs > latest)) latest = latestIatMs;
      }
    }
    return latest;
  }

  purge(nowMs: number): number {
    let removed = this.keys.purge(nowMs);
    for (const kind of ['tokens', 'sessions'] as const) {
      for (const [key, held] of kind === 'tokens' ? this.#tokens : this.#sessions) {
        if (held.expiresAtMs <= nowMs) {
          this.#forget(kind, key);
          removed++;
        }
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
