/**
 * Login: ask the throttle (before any hashing, so guessing costs the attacker, not us), check
 * the password, start a session (its first token, recorded), then check the account once more —
 * in that order. The last check closes the race with `user disable/remove/passwd`: those change
 * the user first and write the not-before after, so a login whose re-read missed the change has
 * an iat at or before that not-before, and one whose re-read saw it answers 401 (its session ended).
 */
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { CredentialVerifier } from '../credentials/index.js';
import { CredentialBackendUnavailable, InvalidCredentials, Throttled } from '../errors.js';
import type { RevocationState } from '../revocation/index.js';
import type { Issued, Sessions } from '../sessions/index.js';
import type { Admission, Throttle } from '../throttle/index.js';
import type { ClientInfo } from './client.js';
import type { NameForLog } from './log-name.js';

export type Login = (credentials: { username: string; password: string }, client: ClientInfo) => Promise<Issued>;

export function createLogin(deps: {
  verifier: CredentialVerifier;
  throttle: Throttle;
  sessions: Pick<Sessions, 'start' | 'endById'>;
  state: RevocationState;
  clock: Clock;
  audit: Pick<Logger, 'info'>;
  /** An attempted username as logs may show it: unknown names only as a digest. */
  nameForLog: NameForLog;
}): Login {
  return async ({ username, password }, client) => {
    const address = client.address ?? '';
    let admission: Admission;
    try {
      admission = await deps.throttle.admit(username, address);
    } catch (error) {
      if (error instanceof Throttled) {
        const retryAfter = error.retryAfterSeconds;
        const name = await deps.nameForLog(username);
        deps.audit.info({ event: 'login.throttled', ...name, client: client.address, retryAfter }, 'login throttled');
      }
      throw error;
    }
    if (admission.delayMs > 0) await sleep(admission.delayMs);
    let verdict;
    try {
      verdict = await deps.verifier.verify(username, password);
    } catch (error) {
      if (error instanceof CredentialBackendUnavailable) {
        // Nothing was guessed: an outage must not use up the user's budget (or lock them out).
        await admission.withdraw();
        const fields = { event: 'login.unavailable', ...(await deps.nameForLog(username)), client: client.address, backends: error.backends };
        deps.audit.info(fields, 'login not decided: credential backend unavailable');
      }
      throw error;
    }
    if (!verdict.accepted) {
      // Already counted by admit(); only a success uncounts it.
      // A backend that rejected the password knows the user; none deciding means nobody does.
      const name = await deps.nameForLog(username, verdict.backend !== null);
      const fields = { event: 'login.failed', ...name, client: client.address, backend: verdict.backend, reason: verdict.reason };
      deps.audit.info(fields, 'login failed');
      throw new InvalidCredentials();
    }
    await deps.throttle.succeeded(username, address);
    await waitPastNotBefore(verdict.subject, deps.state, deps.clock);
    const issued = await deps.sessions.start(verdict.subject, client);
    if (verdict.stillValid !== undefined && !(await verdict.stillValid())) {
      await deps.sessions.endById(issued.sid!);
      const fields = { event: 'login.superseded', user: issued.subject, jti: issued.jti, sid: issued.sid, client: client.address, backend: verdict.backend };
      deps.audit.info(fields, 'login refused: the account changed while it was checked');
      throw new InvalidCredentials();
    }
    const fields = { event: 'login.ok', user: issued.subject, jti: issued.jti, sid: issued.sid, client: client.address, backend: verdict.backend };
    deps.audit.info(fields, 'login ok');
    return issued;
  };
}

/**
 * iat has whole seconds, and a logout_all refuses tokens with iat at or before its instant;
 * a token issued in the same second as a logout_all would be born revoked. Wait (< 1 s) for
 * the next second instead.
 */
export async function waitPastNotBefore(user: string, state: RevocationState, clock: Clock): Promise<void> {
  const notBeforeMs = state.notBeforeMs(user);
  if (notBeforeMs === undefined) return;
  const firstValidSecondMs = (Math.floor(notBeforeMs / 1000) + 1) * 1000;
  // A timer measures from the event loop's cached time, so it can fire before the wall clock
  // gets there on a busy process: check again rather than trust one sleep.
  for (let waitMs = firstValidSecondMs - clock.now(); waitMs > 0; waitMs = firstValidSecondMs - clock.now()) await sleep(waitMs);
}
