/**
 * Sessions as devices (SPEC §12): a login starts one, every token it issues carries its id as
 * `sid`, and ending it refuses all of them at once (one 'session' revocation event, O(1),
 * carried to every instance by the change feed). This is the interface the HTTP routes, the
 * account pages and the CLI use; SQL stays in the store adapters.
 */
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import type { ClientInfo } from '../auth/client.js';
import type { Clock } from '../clock.js';
import { SessionNotFound } from '../errors.js';
import type { RevocationState, Revoker } from '../revocation/index.js';
import type { IssuedTokenRecord, RevocationEvent, SessionRecord, SessionStore } from '../store/index.js';
import type { IssuedToken, TokenIssuer } from '../tokens/index.js';
import type { LastSeen } from './last-seen.js';
import { newRefreshToken, refreshDigest } from './refresh-token.js';

/** A session as the user sees it. No secrets. */
export interface SessionView {
  id: string;
  createdAtMs: number;
  lastSeenAtMs: number;
  clientAddress: string | null;
  userAgent: string | null;
  /** True for the session of the token the caller presented. */
  current: boolean;
}

/** What a login (or a refresh) hands out. */
export interface Issued extends IssuedToken {
  /** Present only when refresh tokens are on. */
  refreshToken: string | undefined;
  /** Seconds until the access token expires. */
  expiresInSeconds: number;
}

export interface Sessions {
  /** Starts a session for a user whose credentials were just accepted: its first token (and refresh token). */
  start(user: string, client: ClientInfo): Promise<Issued>;
  /** The user's live sessions, newest first; the one with id currentSid is marked current. */
  list(user: string, currentSid: string | undefined): Promise<SessionView[]>;
  /** Ends one of the user's live sessions; SessionNotFound when it is not one (whether or not the id exists). */
  end(user: string, id: string, client: ClientInfo): Promise<void>;
  /** Ends every live session of the user except keepSid; returns how many were ended. */
  endOthers(user: string, keepSid: string, client: ClientInfo): Promise<number>;
  /**
   * Ends a session whoever owns it (logout of a token with a sid, the CLI, refresh token reuse);
   * the session's record, or null when there is no such session (never issued, or purged).
   * The caller writes the audit line: it knows why.
   */
  endById(id: string): Promise<SessionRecord | null>;
  /** Any session by id, live or not (the CLI). */
  find(id: string): Promise<SessionRecord | null>;
}

export interface SessionPolicy {
  maxPerUser: number;
  /** 0: refresh tokens off. */
  refreshTtlSeconds: number;
  /** Access token TTL. */
  ttlSeconds: number;
  leewayMs: number;
}

/** 128 random bits, like a jti. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function tokenRecord(issued: IssuedToken, sessionId: string): IssuedTokenRecord {
  return { jti: issued.jti, sessionId, user: issued.subject, issuedAtMs: issued.issuedAtMs, expiresAtMs: issued.expiresAtMs };
}

export function createSessions(deps: {
  store: SessionStore;
  state: RevocationState;
  /** Enforces an ended session here and bounds the user's revocations (revocation/revoker.ts). */
  revoker: Pick<Revoker, 'enforce'>;
  issuer: TokenIssuer;
  clock: Clock;
  lastSeen: LastSeen | undefined;
  policy: SessionPolicy;
  audit: Pick<Logger, 'info'>;
}): Sessions {
  const { store, state, clock, policy, audit } = deps;

  /**
   * Persist, then apply here (read-your-writes); other processes follow the feed. spareFromMs:
   * the iat of a token being handed out, which bounding the user's revocations must spare.
   */
  async function endSession(id: string, spareFromMs?: number): Promise<RevocationEvent | null> {
    const event = await store.endSession(id, clock.now(), policy.leewayMs);
    if (event) await deps.revoker.enforce(event, spareFromMs);
    return event;
  }

  async function enforceCap(user: string, client: ClientInfo, issuedAtMs: number): Promise<void> {
    const live = await store.listSessions(user, clock.now());
    // Newest first: everything past the cap is the oldest.
    for (const session of live.slice(policy.maxPerUser)) {
      await endSession(session.id, issuedAtMs);
      audit.info({ event: 'session.ended', reason: 'cap', user, sid: session.id, client: client.address }, 'session ended');
    }
  }

  const lastSeenOf = (session: SessionRecord) =>
    Math.max(session.lastSeenAtMs, deps.lastSeen?.pendingFor(session.id) ?? -Infinity);

  return {
    async start(user, client) {
      const now = clock.now();
      const id = newSessionId();
      const issued = deps.issuer.issue(user, now, id);
      const refreshToken = policy.refreshTtlSeconds > 0 ? newRefreshToken() : undefined;
      const refreshExpiresAtMs = now + policy.refreshTtlSeconds * 1000;
      await store.createSession(
        {
          id,
          user,
          createdAtMs: now,
          lastSeenAtMs: now,
          expiresAtMs: refreshToken ? Math.max(issued.expiresAtMs, refreshExpiresAtMs) : issued.expiresAtMs,
          endedAtMs: null,
          clientAddress: client.address,
          userAgent: client.userAgent,
        },
        tokenRecord(issued, id),
        refreshToken
          ? { digest: refreshDigest(refreshToken), sessionId: id, expiresAtMs: refreshExpiresAtMs, spentAtMs: null, successor: null }
          : null,
      );
      await enforceCap(user, client, issued.issuedAtMs);
      return { ...issued, refreshToken, expiresInSeconds: policy.ttlSeconds };
    },

    async list(user, currentSid) {
      const live = await store.listSessions(user, clock.now());
      return live
        .filter((s) => !state.isSessionEnded(s.id))
        .map((s) => ({
          id: s.id,
          createdAtMs: s.createdAtMs,
          lastSeenAtMs: lastSeenOf(s),
          clientAddress: s.clientAddress,
          userAgent: s.userAgent,
          current: s.id === currentSid,
        }));
    },

    async end(user, id, client) {
      const session = await store.findSession(id);
      if (session === null || session.user !== user || session.endedAtMs !== null || session.expiresAtMs <= clock.now()) {
        throw new SessionNotFound();
      }
      await endSession(id);
      audit.info({ event: 'session.ended', reason: 'user', user, sid: id, client: client.address }, 'session ended');
    },

    async endOthers(user, keepSid, client) {
      const live = await store.listSessions(user, clock.now());
      let ended = 0;
      for (const session of live) {
        if (session.id === keepSid) continue;
        await endSession(session.id);
        ended++;
      }
      audit.info({ event: 'session.ended_others', user, kept: keepSid, ended, client: client.address }, 'other sessions ended');
      return ended;
    },

    async endById(id) {
      const session = await store.findSession(id);
      if (session === null) return null;
      await endSession(id);
      return session;
    },

    find: (id) => store.findSession(id),
  };
}
