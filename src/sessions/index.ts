/** Sessions (devices), last-seen coalescing and refresh token rotation (SPEC §12). */
export { createSessions, newSessionId, type Issued, type SessionPolicy, type Sessions, type SessionView } from './service.js';
export { createRefresh, REFRESH_THROTTLE_NAME, type Refresh, type Refreshed } from './refresh.js';
export { LastSeen } from './last-seen.js';
