/**
 * Token or session revocations as the state holds them: one table per kind, a slot per
 * revocation, its fields in parallel arrays, each slot threaded on a list of its user's slots.
 * Columns rather than an object per revocation: at 10^6 revocations an object each (with its
 * boxed numbers) was ~60 MiB more memory and most of the start-up load in allocation and GC (#15).
 */

/** One user's held revocations: the head slot of their list in each table, and how many in all. */
export interface UserHeld {
  /** The one copy of the name every slot of the user shares (rather than a string per row). */
  readonly user: string;
  count: number;
  tokens: number;
  sessions: number;
}

/** No slot: the end of a list, or an empty one. */
export const NONE = -1;

export type HeldKind = 'tokens' | 'sessions';

const INITIAL_CAPACITY = 1024;

export class HeldTable {
  /** key (jti, digest or session id) → slot. */
  readonly #slots = new Map<string, number>();
  #keys: (string | undefined)[] = [];
  #owners: (UserHeld | undefined)[] = [];
  /** When each stops mattering (its last token's expiry). */
  #expiresAtMs = new Float64Array(INITIAL_CAPACITY);
  /** The latest iat of any token it refuses; NaN for rows written before it was recorded. */
  #latestIatMs = new Float64Array(INITIAL_CAPACITY);
  #prev = new Int32Array(INITIAL_CAPACITY);
  #next = new Int32Array(INITIAL_CAPACITY);
  /** Slots given back by remove(), reused before the table grows. */
  #free: number[] = [];
  /** Slots ever handed out (the high-water mark). */
  #used = 0;

  constructor(readonly kind: HeldKind) {}

  get size(): number {
    return this.#slots.size;
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  slotOf(key: string): number | undefined {
    return this.#slots.get(key);
  }

  keyOf(slot: number): string {
    return this.#keys[slot]!;
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

  /** Holds a new revocation, linked first on its owner's list. The key must not be held yet. */
  add(key: string, owner: UserHeld, expiresAtMs: number, latestIatMs: number | undefined): void {
    const slot = this.#free.pop() ?? this.#grow();
    this.#slots.set(key, slot);
    this.#keys[slot] = key;
    this.#owners[slot] = owner;
    this.#expiresAtMs[slot] = expiresAtMs;
    this.#latestIatMs[slot] = latestIatMs ?? NaN;
    const head = owner[this.kind];
    this.#prev[slot] = NONE;
    this.#next[slot] = head;
    if (head !== NONE) this.#prev[head] = slot;
    owner[this.kind] = slot;
    owner.count++;
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
    this.#slots.delete(this.#keys[slot]!);
    this.#keys[slot] = undefined;
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
    for (const slot of this.#slots.values()) yield slot;
  }

  clear(): void {
    this.#slots.clear();
    this.#keys = [];
    this.#owners = [];
    this.#free = [];
    this.#used = 0;
  }

  /** A fresh slot at the end, doubling the columns when they are full. */
  #grow(): number {
    const slot = this.#used++;
    if (slot === this.#expiresAtMs.length) {
      const capacity = slot * 2;
      this.#expiresAtMs = resized(this.#expiresAtMs, new Float64Array(capacity));
      this.#latestIatMs = resized(this.#latestIatMs, new Float64Array(capacity));
      this.#prev = resized(this.#prev, new Int32Array(capacity));
      this.#next = resized(this.#next, new Int32Array(capacity));
    }
    return slot;
  }
}

function resized<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
