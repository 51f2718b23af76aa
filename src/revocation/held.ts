/**
 * The revocation state's tables: users, and token or session revocations, each a slot in
 * parallel typed-array columns, found through an open-addressing index from a 64-bit hash of the
 * key (user name, jti or digest, session id). A user's slot holds their not-before and the
 * heads of their lists of held revocations; each revocation's slot is threaded on its user's
 * list. No object, string or Map entry per user or revocation: at 10^6 revocations those were
 * most of the start-up load (allocation, Map inserts, garbage collection) and ~100 MiB (#15).
 *
 * Keys are known by their hash only, so two keys with one hash are one entry, and every such
 * merge refuses more, never less: a token whose jti collides with a revoked one is refused; two
 * users whose names collide share one not-before (the later) and one list, so each is refused
 * what either is. jtis and session ids are random and chosen by the service, digests are SHA-256,
 * user names are the directory's: with 10^6 revocations the chance that a given token collides
 * is about 10^6 / 2^64 ≈ 5·10^-14.
 */
import type { HeldColumns, HeldSection, UserColumns } from './checkpoint.js';

/** No slot: the end of a list, an empty one, or a key not held. */
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

/**
 * Slots keyed by a 64-bit hash: the hash columns, which slots are in use, a free list, and the
 * index (hash → slot, linear probing, at most half full counting DELETED marks). Subclasses add
 * their own columns and grow them in grow().
 */
abstract class HashedSlots {
  protected hashHi = new Uint32Array(INITIAL_SLOTS);
  protected hashLo = new Uint32Array(INITIAL_SLOTS);
  protected inUse = new Uint8Array(INITIAL_SLOTS);
  /** Slots ever handed out (the high-water mark). */
  protected used = 0;
  #free: number[] = [];
  #index = new Int32Array(2 * INITIAL_SLOTS).fill(EMPTY);
  #live = 0;
  #deleted = 0;
  /** Scratch for hashKey, so a lookup allocates nothing. */
  readonly #hash: KeyHash = { hi: 0, lo: 0 };

  get size(): number {
    return this.#live;
  }

  /** The slot holding the key, or NONE. */
  slotOfKey(key: string): number {
    const { hi, lo } = hashKey(key, this.#hash);
    return this.slotOf(hi, lo);
  }

  /** The slot holding the hash, or NONE. */
  slotOf(hi: number, lo: number): number {
    const at = this.#find(hi, lo);
    return at === NONE ? NONE : this.#index[at]!;
  }

  hashOf(slot: number): KeyHash {
    return { hi: this.hashHi[slot]!, lo: this.hashLo[slot]! };
  }

  /** Every slot in use; the one just visited may be released meanwhile. */
  *slots(): Generator<number> {
    for (let slot = 0; slot < this.used; slot++) if (this.inUse[slot] === 1) yield slot;
  }

  /** A slot for a hash not held yet. */
  protected claim(hi: number, lo: number): number {
    if ((this.#live + this.#deleted + 1) * 2 > this.#index.length) this.#reindex(this.#live + 1);
    const slot = this.#free.pop() ?? this.#newSlot();
    this.hashHi[slot] = hi;
    this.hashLo[slot] = lo;
    this.inUse[slot] = 1;
    this.#place(slot);
    this.#live++;
    return slot;
  }

  protected release(slot: number): void {
    this.#index[this.#find(this.hashHi[slot]!, this.hashLo[slot]!)] = DELETED;
    this.inUse[slot] = 0;
    this.#live--;
    this.#deleted++;
    this.#free.push(slot);
  }

  /** Empties the table, giving back its memory. */
  protected reset(): void {
    this.used = 0;
    this.#free = [];
    this.#index = new Int32Array(2 * INITIAL_SLOTS).fill(EMPTY);
    this.#live = 0;
    this.#deleted = 0;
    this.grow(INITIAL_SLOTS, false);
  }

  /** Room for `count` slots filled in bulk (from a checkpoint) by the caller, in an empty table. */
  protected reserve(count: number): void {
    this.reset();
    this.grow(Math.max(INITIAL_SLOTS, 2 ** Math.ceil(Math.log2(count))), false);
  }

  /** After a bulk fill of slots [0, count): their hashes and inUse set, the rest free; indexes them. */
  protected adopt(count: number): void {
    this.used = count;
    for (let slot = count - 1; slot >= 0; slot--) if (this.inUse[slot] === 0) this.#free.push(slot);
    this.#live = count - this.#free.length;
    // Up to half full rather than a quarter: a start touches half the index memory (each fresh
    // page costs a fault), and a growing state reindexes as it would have anyway.
    this.#reindex(this.#live, 2);
  }

  /** Columns of `capacity` slots, the current ones copied over when `keep`. */
  protected grow(capacity: number, keep: boolean): void {
    this.hashHi = column(this.hashHi, new Uint32Array(capacity), keep);
    this.hashLo = column(this.hashLo, new Uint32Array(capacity), keep);
    this.inUse = column(this.inUse, new Uint8Array(capacity), keep);
  }

  /** The index position holding the slot with that hash, or NONE. */
  #find(hi: number, lo: number): number {
    const mask = this.#index.length - 1;
    for (let at = lo & mask; ; at = (at + 1) & mask) {
      const slot = this.#index[at]!;
      if (slot === EMPTY) return NONE;
      if (slot !== DELETED && this.hashLo[slot] === lo && this.hashHi[slot] === hi) return at;
    }
  }

  /** Puts the slot in the index at the first free position of its probe sequence. */
  #place(slot: number): void {
    const mask = this.#index.length - 1;
    for (let at = this.hashLo[slot]! & mask; ; at = (at + 1) & mask) {
      const entry = this.#index[at]!;
      if (entry === EMPTY || entry === DELETED) {
        if (entry === DELETED) this.#deleted--;
        this.#index[at] = slot;
        return;
      }
    }
  }

  /** A fresh index sized for `live` slots (dropping DELETED marks), 1/spread full or less. */
  #reindex(live: number, spread = 4): void {
    let size = 2 * INITIAL_SLOTS;
    while (size < spread * live) size *= 2;
    this.#index = new Int32Array(size).fill(EMPTY);
    this.#deleted = 0;
    for (let slot = 0; slot < this.used; slot++) if (this.inUse[slot] === 1) this.#place(slot);
  }

  /** A fresh slot at the end, doubling the columns when they are full. */
  #newSlot(): number {
    const slot = this.used++;
    if (slot === this.hashHi.length) this.grow(slot * 2, true);
    return slot;
  }
}

/**
 * Users with a not-before or held revocations: per slot the not-before (NaN: none) and how long
 * it matters, how many revocations the user holds and the first of each list. A slot is released
 * when it has neither.
 */
export class UserTable extends HashedSlots {
  notBeforeMs = new Float64Array(INITIAL_SLOTS);
  notBeforeExpiresAtMs = new Float64Array(INITIAL_SLOTS);
  count = new Int32Array(INITIAL_SLOTS);
  tokensHead = new Int32Array(INITIAL_SLOTS);
  sessionsHead = new Int32Array(INITIAL_SLOTS);
  #notBefores = 0;

  /** Users with a not-before. */
  get notBeforeCount(): number {
    return this.#notBefores;
  }

  /** The user's slot, made (with nothing) when there is none. */
  slotFor(hi: number, lo: number): number {
    let slot = this.slotOf(hi, lo);
    if (slot === NONE) {
      slot = this.claim(hi, lo);
      this.notBeforeMs[slot] = NaN;
      this.notBeforeExpiresAtMs[slot] = NaN;
      this.count[slot] = 0;
      this.tokensHead[slot] = NONE;
      this.sessionsHead[slot] = NONE;
    }
    return slot;
  }

  /** Raises the user's not-before and its expiry to these, where they are later. */
  raiseNotBefore(slot: number, notBeforeMs: number, expiresAtMs: number): void {
    const known = this.notBeforeMs[slot]!;
    if (Number.isNaN(known)) {
      this.#notBefores++;
      this.notBeforeMs[slot] = notBeforeMs;
      this.notBeforeExpiresAtMs[slot] = expiresAtMs;
      return;
    }
    this.notBeforeMs[slot] = Math.max(known, notBeforeMs);
    this.notBeforeExpiresAtMs[slot] = Math.max(this.notBeforeExpiresAtMs[slot]!, expiresAtMs);
  }

  dropNotBefore(slot: number): void {
    this.notBeforeMs[slot] = NaN;
    this.notBeforeExpiresAtMs[slot] = NaN;
    this.#notBefores--;
    this.releaseIfEmpty(slot);
  }

  /** Releases the user's slot once it has neither a not-before nor a held revocation. */
  releaseIfEmpty(slot: number): void {
    if (this.count[slot] === 0 && Number.isNaN(this.notBeforeMs[slot]!)) this.release(slot);
  }

  head(kind: HeldKind): Int32Array {
    return kind === 'tokens' ? this.tokensHead : this.sessionsHead;
  }

  clear(): void {
    this.reset();
    this.#notBefores = 0;
  }

  /**
   * Loads a checkpoint's users into this table (emptied first) as slots 0…n-1, in its order, so a
   * revocation's user number is its user's slot; not-befores expired by nowMs are left out. Slots
   * left with nothing are released by the caller once the revocations are loaded (releaseIfEmpty).
   */
  load(users: UserColumns, nowMs: number): void {
    const n = users.hi.length;
    this.reserve(n);
    this.hashHi.set(users.hi);
    this.hashLo.set(users.lo);
    this.inUse.fill(1, 0, n);
    this.tokensHead.fill(NONE, 0, n);
    this.sessionsHead.fill(NONE, 0, n);
    this.#notBefores = 0;
    for (let slot = 0; slot < n; slot++) {
      const expiresAtMs = users.notBeforeExpiresAtMs[slot]!;
      if (expiresAtMs > nowMs) {
        this.notBeforeMs[slot] = users.notBeforeMs[slot]!;
        this.notBeforeExpiresAtMs[slot] = expiresAtMs;
        this.#notBefores++;
      } else {
        this.notBeforeMs[slot] = NaN;
        this.notBeforeExpiresAtMs[slot] = NaN;
      }
    }
    this.adopt(n);
  }

  /** Copies every user into `into` (numbered in slot order) and returns each slot's number (-1: none). */
  copyTo(into: UserColumns): Int32Array {
    const numbers = new Int32Array(this.used).fill(NONE);
    let at = 0;
    for (let slot = 0; slot < this.used; slot++) {
      if (this.inUse[slot] === 0) continue;
      into.hi[at] = this.hashHi[slot]!;
      into.lo[at] = this.hashLo[slot]!;
      into.notBeforeMs[at] = this.notBeforeMs[slot]!;
      into.notBeforeExpiresAtMs[at] = this.notBeforeExpiresAtMs[slot]!;
      numbers[slot] = at++;
    }
    return numbers;
  }

  protected override grow(capacity: number, keep: boolean): void {
    super.grow(capacity, keep);
    this.notBeforeMs = column(this.notBeforeMs, new Float64Array(capacity), keep);
    this.notBeforeExpiresAtMs = column(this.notBeforeExpiresAtMs, new Float64Array(capacity), keep);
    this.count = column(this.count, new Int32Array(capacity), keep);
    this.tokensHead = column(this.tokensHead, new Int32Array(capacity), keep);
    this.sessionsHead = column(this.sessionsHead, new Int32Array(capacity), keep);
  }
}

/** Token or session revocations: per slot its expiry, latest iat, user slot and list links. */
export class HeldTable extends HashedSlots {
  /** When each stops mattering (its last token's expiry). */
  #expiresAtMs = new Float64Array(INITIAL_SLOTS);
  /** The latest iat of any token it refuses; NaN for rows written before it was recorded. */
  #latestIatMs = new Float64Array(INITIAL_SLOTS);
  #user = new Int32Array(INITIAL_SLOTS);
  #prev = new Int32Array(INITIAL_SLOTS);
  #next = new Int32Array(INITIAL_SLOTS);

  constructor(
    readonly kind: HeldKind,
    private readonly users: UserTable,
  ) {
    super();
  }

  has(key: string): boolean {
    return this.slotOfKey(key) !== NONE;
  }

  /** The slot's user (a UserTable slot). */
  userOf(slot: number): number {
    return this.#user[slot]!;
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

  /** Holds a new revocation of user slot `user`, first on the user's list. Its hash must not be held yet. */
  add(hi: number, lo: number, user: number, expiresAtMs: number, latestIatMs: number | undefined): void {
    const slot = this.claim(hi, lo);
    this.#expiresAtMs[slot] = expiresAtMs;
    this.#latestIatMs[slot] = latestIatMs ?? NaN;
    this.#link(slot, user);
  }

  /** Forgets the revocation in that slot and unlinks it from its user's list; returns the user slot. */
  remove(slot: number): number {
    const user = this.#user[slot]!;
    const prev = this.#prev[slot]!;
    const next = this.#next[slot]!;
    if (prev !== NONE) this.#next[prev] = next;
    else this.users.head(this.kind)[user] = next;
    if (next !== NONE) this.#prev[next] = prev;
    this.users.count[user]!--;
    this.release(slot);
    return user;
  }

  /** The user's slots in this table; the one just visited may be removed meanwhile. */
  *slotsOf(user: number): Generator<number> {
    for (let slot = user === NONE ? NONE : this.users.head(this.kind)[user]!; slot !== NONE; ) {
      const next = this.#next[slot]!;
      yield slot;
      slot = next;
    }
  }

  clear(): void {
    this.reset();
  }

  /**
   * Loads a checkpoint's revocations into this table (emptied first), the users already loaded:
   * each column read straight into its array, then one pass linking the slots into their users'
   * lists, and one indexing at the final size. A slot expired by nowMs is left free.
   */
  load(section: HeldSection, nowMs: number): void {
    const count = section.count;
    this.reserve(count);
    section.read('hi', this.hashHi);
    section.read('lo', this.hashLo);
    section.read('expiresAtMs', this.#expiresAtMs);
    section.read('latestIatMs', this.#latestIatMs);
    section.read('user', this.#user);
    for (let slot = 0; slot < count; slot++) {
      if (this.#expiresAtMs[slot]! <= nowMs) continue;
      this.inUse[slot] = 1;
      this.#link(slot, this.#user[slot]!);
    }
    this.adopt(count);
  }

  /** Copies every revocation into `into` from position 0, its user numbered by `userNumbers`; returns how many. */
  copyTo(into: HeldColumns, userNumbers: Int32Array): number {
    let at = 0;
    for (let slot = 0; slot < this.used; slot++) {
      if (this.inUse[slot] === 0) continue;
      into.hi[at] = this.hashHi[slot]!;
      into.lo[at] = this.hashLo[slot]!;
      into.user[at] = userNumbers[this.#user[slot]!]!;
      into.expiresAtMs[at] = this.#expiresAtMs[slot]!;
      into.latestIatMs[at++] = this.#latestIatMs[slot]!;
    }
    return at;
  }

  #link(slot: number, user: number): void {
    const heads = this.users.head(this.kind);
    const head = heads[user]!;
    this.#user[slot] = user;
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    if (head !== NONE) this.#prev[head] = slot;
    heads[user] = slot;
    this.users.count[user]!++;
  }

  protected override grow(capacity: number, keep: boolean): void {
    super.grow(capacity, keep);
    this.#expiresAtMs = column(this.#expiresAtMs, new Float64Array(capacity), keep);
    this.#latestIatMs = column(this.#latestIatMs, new Float64Array(capacity), keep);
    this.#user = column(this.#user, new Int32Array(capacity), keep);
    this.#prev = column(this.#prev, new Int32Array(capacity), keep);
    this.#next = column(this.#next, new Int32Array(capacity), keep);
  }
}

function column<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(from: T, to: T, keep: boolean): T {
  if (keep) to.set(from);
  return to;
}
