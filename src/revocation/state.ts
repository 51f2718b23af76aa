/**
 * The in-memory revocation state the verify hot path reads: revoked jtis, ended sessions and
 * per-user "not before" instants. It holds only revocations still in force; purge() drops the rest,
 * and a not-before drops the user's token and session revocations it covers (so the revoker can
 * bound what one user holds: revoker.ts).
 * Key events of the same feed update the signing key set (`keys`), so key changes reach every
 * process by the same path and within the same bounds as revocations.
 */
import type { KeyEvent, RevocationEvent, SnapshotSink } from '../store/index.js';
import { KeyRing } from '../tokens/key-pairs/ring.js';
import { allocateCheckpoint, readCheckpoint } from './checkpoint.js';
import { hashKey, HeldTable, NONE, type HeldKind, type KeyHash, type UserHeld } from './held.js';

export interface RevocationCheck {
  sub: string;
  /** The token's jti, or for a token without one its digest (tokens/verifier.ts digestId). */
  revocationId: string;
  /** The session the token belongs to (absent in tokens issued before sessions existed). */
  sid?: string | undefined;
  iatMs: number;
}

/**
 * Also the snapshot's sink: start-up loads each row straight into the maps, with no event object
 * in between (#15).
 */
export class RevocationState implements SnapshotSink {
  /** Revoked jtis (or digests of jti-less tokens). */
  readonly #tokens = new HeldTable('tokens');
  /** user → the latest not-before instant and when it stops mattering. */
  readonly #users = new Map<string, { notBeforeMs: number; expiresAtMs: number }>();
  /** Ended session ids. */
  readonly #sessions = new HeldTable('sessions');
  /**
   * user → their entries of #tokens and #sessions, kept in step with both: the per-user count the
   * revoker bounds is O(1) to read, and a not-before visits only its user's entries.
   */
  readonly #byUser = new Map<string, UserHeld>();
  /** Scratch for hashKey, so holding a revocation allocates nothing for its hash. */
  readonly #scratch: KeyHash = { hi: 0, lo: 0 };
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
    const known = this.#users.get(user);
    const latest = Math.max(known?.notBeforeMs ?? -Infinity, notBeforeMs);
    this.#users.set(user, { notBeforeMs: latest, expiresAtMs: Math.max(known?.expiresAtMs ?? -Infinity, expiresAtMs) });
    this.#dropCovered(user, latest);
  }

  token(_seq: number, jti: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    this.#hold('tokens', jti, user, expiresAtMs, latestIatMs);
  }

  session(_seq: number, sid: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    this.#hold('sessions', sid, user, expiresAtMs, latestIatMs);
  }

  /**
   * Holds a token or session revocation, unless the user's not-before already refuses every
   * token it refuses (it lives at least as long: see RevocationStore.revokeUser), so a user's
   * revocations folded into a not-before do not come back one by one from the feed.
   */
  #hold(kind: HeldKind, key: string, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    const { hi, lo } = hashKey(key, this.#scratch);
    this.#holdHashed(kind, hi, lo, user, expiresAtMs, latestIatMs);
  }

  #holdHashed(kind: HeldKind, hi: number, lo: number, user: string, expiresAtMs: number, latestIatMs: number | undefined): void {
    if (this.#covers(user, latestIatMs)) return;
    const table = this.#table(kind);
    const known = table.slotOfHash(hi, lo);
    if (known !== undefined) {
      // The same revocation again (a snapshot overlapping the feed): keep the later expiry.
      table.extend(known, expiresAtMs);
      return;
    }
    let owner = this.#byUser.get(user);
    if (owner === undefined) this.#byUser.set(user, (owner = { user, index: 0, count: 0, tokens: NONE, sessions: NONE }));
    table.add(hi, lo, owner, expiresAtMs, latestIatMs);
  }

  #table(kind: HeldKind): HeldTable {
    return kind === 'tokens' ? this.#tokens : this.#sessions;
  }

  /** Whether the user's not-before refuses every token the revocation refuses (its tokens' iat are all at or before it). */
  #covers(user: string, latestIatMs: number | undefined): boolean {
    if (latestIatMs === undefined) return false;
    const notBeforeMs = this.#users.get(user)?.notBeforeMs;
    return notBeforeMs !== undefined && latestIatMs <= notBeforeMs;
  }

  /** Forgets the user's token and session revocations a not-before at notBeforeMs now covers. */
  #dropCovered(user: string, notBeforeMs: number): void {
    const owner = this.#byUser.get(user);
    for (const table of [this.#tokens, this.#sessions]) {
      for (const slot of table.slotsOf(owner)) {
        const latestIatMs = table.latestIatMs(slot);
        if (latestIatMs !== undefined && latestIatMs <= notBeforeMs) this.#forget(table, slot);
      }
    }
  }

  /** Removes one token or session revocation from its table and from its user's list. */
  #forget(table: HeldTable, slot: number): void {
    const owner = table.remove(slot);
    if (owner.count === 0) this.#byUser.delete(owner.user);
  }

  /** Takes over everything `other` holds, forgetting its own (a reloaded snapshot). */
  replaceWith(other: RevocationState): void {
    this.clear();
    for (const [user, entry] of other.#users) this.#users.set(user, entry);
    for (const from of [other.#tokens, other.#sessions]) {
      for (const slot of from.slots()) {
        const { hi, lo } = from.hashOf(slot);
        this.#holdHashed(from.kind, hi, lo, from.ownerOf(slot).user, from.expiresAtMs(slot), from.latestIatMs(slot));
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
    const names: string[] = [];
    for (const owner of this.#byUser.values()) owner.index = names.push(owner.user) - 1;
    const notBeforeUser = new Uint32Array(this.#users.size);
    let at = 0;
    for (const user of this.#users.keys()) notBeforeUser[at++] = this.#byUser.get(user)?.index ?? names.push(user) - 1;
    const { bytes, columns } = allocateCheckpoint(names, {
      notBefores: this.#users.size,
      tokens: this.#tokens.size,
      sessions: this.#sessions.size,
    });
    columns.notBefores.user.set(notBeforeUser);
    at = 0;
    for (const entry of this.#users.values()) {
      columns.notBefores.notBeforeMs[at] = entry.notBeforeMs;
      columns.notBefores.expiresAtMs[at++] = entry.expiresAtMs;
    }
    const indexOf = (owner: UserHeld) => owner.index;
    this.#tokens.copyTo(columns.tokens, 0, indexOf);
    this.#sessions.copyTo(columns.sessions, 0, indexOf);
    return bytes;
  }

  /**
   * Loads a checkpoint into this empty state, leaving out what expired by nowMs. Throws (holding
   * nothing) on a checkpoint of another format or a damaged one.
   */
  restore(stored: Uint8Array, nowMs: number): void {
    const { names, notBefores, tokens, sessions } = readCheckpoint(stored);
    for (let i = 0; i < notBefores.user.length; i++) {
      const expiresAtMs = notBefores.expiresAtMs[i]!;
      if (expiresAtMs > nowMs) this.#users.set(names[notBefores.user[i]!]!, { notBeforeMs: notBefores.notBeforeMs[i]!, expiresAtMs });
    }
    const owners = new Array<UserHeld | undefined>(names.length).fill(undefined);
    const ownerOf = (user: number): UserHeld => {
      let owner = owners[user];
      if (owner === undefined) {
        owner = owners[user] = { user: names[user]!, index: 0, count: 0, tokens: NONE, sessions: NONE };
        this.#byUser.set(owner.user, owner);
      }
      return owner;
    };
    this.#tokens.load(tokens, ownerOf, nowMs);
    this.#sessions.load(sessions, ownerOf, nowMs);
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
    return this.#byUser.get(user)?.count ?? 0;
  }

  /** The latest iat covered by the user's held token and session revocations (those that record it). */
  latestHeldIatMs(user: string): number | undefined {
    const owner = this.#byUser.get(user);
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
