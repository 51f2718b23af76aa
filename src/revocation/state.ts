/**
 * The in-memory revocation state the verify hot path reads: revoked jtis, ended sessions and
 * per-user "not before" instants, in hashed tables of typed arrays (held.ts). It holds only revocations still in force; purge() drops the rest,
 * and a not-before drops the user's token and session revocations it covers (so the revoker can
 * bound what one user holds: revoker.ts).
 * Key events of the same feed update the signing key set (`keys`), so key changes reach every
 * process by the same path and within the same bounds as revocations.
 */
import type { ByteSource, KeyEvent, RevocationEvent, SnapshotSink } from '../store/index.js';
import { KeyRing } from '../tokens/key-pairs/ring.js';
import { allocateCheckpoint, openCheckpoint } from './checkpoint.js';
import { hashKey, HeldTable, NONE, UserTable, type HeldKind, type KeyHash } from './held.js';

export interface RevocationCheck {
  sub: string;
  /** The token's jti, or for a token without one its digest (tokens/verifier.ts digestId). */
  revocationId: string;
  /** The session the token belongs to (absent in tokens issued before sessions existed). */
  sid?: string | undefined;
  iatMs: number;
}

/**
 * Also the snapshot's sink: start-up loads each row straight into the tables, with no event
 * object in between (#15).
 */
export class RevocationState implements SnapshotSink {
  /** Users with a not-before (the latest, and when it stops mattering) or held revocations. */
  readonly #users = new UserTable();
  /** Revoked jtis (or digests of jti-less tokens), each on its user's list. */
  readonly #tokens = new HeldTable('tokens', this.#users);
  /** Ended session ids, each on its user's list. */
  readonly #sessions = new HeldTable('sessions', this.#users);
  /** Scratch for hashKey, so holding a revocation allocates nothing for its hashes. */
  readonly #key: KeyHash = { hi: 0, lo: 0 };
  readonly #user: KeyHash = { hi: 0, lo: 0 };
  /** The signing keys (§11) as the feed last described them. */
  readonly keys = new KeyRing();

  apply(event: RevocationEvent): void {
    switch (event.kind) {
      case 'key':
        return this.key(event);
      case 'user':
        return this.user(event.seq, event.user, event.notBeforeMs, event.expiresAtMs);
      case 'token':
        return this.token(event.seq, event.jti, event.user, event.expiresAtMs, event.latestIatMs);
      case 'session':
        return this.session(event.seq, event.sid, event.user, event.expiresAtMs, event.latestIatMs);
    }
  }

  key(event: KeyEvent): void {
    this.keys.apply(event);
  }

  user(_seq: number, user: string, notBeforeMs: number, expiresAtMs: number): void {
    const { hi, lo } = hashKey(user, this.#user);
    this.#notBefore(hi, lo, notBeforeMs, expiresAtMs);
  }

  token(_seq: number, jti: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    this.#hold('tokens', jti, user, expiresAtMs, latestIatMs);
  }

  session(_seq: number, sid: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    this.#hold('sessions', sid, user, expiresAtMs, latestIatMs);
  }

  #notBefore(hi: number, lo: number, notBeforeMs: number, expiresAtMs: number): void {
    const user = this.#users.slotFor(hi, lo);
    this.#users.raiseNotBefore(user, notBeforeMs, expiresAtMs);
    this.#dropCovered(user, this.#users.notBeforeMs[user]!);
  }

  /**
   * Holds a token or session revocation, unless the user's not-before already refuses every
   * token it refuses (it lives at least as long: see RevocationStore.revokeUser), so a user's
   * revocations folded into a not-before do not come back one by one from the feed.
   */
  #hold(kind: HeldKind, key: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    const { hi, lo } = hashKey(key, this.#key);
    const owner = hashKey(user, this.#user);
    this.#holdHashed(kind, hi, lo, owner.hi, owner.lo, expiresAtMs, latestIatMs);
  }

  #holdHashed(kind: HeldKind, hi: number, lo: number, userHi: number, userLo: number, expiresAtMs: number, latestIatMs: number | undefined): void {
    const known = this.#users.slotOf(userHi, userLo);
    // Covered: the user's not-before refuses every token it refuses (their iat are all at or before it).
    if (known !== NONE && latestIatMs !== undefined && latestIatMs <= this.#users.notBeforeMs[known]!) return;
    const table = this.#table(kind);
    const held = table.slotOf(hi, lo);
    if (held !== NONE) {
      // The same revocation again (a snapshot overlapping the feed): keep the later expiry.
      table.extend(held, expiresAtMs);
      return;
    }
    table.add(hi, lo, known !== NONE ? known : this.#users.slotFor(userHi, userLo), expiresAtMs, latestIatMs);
  }

  #table(kind: HeldKind): HeldTable {
    return kind === 'tokens' ? this.#tokens : this.#sessions;
  }

  /** Forgets the user's token and session revocations a not-before at notBeforeMs now covers. */
  #dropCovered(user: number, notBeforeMs: number): void {
    for (const table of [this.#tokens, this.#sessions]) {
      for (const slot of table.slotsOf(user)) {
        const latestIatMs = table.latestIatMs(slot);
        if (latestIatMs !== undefined && latestIatMs <= notBeforeMs) this.#forget(table, slot);
      }
    }
  }

  /** Removes one token or session revocation from its table and from its user's list. */
  #forget(table: HeldTable, slot: number): void {
    this.#users.releaseIfEmpty(table.remove(slot));
  }

  /** Takes over everything `other` holds, forgetting its own (a reloaded snapshot). */
  replaceWith(other: RevocationState): void {
    this.clear();
    const users = other.#users;
    for (const slot of users.slots()) {
      if (Number.isNaN(users.notBeforeMs[slot]!)) continue;
      const { hi, lo } = users.hashOf(slot);
      this.#notBefore(hi, lo, users.notBeforeMs[slot]!, users.notBeforeExpiresAtMs[slot]!);
    }
    for (const from of [other.#tokens, other.#sessions]) {
      for (const slot of from.slots()) {
        const { hi, lo } = from.hashOf(slot);
        const user = users.hashOf(from.userOf(slot));
        this.#holdHashed(from.kind, hi, lo, user.hi, user.lo, from.expiresAtMs(slot), from.latestIatMs(slot));
      }
    }
    for (const key of other.keys.all()) this.keys.apply({ seq: 0, kind: 'key', ...key });
  }

  /**
   * Everything held but the keys, as checkpoint bytes (checkpoint.ts). Taken in one go between two
   * events, so it is the state as of the feed's cursor (plus any later revocation this process
   * applied itself, which the log after the cursor holds as well: loading it again is harmless).
   */
  checkpoint(): Uint8Array {
    const { bytes, columns } = allocateCheckpoint({ users: this.#users.size, tokens: this.#tokens.size, sessions: this.#sessions.size });
    const numbers = this.#users.copyTo(columns.users);
    this.#tokens.copyTo(columns.tokens, numbers);
    this.#sessions.copyTo(columns.sessions, numbers);
    return bytes;
  }

  /**
   * Loads a checkpoint into this state (emptied first), leaving out what expired by nowMs. Throws
   * on a checkpoint of another format or a damaged one; the caller then clears the state.
   */
  restore(stored: ByteSource, nowMs: number): void {
    this.clear();
    const { users, tokens, sessions } = openCheckpoint(stored);
    this.#users.load(users, nowMs);
    this.#tokens.load(tokens, nowMs);
    this.#sessions.load(sessions, nowMs);
    for (let slot = 0; slot < users.hi.length; slot++) this.#users.releaseIfEmpty(slot);
  }

  /** Forgets everything, before loading a snapshot of the store. */
  clear(): void {
    this.#tokens.clear();
    this.#sessions.clear();
    this.#users.clear();
    this.keys.clear();
  }

  isRevoked(token: RevocationCheck): boolean {
    if (this.#tokens.slotOfKey(token.revocationId) !== NONE) return true;
    if (token.sid !== undefined && this.#sessions.slotOfKey(token.sid) !== NONE) return true;
    const user = this.#users.slotOfKey(token.sub);
    // iat has whole-second precision: a token of the same second as a logout_all counts as
    // issued before it. Login waits for the next second in that case (see notBeforeMs).
    // No not-before is NaN, and no comparison with NaN holds.
    return user !== NONE && token.iatMs <= this.#users.notBeforeMs[user]!;
  }

  /** Whether the session has been ended. */
  isSessionEnded(sid: string): boolean {
    return this.#sessions.has(sid);
  }

  /** The user's latest not-before instant, if any. */
  notBeforeMs(user: string): number | undefined {
    const slot = this.#users.slotOfKey(user);
    const notBeforeMs = slot === NONE ? NaN : this.#users.notBeforeMs[slot]!;
    return Number.isNaN(notBeforeMs) ? undefined : notBeforeMs;
  }

  /** Token and session revocations held for the user: what the revoker bounds (O(1)). */
  heldCount(user: string): number {
    const slot = this.#users.slotOfKey(user);
    return slot === NONE ? 0 : this.#users.count[slot]!;
  }

  /** The latest iat covered by the user's held token and session revocations (those that record it). */
  latestHeldIatMs(user: string): number | undefined {
    const owner = this.#users.slotOfKey(user);
    let latest: number | undefined;
    for (const table of [this.#tokens, this.#sessions]) {
      for (const slot of table.slotsOf(owner)) {
        const latestIatMs = table.latestIatMs(slot);
        if (latestIatMs !== undefined && (latest === undefined || latestIatMs > latest)) latest = latestIatMs;
      }
    }
    return latest;
  }

  purge(nowMs: number): number {
    let removed = this.keys.purge(nowMs);
    for (const table of [this.#tokens, this.#sessions]) {
      for (const slot of table.slots()) {
        if (table.expiresAtMs(slot) <= nowMs) {
          this.#forget(table, slot);
          removed++;
        }
      }
    }
    const users = this.#users;
    for (const slot of users.slots()) {
      if (users.notBeforeExpiresAtMs[slot]! <= nowMs) {
        users.dropNotBefore(slot);
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
    return this.#users.notBeforeCount;
  }
}
