/**
 * Token or session revocations as the state holds them: one table per kind, a slot per
 * revocation, its fields in parallel typed arrays, each slot threaded on a list of its user's
 * slots, and an open-addressing index from a 64-bit hash of the key (jti, digest or session id)
 * to the slot. No object, string or Map entry per revocation: at 10^6 revocations those were
 * ~100 MiB and most of the start-up load in allocation, hashing into a Map and GC (#15).
 *
 * Keys are known by their hash only. Two keys with the same 64-bit hash would be one revocation:
 * a token whose jti collides with a revoked one is refused (never the other way round). jtis and
 * session ids are random and chosen by the service, digests are SHA-256; with 10^6 revocations
 * the chance that a given token collides is about 10^6 / 2^64 ≈ 5·10^-14.
 */

import type { HeldColumns } from './checkpoint.js';

/** One user's held revocations: the head slot of their list in each table, and how many in all. */
export interface UserHeld {
  /** The one copy of the name every slot of the user shares (rather than a string per row). */
  readonly user: string;
  /** The user's number in the checkpoint being written (state.ts checkpoint()); scratch. */
  index: number;
  count: number;
  tokens: number;
  sessions: number;
}

/** No slot: the end of a list, or an empty one. */
export const NONE = -1;

export type HeldKind = 'tokens' | 'sessions';

/** A key's 64-bit hash as two unsigned 32-bit halves. */
export interface KeyHash {
  hi: number;
  lo: number;
}

/**
 * cyrb53's mixing (public domain, bryc), both 32-bit halves kept: a table hash, not a MAC. The
 * keys are not chosen by clients (see the file comment), so no secret seed is needed.
 */
export function hashKey(key: string, into: KeyHash): KeyHash {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  into.hi = h1 >>> 0;
  into.lo = h2 >>> 0;
  return into;
}

const INITIAL_SLOTS = 1024;
/** Index entries: a slot number, or one of these. */
const EMPTY = -1;
const DELETED = -2;

export class HeldTable {
  // The slot columns.
  #hashHi = new Uint32Array(INITIAL_SLOTS);
  #hashLo = new Uint32Array(INITIAL_SLOTS);
  /** When each stops mattering (its last token's expiry). */
  #expiresAtMs = new Float64Array(INITIAL_SLOTS);
  /** The latest iat of any token it refuses; NaN for rows written before it was recorded. */
  #latestIatMs = new Float64Array(INITIAL_SLOTS);
  #prev = new Int32Array(INITIAL_SLOTS);
  #next = new Int32Array(INITIAL_SLOTS);
  /** Each slot's user; undefined for a free slot. */
  #owners: (UserHeld | undefined)[] = [];
  /** Slots given back by remove(), reused before new ones. */
  #free: number[] = [];
  /** Slots ever handed out (the high-water mark). */
  #used = 0;

  /** hash → slot, linear probing; at most half full, counting DELETED marks. */
  #index = new Int32Array(2 * INITIAL_SLOTS).fill(EMPTY);
  #live = 0;
  #deleted = 0;
  /** Scratch for hashKey, so a lookup allocates nothing. */
  readonly #hash: KeyHash = { hi: 0, lo: 0 };

  constructor(readonly kind: HeldKind) {}

  get size(): number {
    return this.#live;
  }

  has(key: string): boolean {
    return this.slotOf(key) !== undefined;
  }

  slotOf(key: string): number | undefined {
    const { hi, lo } = hashKey(key, this.#hash);
    return this.slotOfHash(hi, lo);
  }

  slotOfHash(hi: number, lo: number): number | undefined {
    const at = this.#find(hi, lo);
    return at === NONE ? undefined : this.#index[at];
  }

  hashOf(slot: number): KeyHash {
    return { hi: this.#hashHi[slot]!, lo: this.#hashLo[slot]! };
  }

  ownerOf(slot: number): UserHeld {
    return this.#owners[slot]!;
  }

  expiresAtMs(slot: number): number {
    return this.#expiresAtMs[slot]!;
  }

  /** Keeps the later of the two expiries (the same revocation seen twice). */
  extend(slot: number, expiresAtMs: number): void {
    if (this.#expiresAtMs[slot]! < expiresAtMs) this.#expiresAtMs[slot] = expiresAtMs;
  }

  latestIatMs(slot: number): number | undefined {
    const latest = this.#latestIatMs[slot]!;
    return Number.isNaN(latest) ? undefined : latest;
  }

  /** Holds a new revocation, linked first on its owner's list. Its hash must not be held yet. */
  add(hi: number, lo: number, owner: UserHeld, expiresAtMs: number, latestIatMs: number | undefined): void {
    if ((this.#live + this.#deleted + 1) * 2 > this.#index.length) this.#reindex();
    const slot = this.#free.pop() ?? this.#newSlot();
    this.#hashHi[slot] = hi;
    this.#hashLo[slot] = lo;
    this.#owners[slot] = owner;
    this.#expiresAtMs[slot] = expiresAtMs;
    this.#latestIatMs[slot] = latestIatMs ?? NaN;
    const head = owner[this.kind];
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    if (head !== NONE) this.#prev[head] = slot;
    owner[this.kind] = slot;
    owner.count++;
    this.#place(slot);
    this.#live++;
  }

  /** Forgets the revocation in that slot and unlinks it from its owner's list; returns the owner. */
  remove(slot: number): UserHeld {
    const owner = this.#owners[slot]!;
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev !== NONE) this.#next[prev] = next;
    else owner[this.kind] = next;
    if (next !== NONE) this.#prev[next] = prev;
    owner.count--;
    this.#index[this.#find(this.#hashHi[slot]!, this.#hashLo[slot]!)] = DELETED;
    this.#live--;
    this.#deleted++;
    this.#owners[slot] = undefined;
    this.#free.push(slot);
    return owner;
  }

  /** The owner's slots in this table; the one just visited may be removed meanwhile. */
  *slotsOf(owner: UserHeld | undefined): Generator<number> {
    for (let slot = owner?.[this.kind] ?? NONE; slot !== NONE; ) {
      const next = this.#next[slot]!;
      yield slot;
      slot = next;
    }
  }

  /** Every held slot; the one just visited may be removed meanwhile. */
  *slots(): Generator<number> {
    for (let slot = 0; slot < this.#used; slot++) if (this.#owners[slot] !== undefined) yield slot;
  }

  /**
   * Loads a checkpoint's revocations into this empty table, but those expired by nowMs: one pass
   * along the columns and one indexing at the final size, nothing grown or hashed on the way.
   */
  load(held: HeldColumns, ownerOf: (user: number) => UserHeld, nowMs: number): void {
    this.clear();
    this.#grow(Math.max(INITIAL_SLOTS, 2 ** Math.ceil(Math.log2(held.hi.length))));
    // Filled: `new Array(n)` of a million would be a dictionary, a hash insert per slot.
    const owners = new Array<UserHeld | undefined>(held.hi.length).fill(undefined);
    let slot = 0;
    for (let i = 0; i < held.hi.length; i++) {
      const expiresAtMs = held.expiresAtMs[i]!;
      if (expiresAtMs <= nowMs) continue;
      const owner = ownerOf(held.user[i]!);
      this.#hashHi[slot] = held.hi[i]!;
      this.#hashLo[slot] = held.lo[i]!;
      this.#expiresAtMs[slot] = expiresAtMs;
      this.#latestIatMs[slot] = held.latestIatMs[i]!;
      owners[slot] = owner;
      const head = owner[this.kind];
      this.#prev[slot] = NONE;
      this.#next[slot] = head;
      if (head !== NONE) this.#prev[head] = slot;
      owner[this.kind] = slot++;
      owner.count++;
    }
    owners.length = slot;
    this.#owners = owners;
    this.#used = this.#live = slot;
    this.#reindex(slot);
  }

  /** Copies every revocation into `into` from position `at`, its user as `userOf` numbers the owner; returns the next position. */
  copyTo(into: HeldColumns, at: number, userOf: (owner: UserHeld) => number): number {
    for (let slot = 0; slot < this.#used; slot++) {
      const owner = this.#owners[slot];
      if (owner === undefined) continue;
      into.hi[at] = this.#hashHi[slot]!;
      into.lo[at] = this.#hashLo[slot]!;
      into.user[at] = userOf(owner);
      into.expiresAtMs[at] = this.#expiresAtMs[slot]!;
      into.latestIatMs[at++] = this.#latestIatMs[slot]!;
    }
    return at;
  }

  clear(): void {
    this.#hashHi = new Uint32Array(INITIAL_SLOTS);
    this.#hashLo = new Uint32Array(INITIAL_SLOTS);
    this.#expiresAtMs = new Float64Array(INITIAL_SLOTS);
    this.#latestIatMs = new Float64Array(INITIAL_SLOTS);
    this.#prev = new Int32Array(INITIAL_SLOTS);
    this.#next = new Int32Array(INITIAL_SLOTS);
    this.#owners = [];
    this.#free = [];
    this.#used = 0;
    this.#index = new Int32Array(2 * INITIAL_SLOTS).fill(EMPTY);
    this.#live = 0;
    this.#deleted = 0;
  }

  /** The index position holding the slot with that hash, or NONE. */
  #find(hi: number, lo: number): number {
    const mask = this.#index.length - 1;
    for (let at = lo & mask; ; at = (at + 1) & mask) {
      const slot = this.#index[at]!;
      if (slot === EMPTY) return NONE;
      if (slot !== DELETED && this.#hashLo[slot] === lo && this.#hashHi[slot] === hi) return at;
    }
  }

  /** Puts the slot in the index at the first free position of its probe sequence. */
  #place(slot: number): void {
    const mask = this.#index.length - 1;
    for (let at = this.#hashLo[slot]! & mask; ; at = (at + 1) & mask) {
      const entry = this.#index[at]!;
      if (entry === EMPTY || entry === DELETED) {
        if (entry === DELETED) this.#deleted--;
        this.#index[at] = slot;
        return;
      }
    }
  }

  /** A fresh index sized for `live` slots (dropping DELETED marks), a quarter full or less. */
  #reindex(live = this.#live + 1): void {
    let size = 2 * INITIAL_SLOTS;
    while (size < 4 * live) size *= 2;
    this.#index = new Int32Array(size).fill(EMPTY);
    this.#deleted = 0;
    for (let slot = 0; slot < this.#used; slot++) if (this.#owners[slot] !== undefined) this.#place(slot);
  }

  /** A fresh slot at the end, doubling the columns when they are full. */
  #newSlot(): number {
    const slot = this.#used++;
    if (slot === this.#expiresAtMs.length) this.#grow(slot * 2);
    return slot;
  }

  #grow(capacity: number): void {
    this.#hashHi = resized(this.#hashHi, new Uint32Array(capacity));
    this.#hashLo = resized(this.#hashLo, new Uint32Array(capacity));
    this.#expiresAtMs = resized(this.#expiresAtMs, new Float64Array(capacity));
    this.#latestIatMs = resized(this.#latestIatMs, new Float64Array(capacity));
    this.#prev = resized(this.#prev, new Int32Array(capacity));
    this.#next = resized(this.#next, new Int32Array(capacity));
  }
}

function resized<T extends Float64Array | Int32Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
