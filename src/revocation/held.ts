/**
 * Token and session revocations as the state holds them, each threaded on a list of its user's
 * revocations of the same kind. A list rather than a Set of keys per user: linking is a few
 * pointer writes, where a Set costs hashing and a table per user, which was most of the start-up
 * load with 10^6 revocations (#15).
 */

export type HeldKind = 'tokens' | 'sessions';

/** A token or session revocation as held: whose, until when, and what it covers. */
export interface Held {
  /** Its key in the state's map of its kind: jti (or digest) or session id. */
  readonly key: string;
  readonly user: string;
  /** When it stops mattering (its last token's expiry). */
  expiresAtMs: number;
  /** The latest iat of any token it refuses; undefined for rows written before it was recorded. */
  readonly latestIatMs: number | undefined;
  prev: Held | undefined;
  next: Held | undefined;
}

/** One user's held revocations: a list per kind, and how many in all. */
export interface UserHeld {
  /** The one copy of the name every Held of the user shares (rather than a string per row). */
  readonly user: string;
  count: number;
  tokens: Held | undefined;
  sessions: Held | undefined;
}

export function link(owner: UserHeld, kind: HeldKind, held: Held): void {
  held.next = owner[kind];
  if (held.next !== undefined) held.next.prev = held;
  owner[kind] = held;
  owner.count++;
}

export function unlink(owner: UserHeld, kind: HeldKind, held: Held): void {
  if (held.prev !== undefined) held.prev.next = held.next;
  else owner[kind] = held.next;
  if (held.next !== undefined) held.next.prev = held.prev;
  held.prev = held.next = undefined;
  owner.count--;
}

/** The user's revocations of that kind; the one just visited may be unlinked meanwhile. */
export function* heldOf(owner: UserHeld | undefined, kind: HeldKind): Generator<Held> {
  for (let held = owner?.[kind]; held !== undefined; ) {
    const next = held.next;
    yield held;
    held = next;
  }
}
