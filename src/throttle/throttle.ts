/**
 * Failed-login throttling (§6, §15) over the narrow ThrottleStore, so every instance shares it
 * and it survives restarts. Sliding windows: a request is refused (Throttled) while its
 * (username, address) pair, its address, or its username across all addresses has `limit`
 * failures in the last `window`; it is allowed again once the oldest of those leaves the window.
 * Below the per-username cap, failures for one username from many addresses only add a delay:
 * the cap is set high because reaching it locks that user out from everywhere until the window
 * slides.
 */
import type { Clock } from '../clock.js';
import { Throttled } from '../errors.js';
import type { ThrottleStore } from '../store/index.js';
import { throttleAddress } from './address.js';

export interface ThrottlePolicy {
  windowMs: number;
  /** 0 turns a limit off. */
  userAddressLimit: number;
  addressLimit: number;
  /** Failures of one username (any address) past which each attempt is delayed by userDelayMs. */
  userLimit: number;
  userDelayMs: number;
  /** Failures of one username (any address) before 429. */
  userCap: number;
  /** IPv6 clients are counted per network of this many leading bits (an IPv4 address is one client). */
  ipv6Prefix: number;
}

export interface ThrottleEntry {
  username: string;
  address: string;
  failures: number;
  lastMs: number;
  /** Whether this pair's next attempt gets 429 (by its own count, its address's or its username's). */
  throttled: boolean;
  /** Whether attempts for this username are being delayed. */
  slowed: boolean;
}

/** An attempt let through: how long to wait before checking the password, and its undoing. */
export interface Admission {
  delayMs: number;
  /** Uncounts this attempt: nothing was guessed (the credential backend could not answer). */
  withdraw(): Promise<void>;
}

export interface Throttle {
  /**
   * Call before any password hashing. Counts the attempt as a failure up front, so guesses sent
   * in parallel cannot all pass a check made before any of them had failed; throws Throttled
   * (and uncounts the attempt) when its pair, address or username is over its limit.
   */
  admit(username: string, address: string): Promise<Admission>;
  /** A successful login forgets that pair's failures, its own admitted attempt included. */
  succeeded(username: string, address: string): Promise<void>;
  /** Pairs with failures in the current window, most recent first. */
  list(): Promise<ThrottleEntry[]>;
  /** Forgets failures by username and/or address (all when both are omitted; an IPv6 address clears its network); returns how many. */
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
  const client = (address: string) => throttleAddress(address, policy.ipv6Prefix);

  /**
   * For each limit, when the scope's attempts are allowed again, or undefined when this one is.
   * The failures counted include the attempt being admitted (the newest), so it is over a limit
   * when there are more than `limit`; the next attempt is allowed once the limit-th newest of the
   * others leaves the window. One read serves every limit of the scope.
   */
  async function blockedUntil(scope: { username?: string; address?: string }, limits: number[], nowMs: number) {
    const widest = Math.max(...limits);
    if (widest === 0) return limits.map(() => undefined);
    const recent = await store.recentFailures(scope, nowMs - policy.windowMs, widest + 1);
    return limits.map((limit) => (limit > 0 && recent.length > limit ? recent[limit]! + policy.windowMs : undefined));
  }

  async function purgeIfDue(nowMs: number): Promise<void> {
    if (nowMs - lastPurgeMs < policy.windowMs) return;
    lastPurgeMs = nowMs;
    await store.purgeFailures(nowMs - policy.windowMs);
  }

  return {
    async admit(typed, rawAddress) {
      const username = throttleName(typed);
      const address = client(rawAddress);
      const now = clock.now();
      await purgeIfDue(now);
      const attempt = await store.recordFailure({ username, address, atMs: now });
      const [[pair], [perAddress], [userCapped, userSlowed]] = await Promise.all([
        blockedUntil({ username, address }, [policy.userAddressLimit], now),
        blockedUntil({ address }, [policy.addressLimit], now),
        blockedUntil({ username }, [policy.userCap, policy.userLimit], now),
      ]);
      const until = Math.max(pair ?? 0, perAddress ?? 0, userCapped ?? 0);
      if (until > now) {
        // A refused attempt is not a guess: it does not push the window further out.
        await store.forgetFailure(attempt);
        throw new Throttled(Math.max(1, Math.ceil((until - now) / 1000)));
      }
      return { delayMs: userSlowed !== undefined ? policy.userDelayMs : 0, withdraw: () => store.forgetFailure(attempt) };
    },
    async succeeded(username, address) {
      await store.clearFailures({ username: throttleName(username), address: client(address) });
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
        throttled:
          over(g.count, policy.userAddressLimit) ||
          over(sum((o) => o.address === g.address), policy.addressLimit) ||
          over(sum((o) => o.username === g.username), policy.userCap),
        slowed: over(sum((o) => o.username === g.username), policy.userLimit),
      }));
    },
    clear: (scope) =>
      store.clearFailures({
        ...(scope.username === undefined ? {} : { username: throttleName(scope.username) }),
        ...(scope.address === undefined ? {} : { address: client(scope.address) }),
      }),
  };
}
