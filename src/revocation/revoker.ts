/**
 * Revokes tokens: persist to the store first, then apply to this process's memory, so a 204
 * is only sent for a revocation that is both durable and already enforced here
 * (read-your-writes). Other processes pick it up through the change feed.
 */
import type { Clock } from '../clock.js';
import type { RevocationStore } from '../store/index.js';
import type { RevocationState } from './state.js';

export interface Revoker {
  /** Revokes one token until it expires; `jti` is the token's revocationId (jti or digest). */
  revokeToken(token: { jti: string; user: string; expiresAtMs: number }): Promise<void>;
  /** Refuses every token of `user` issued up to now; O(1) whatever the number of tokens. */
  revokeUser(user: string): Promise<void>;
}

export function createRevoker(deps: {
  store: RevocationStore;
  state: RevocationState;
  clock: Clock;
  /** How long this process lets a token live (TTL + leeway); the store may keep a user revocation longer. */
  maxTokenLifetimeMs: number;
  /** How long past its exp a token revocation is kept (the largest leeway any process may use). */
  leewayMs: number;
}): Revoker {
  return {
    async revokeToken({ jti, user, expiresAtMs }) {
      // Tokens of the seed's service have fractional dates; the store keeps whole milliseconds.
      const event = await deps.store.revokeToken({ jti, user, expiresAtMs: Math.ceil(expiresAtMs) + deps.leewayMs });
      deps.state.apply(event);
    },
    async revokeUser(user) {
      const notBeforeMs = deps.clock.now();
      const event = await deps.store.revokeUser({ user, notBeforeMs, expiresAtMs: notBeforeMs + deps.maxTokenLifetimeMs });
      deps.state.apply(event);
    },
  };
}
