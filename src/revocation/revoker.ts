/**
 * Revokes tokens: persist to the store first, then apply to this process's memory, so a 204
 * is only sent for a revocation that is both durable and already enforced here
 * (read-your-writes). Other processes pick it up through the change feed.
 *
 * It also bounds what one user's revocations cost every process: a user looping login → logout
 * adds a token or session revocation each time, held in memory everywhere until the token
 * expires. Once a user holds more than maxPerUser of them, the revoker writes one not-before that
 * refuses every token they refused — at the latest iat they cover, the least that does — and
 * every process drops them (state.ts) on applying it, here at once and elsewhere from the feed.
 * Like logout_all, it also refuses the user's other tokens issued up to that instant.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { RevocationEvent, RevocationStore } from '../store/index.js';
import type { RevocationState } from './state.js';

export interface Revoker {
  /** Revokes one token until it expires; `jti` is the token's revocationId (jti or digest). */
  revokeToken(token: { jti: string; user: string; expiresAtMs: number; issuedAtMs: number }): Promise<void>;
  /** Refuses every token of `user` issued up to now; O(1) whatever the number of tokens. */
  revokeUser(user: string): Promise<void>;
  /**
   * Applies here a token or session revocation another module persisted (an ended session: the
   * session store writes it with the session row), then bounds the user's revocations as above.
   * spareFromMs: the not-before stays below it, so a token issued at or after it keeps working
   * (the login whose session pushed an older one over the cap); revocations it would have to
   * cover to reach that far stay held until the next one.
   */
  enforce(event: RevocationEvent, spareFromMs?: number): Promise<void>;
}

export function createRevoker(deps: {
  store: RevocationStore;
  state: RevocationState;
  clock: Clock;
  /** How long this process lets a token live (TTL + leeway); the store may keep a user revocation longer. */
  maxTokenLifetimeMs: number;
  /** How long past its exp a token revocation is kept (the largest leeway any process may use). */
  leewayMs: number;
  /** Token and session revocations one user may hold before they are folded into a not-before. */
  maxPerUser: number;
  audit: Pick<Logger, 'info'>;
}): Revoker {
  async function revokeUser(user: string, notBeforeMs: number): Promise<void> {
    const event = await deps.store.revokeUser({ user, notBeforeMs, expiresAtMs: notBeforeMs + deps.maxTokenLifetimeMs });
    deps.state.apply(event);
  }

  async function enforce(event: RevocationEvent, spareFromMs = Infinity): Promise<void> {
    deps.state.apply(event);
    if (event.kind !== 'token' && event.kind !== 'session') return;
    const held = deps.state.heldCount(event.user);
    if (held <= deps.maxPerUser) return;
    // The latest iat they cover, read from the revocations themselves rather than our clock, so
    // it covers a token issued by an instance whose clock runs ahead of ours too.
    const latestIatMs = deps.state.latestHeldIatMs(event.user);
    if (latestIatMs === undefined) return; // none records its iat (written before 0008): nothing to fold
    await revokeUser(event.user, Math.min(latestIatMs, spareFromMs - 1));
    deps.audit.info({ event: 'revocations.folded', user: event.user, held, max: deps.maxPerUser }, 'revocations of user folded into a not-before');
  }

  return {
    async revokeToken({ jti, user, expiresAtMs, issuedAtMs }) {
      // Tokens of the seed's service have fractional dates; the store keeps whole milliseconds
      // (rounded up: an expiry or an iat bound may only grow).
      const event = await deps.store.revokeToken({
        jti,
        user,
        expiresAtMs: Math.ceil(expiresAtMs) + deps.leewayMs,
        issuedAtMs: Math.ceil(issuedAtMs),
      });
      await enforce(event);
    },
    revokeUser: (user) => revokeUser(user, deps.clock.now()),
    enforce,
  };
}
