/**
 * Counting decorators over the domain services, applied in the composition root so the
 * services themselves stay free of metrics.
 */
import type { Login } from '../auth/login.js';
import type { Logout } from '../auth/logout.js';
import type { Refresh } from '../sessions/index.js';
import { AppError, FeedStale, TokenInvalid } from '../errors.js';
import type { LoginOutcome, Metrics, RefreshOutcome, VerifyOutcome } from './registry.js';

export function instrumentLogin(login: Login, metrics: Pick<Metrics, 'logins' | 'sessionsIssued'>): Login {
  return async (credentials, client) => {
    try {
      const issued = await login(credentials, client);
      metrics.logins.ok.inc();
      metrics.sessionsIssued.inc();
      return issued;
    } catch (error) {
      metrics.logins[loginFailure(error)].inc();
      throw error;
    }
  };
}

function loginFailure(error: unknown): LoginOutcome {
  const code = error instanceof AppError ? error.code : undefined;
  if (code === 'invalid_credentials') return 'bad_credentials';
  if (code === 'throttled') return 'throttled';
  return 'error';
}

export function instrumentLogout(logout: Logout, metrics: Pick<Metrics, 'logouts' | 'logoutAlls'>): Logout {
  return {
    ...logout,
    async logout(token, client) {
      await logout.logout(token, client);
      metrics.logouts.inc();
    },
    async logoutAll(user, client, options) {
      await logout.logoutAll(user, client, options);
      metrics.logoutAlls.inc();
    },
  };
}

export function instrumentRefresh(refresh: Refresh, metrics: Pick<Metrics, 'refreshes'>): Refresh {
  return async (token, client) => {
    try {
      const refreshed = await refresh(token, client);
      metrics.refreshes.ok.inc();
      return refreshed;
    } catch (error) {
      metrics.refreshes[refreshFailure(error)].inc();
      throw error;
    }
  };
}

function refreshFailure(error: unknown): RefreshOutcome {
  const code = error instanceof AppError ? error.code : undefined;
  if (code === 'refresh_token_reused') return 'reused';
  if (code === 'invalid_refresh_token') return 'invalid';
  if (code === 'throttled') return 'throttled';
  if (code === 'refresh_disabled') return 'disabled';
  return 'error';
}

/** Counts what /user/verify answers (reported by http/routes/verify.ts and, for the successes it serves, http/verify-fast-path.ts). */
export function verifyOutcomes(metrics: Pick<Metrics, 'verifies'>): { ok(): void; refused(error: unknown): void } {
  const counters = metrics.verifies;
  return {
    ok: () => counters.ok.inc(),
    refused: (error) => counters[verifyFailure(error)].inc(),
  };
}

function verifyFailure(error: unknown): VerifyOutcome {
  if (error instanceof TokenInvalid) return error.reason === 'revoked' ? 'revoked' : 'invalid';
  if (error instanceof FeedStale) return 'stale';
  return 'error';
}
