/** The snapshot's sink for callers that want events (the SSE hub, tests): both adapters use it. */
import type { RevocationEvent, SnapshotSink } from './ports.js';

export function toSink(into: SnapshotSink | ((event: RevocationEvent) => void)): SnapshotSink {
  return typeof into === 'function' ? eventSink(into) : into;
}

/** A sink that hands each revocation on as the event the feed would carry for its row. */
export function eventSink(onEvent: (event: RevocationEvent) => void): SnapshotSink {
  // latestIatMs is left out rather than undefined: events travel as JSON and are compared whole in tests.
  const latest = (latestIatMs: number | undefined) => (latestIatMs === undefined ? {} : { latestIatMs });
  return {
    key: onEvent,
    user: (seq, user, notBeforeMs, expiresAtMs) => onEvent({ seq, kind: 'user', user, notBeforeMs, expiresAtMs }),
    token: (seq, jti, user, expiresAtMs, latestIatMs) =>
      onEvent({ seq, kind: 'token', jti, user, expiresAtMs, ...latest(latestIatMs) }),
    session: (seq, sid, user, expiresAtMs, latestIatMs) =>
      onEvent({ seq, kind: 'session', sid, user, expiresAtMs, ...latest(latestIatMs) }),
  };
}
