/**
 * A bounded map that evicts the least recently used entry: a Map keeps insertion order, and a
 * hit moves its key to the end, so the first key is always the one unused longest. A gateway
 * asks about the same few tokens on every request; those must stay while one-off tokens churn.
 *
 * The newest entry (the last one set or hit) is also held apart: a hit on it needs no move, and is
 * answered by comparing the key, not hashing it. A token arrives as a fresh string on every
 * request, and hashing its few hundred characters cost more than the rest of the lookup.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  /** The key at the end of #entries and its value; #hasNewest is false until the first set. */
  #newestKey: K | undefined;
  #newestValue: V | undefined;
  #hasNewest = false;

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    if (this.#hasNewest && key === this.#newestKey) return this.#newestValue;
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
      this.#newest(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
    this.#newest(key, value);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #newest(key: K, value: V): void {
    this.#newestKey = key;
    this.#newestValue = value;
    this.#hasNewest = true;
  }
}
