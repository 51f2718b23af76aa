/**
 * Failed-login throttling (§6) over the narrow ThrottleStore, so every instance shares it and
 * it survives restarts. Sliding windows: a request is refused (Throttled) while its
 * (username, address) pair or its address has `limit` failures in the last `window`; it is
 * allowed again once the oldest of those leaves the window. Failures for one username from
 * all addresses only add a bounded delay: refusing them would let anyone lock a user out.
 */
import type { Clock } from '../clock.js';
import { Throttled } from '../errors.js';
import type { ThrottleStore } from '../store/index.js';

export interface ThrottlePolicy {
  windowMs: number;
  /** 0 turns a limit off. */
  userAddressLimit: number;
  addressLimit: number;
  userLimit: number;
  userDelayMs: number;
}

export interface ThrottleEntry {
  username: string;
  address: string;
  failures: number;
  lastMs: number;
  /** Whether this pair's next attempt gets 429 (by its own count or its address's). */
  throttled: boolean;
  /** Whether attempts for this username are being delayed. */
  slowed: boolean;
}

export interface Throttle {
  /**
   * Call before any password hashing. Counts the attempt as a failure up front, so guesses sent
   * in parallel cannot all pass a check made before any of them had failed; throws Throttled
   * (and uncounts the attempt) when its pair or address is over the limit; otherwise resolves
   * with how long (ms) to wait before checking the password.
   */
  admit(username: string, address: string): Promise<number>;
  /** A successful login forgets that pair's failures, its own admitted attempt included. */
  succeeded(username: string, address: string): Promise<void>;
  /** Pairs with failures in the current window, most recent first. */
  list(): Promise<ThrottleEntry[]>;
  /** Forgets failures by username and/or address (all when both are omitted); returns how many. */
  clear(scope: { username?: string; address?: string }): Promise<number>;
}

/**
 * The name failures are counted under (§10): throttling runs before any backend has said what
 * the canonical name is, so the typed name is case-folded (Unicode NFKC, then lower case) and
 * MARCO, Marco and marco share one budget.
 */
export function throttleName(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

export function createThrottle(deps: { store: ThrottleStore; policy: ThrottlePolicy; clock: Clock }): Throttle {
  const { store, policy, clock } = deps;
  let lastPurgeMs = 0;

  /**
   * When the scope's attempts are allowed again, or undefined when this one is. The failures
   * counted include the attempt being admitted (the newest), so it is over the limit when there
   * are more than `limit`; the next attempt is allowed once the limit-th newest of the others
   * leaves the window.
   */
  async function blockedUntil(scope: { username?: string; address?: string }, limit: number, nowMs: number) {
    if (limit === 0) return undefined;
    const recent = await store.recentFailures(scope, nowMs - policy.windowMs, limit + 1);
    return recent.length > limit ? recent[limit]! + policy.windowMs : undefined;
  }

  async function purgeIfDue(nowMs: number): Promise<void> {
    if (nowMs - lastPurgeMs < policy.windowMs) return;
    lastPurgeMs = nowMs;
    await store.purgeFailures(nowMs - policy.windowMs);
  }

  return {
    async admit(typed, address) {
      const username = throttleName(typed);
      const now = clock.now();
      await purgeIfDue(now);
      const attempt = await store.recordFailure({ username, address, atMs: now });
      const [pair, perAddress, perUser] = await Promise.all([
        blockedUntil({ username, address }, policy.userAddressLimit, now),
        blockedUntil({ address }, policy.addressLimit, now),
        blockedUntil({ username }, policy.userLimit, now),
      ]);
      const until = Math.max(pair ?? 0, perAddress ?? 0);
      if (until > now) {
        // A refused attempt is not a guess: it does not push the window further out.
        await store.forgetFailure(attempt);
        throw new Throttled(Math.max(1, Math.ceil((until - now) / 1000)));
      }
      return perUser !== undefined ? policy.userDelayMs : 0;
    },
    async succeeded(username, address) {
      await store.clearFailures({ username: throttleName(username), address });
    },
    async list() {
      const groups = await store.listFailures(clock.now() - policy.windowMs);
      const sum = (pick: (g: (typeof groups)[number]) => boolean) => groups.filter(pick).reduce((n, g) => n + g.count, 0);
      const over = (count: number, limit: number) => limit > 0 && count >= limit;
      return groups.map((g) => ({
        username: g.username,
        address: g.address,
        failures: g.count,
        lastMs: g.lastMs,
        throttled: over(g.count, policy.userAddressLimit) || over(sum((o) => o.address === g.address), policy.addressLimit),
        slowed: over(sum((o) => o.username === g.username), policy.userLimit),
      }));
    },
    clear: (scope) =>
      store.clearFailures(scope.username === undefined ? scope : { ...scope, username: throttleName(scope.username) }),
  };
}
