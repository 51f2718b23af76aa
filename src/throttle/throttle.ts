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
   * Throws Throttled when the attempt must not be checked at all; otherwise returns how long
   * (ms) to wait before checking the password. Call before any password hashing.
   */
  check(username: string, address: string): Promise<number>;
  /** Counts a failed attempt. */
  failed(username: string, address: string): Promise<void>;
  /** A successful login forgets that pair's failures. */
  succeeded(username: string, address: string): Promise<void>;
  /** Pairs with failures in the current window, most recent first. */
  list(): Promise<ThrottleEntry[]>;
  /** Forgets failures by username and/or address (all when both are omitted); returns how many. */
  clear(scope: { username?: string; address?: string }): Promise<number>;
}

export function createThrottle(deps: { store: ThrottleStore; policy: ThrottlePolicy; clock: Clock }): Throttle {
  const { store, policy, clock } = deps;
  let lastPurgeMs = 0;

  /** When the scope's attempts are allowed again, or undefined when they are now. */
  async function blockedUntil(scope: { username?: string; address?: string }, limit: number, nowMs: number) {
    if (limit === 0) return undefined;
    const recent = await store.recentFailures(scope, nowMs - policy.windowMs, limit);
    // The limit-th newest failure is the one that must leave the window first.
    return recent.length >= limit ? recent[limit - 1]! + policy.windowMs : undefined;
  }

  return {
    async check(username, address) {
      const now = clock.now();
      const [pair, perAddress, perUser] = await Promise.all([
        blockedUntil({ username, address }, policy.userAddressLimit, now),
        blockedUntil({ address }, policy.addressLimit, now),
        blockedUntil({ username }, policy.userLimit, now),
      ]);
      const until = Math.max(pair ?? 0, perAddress ?? 0);
      if (until > now) throw new Throttled(Math.max(1, Math.ceil((until - now) / 1000)));
      return perUser !== undefined ? policy.userDelayMs : 0;
    },
    async failed(username, address) {
      const now = clock.now();
      await store.recordFailure({ username, address, atMs: now });
      if (now - lastPurgeMs >= policy.windowMs) {
        lastPurgeMs = now;
        await store.purgeFailures(now - policy.windowMs);
      }
    },
    async succeeded(username, address) {
      await store.clearFailures({ username, address });
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
    clear: (scope) => store.clearFailures(scope),
  };
}
