/**
 * Revocation events as they travel outside the store: the SSE stream (src/stream/) writes them
 * as JSON and the verifier package reads them back. parseRevocationEvent() accepts only an event
 * of a known kind with every field of that kind well-formed, so a consumer never applies garbage.
 * The table below is typed over every kind of RevocationEvent: a new kind does not compile until
 * it says how its fields are checked.
 */
import type { KeyAlgorithm, KeyState, RevocationEvent } from '../store/ports.js';

type Fields = Record<string, unknown>;
type Kind = RevocationEvent['kind'];

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isInstant = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isOptionalInstant = (value: unknown): boolean => value === undefined || isInstant(value);
const KEY_ALGORITHMS: readonly unknown[] = ['EdDSA', 'ES256', 'RS256'] satisfies KeyAlgorithm[];
const KEY_STATES: readonly unknown[] = ['next', 'active', 'retired', 'removed'] satisfies KeyState[];
const isPublicJwk = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

/** For each kind: are the fields other than seq and kind well-formed? */
const FIELD_CHECKS: { [K in Kind]: (event: Fields) => boolean } = {
  token: (e) => isText(e.jti) && isText(e.user) && isInstant(e.expiresAtMs) && isOptionalInstant(e.latestIatMs),
  user: (e) => isText(e.user) && isInstant(e.notBeforeMs) && isInstant(e.expiresAtMs),
  session: (e) => isText(e.sid) && isText(e.user) && isInstant(e.expiresAtMs) && isOptionalInstant(e.latestIatMs),
  key: (e) =>
    isText(e.kid) &&
    KEY_ALGORITHMS.includes(e.alg) &&
    KEY_STATES.includes(e.state) &&
    isPublicJwk(e.publicJwk) &&
    isInstant(e.createdAtMs) &&
    (e.activatedAtMs === null || isInstant(e.activatedAtMs)) &&
    isInstant(e.expiresAtMs),
};

/** The event, or undefined when `value` is not a well-formed event of a known kind. */
export function parseRevocationEvent(value: unknown): RevocationEvent | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const event = value as Fields;
  if (!Number.isSafeInteger(event.seq) || (event.seq as number) < 0) return undefined;
  if (typeof event.kind !== 'string' || !Object.hasOwn(FIELD_CHECKS, event.kind)) return undefined;
  return FIELD_CHECKS[event.kind as Kind](event) ? (event as unknown as RevocationEvent) : undefined;
}

/** When the event stops mattering, if its kind says (every kind so far does). */
export function expiryOf(event: RevocationEvent): number | undefined {
  const expiresAtMs = (event as { expiresAtMs?: unknown }).expiresAtMs;
  return typeof expiresAtMs === 'number' ? expiresAtMs : undefined;
}
