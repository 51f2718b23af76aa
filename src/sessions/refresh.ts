/**
 * POST /user/refresh (SPEC §12): a refresh token is exchanged for a new pair and spent. The
 * same spent token presented again within the grace window (two tabs refreshing at once) gets
 * the same pair; after it, the presentation is taken as theft and the whole session ends.
 * Throttled like login: every failed exchange counts against the client address.
 */
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientInfo } from '../auth/client.js';
import { waitPastNotBefore } from '../auth/login.js';
import type { Clock } from '../clock.js';
import { RefreshDisabled, RefreshTokenInvalid, RefreshTokenReused } from '../errors.js';
import type { RevocationState } from '../revocation/index.js';
import type { RefreshTokenRecord, SessionRecord, SessionStore } from '../store/index.js';
import type { Throttle } from '../throttle/index.js';
import type { TokenIssuer } from '../tokens/index.js';
import { isRefreshTokenShaped, newRefreshToken, openSuccessor, refreshDigest, sealSuccessor, type Pair } from './refresh-token.js';
import { tokenRecord, type Sessions } from './service.js';

/** The throttle's username for refresh attempts (no user is known before the token is checked). */
export const REFRESH_THROTTLE_NAME = '(refresh)';

export interface Refreshed {
  token: string;
  refreshToken: string;
  expiresInSeconds: number;
  /** The session's owner and id, for the audit log and metrics. */
  user: string;
  sid: string;
}

export type Refresh = (refreshToken: string, client: ClientInfo) => Promise<Refreshed>;

export function createRefresh(deps: {
  store: SessionStore;
  state: RevocationState;
  sessions: Pick<Sessions, 'endById'>;
  issuer: TokenIssuer;
  throttle: Throttle;
  clock: Clock;
  policy: { refreshTtlSeconds: number; reuseSeconds: number };
  audit: Pick<Logger, 'info' | 'warn'>;
}): Refresh {
  const { store, state, clock, policy, audit } = deps;

  /** The session, if it may still issue tokens. */
  async function liveSession(id: string): Promise<SessionRecord | null> {
    const session = await store.findSession(id);
    if (session === null || session.endedAtMs !== null || session.expiresAtMs <= clock.now()) return null;
    if (state.isSessionEnded(id)) return null;
    const notBeforeMs = state.notBeforeMs(session.user);
    if (notBeforeMs !== undefined && session.createdAtMs <= notBeforeMs) return null;
    return session;
  }

  function answer(pair: Pair, session: SessionRecord): Refreshed {
    const expiresInSeconds = Math.max(0, Math.ceil((pair.expiresAtMs - clock.now()) / 1000));
    return { token: pair.token, refreshToken: pair.refreshToken, expiresInSeconds, user: session.user, sid: session.id };
  }

  async function exchange(presented: string, record: RefreshTokenRecord, client: ClientInfo): Promise<Refreshed> {
    let current = record;
    for (let attempt = 0; attempt < 2; attempt++) {
      const session = await liveSession(current.sessionId);
      if (session === null) throw new RefreshTokenInvalid('session ended');
      if (current.spentAtMs === null) {
        await waitPastNotBefore(session.user, state, clock);
        const now = clock.now();
        const issued = deps.issuer.issue(session.user, now, session.id);
        const next = newRefreshToken();
        const nextExpiresAtMs = now + policy.refreshTtlSeconds * 1000;
        const pair = { token: issued.token, refreshToken: next, expiresAtMs: issued.expiresAtMs };
        const outcome = await store.rotateRefreshToken({
          spentDigest: current.digest,
          spentAtMs: now,
          successor: sealSuccessor(presented, pair),
          next: { digest: refreshDigest(next), sessionId: session.id, expiresAtMs: nextExpiresAtMs, spentAtMs: null, successor: null },
          token: tokenRecord(issued, session.id),
          sessionExpiresAtMs: Math.max(issued.expiresAtMs, nextExpiresAtMs),
        });
        if (outcome === 'rotated') {
          audit.info({ event: 'refresh', user: session.user, sid: session.id, jti: issued.jti, client: client.address }, 'token refreshed');
          return answer(pair, session);
        }
        if (outcome === 'ended') throw new RefreshTokenInvalid('session ended');
        // Another request spent it a moment ago: answer as a repeat of that one.
        const reread = await store.findRefreshToken(current.digest);
        if (reread === null) throw new RefreshTokenInvalid('unknown');
        current = reread;
        continue;
      }
      if (clock.now() - current.spentAtMs <= policy.reuseSeconds * 1000) {
        const pair = current.successor === null ? null : openSuccessor(presented, current.successor);
        if (pair === null) throw new RefreshTokenInvalid('successor unreadable');
        audit.info({ event: 'refresh.repeated', user: session.user, sid: session.id, client: client.address }, 'refresh repeated within the grace window');
        return answer(pair, session);
      }
      await deps.sessions.endById(session.id);
      audit.warn(
        { event: 'refresh.reused', user: session.user, sid: session.id, spentAgoMs: clock.now() - current.spentAtMs, client: client.address },
        'spent refresh token presented again: session ended',
      );
      throw new RefreshTokenReused();
    }
    throw new RefreshTokenInvalid('contended');
  }

  return async (presented, client) => {
    if (policy.refreshTtlSeconds === 0) throw new RefreshDisabled();
    const address = client.address ?? '';
    const { delayMs } = await deps.throttle.admit(REFRESH_THROTTLE_NAME, address);
    if (delayMs > 0) await sleep(delayMs);
    if (!isRefreshTokenShaped(presented)) throw new RefreshTokenInvalid('malformed');
    const record = await store.findRefreshToken(refreshDigest(presented));
    if (record === null) throw new RefreshTokenInvalid('unknown');
    if (record.expiresAtMs <= clock.now()) throw new RefreshTokenInvalid('expired');
    const refreshed = await exchange(presented, record, client);
    // Only a successful exchange clears the address's refresh failures (as a login does).
    await deps.throttle.succeeded(REFRESH_THROTTLE_NAME, address);
    return refreshed;
  };
}
