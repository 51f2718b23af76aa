/**
 * The key lifecycle as pure plans (§11): given the stored keys and the time, which records change.
 * next (published, not signing) → active (signs) → retired (verifies until the last token it
 * signed has expired) → removed (verifies nothing). The store runs a plan under its writer lock,
 * so instances deciding at the same moment decide one after the other. A plan that needs a new
 * key pair throws NeedNewKey; the caller makes one (outside the lock) and runs the plan again.
 */
import { KeyNotFound } from '../../errors.js';
import type { KeyAlgorithm, StoredKey } from '../../store/index.js';

/** expires_at of keys that have not begun to retire: never, until they do. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export interface KeyPolicy {
  /** The algorithm new keys get; HS256 means none are made. */
  alg: KeyAlgorithm | 'HS256';
  /** How long a token lives, plus clock leeway: how long a retired key must keep verifying. */
  maxTokenLifetimeMs: number;
  /** The JWKS cache lifetime: a next key is published at least this long before it signs. */
  jwksMaxAgeMs: number;
  /** Automatic rotation period; 0 = manual only. */
  rotationMs: number;
}

export class NeedNewKey extends Error {
  constructor(readonly state: 'next' | 'active') {
    super(`the plan needs a new ${state} key`);
  }
}

/** Rotation asked for before the next key has been published one JWKS max-age. */
export class NextKeyNotReady extends Error {
  constructor(
    readonly kid: string,
    readonly waitMs: number,
  ) {
    super(`next key ${kid} is not yet published for one JWKS max-age`);
  }
}

export type Plan = (keys: StoredKey[], fresh: StoredKey | undefined) => StoredKey[];

const isState = (state: StoredKey['state']) => (key: StoredKey) => key.state === state;

function freshOr(fresh: StoredKey | undefined, state: 'next' | 'active'): StoredKey {
  if (fresh === undefined) throw new NeedNewKey(state);
  return fresh;
}

/** A retired key never signs again: its private half is dropped; it verifies until its tokens expire. */
function retire(key: StoredKey, policy: KeyPolicy, nowMs: number): StoredKey {
  return { ...key, state: 'retired', sealedPrivateKey: null, expiresAtMs: nowMs + policy.maxTokenLifetimeMs };
}

/** Makes `incoming` the signing key and retires every other active key. */
function promote(keys: StoredKey[], incoming: StoredKey, policy: KeyPolicy, nowMs: number): StoredKey[] {
  const retired = keys.filter((key) => key.state === 'active' && key.kid !== incoming.kid).map((key) => retire(key, policy, nowMs));
  return [{ ...incoming, state: 'active', activatedAtMs: nowMs, expiresAtMs: NEVER }, ...retired];
}

/** The next key of the configured algorithm, if one is published. */
function nextKey(keys: StoredKey[], policy: KeyPolicy): StoredKey | undefined {
  return keys.find((key) => key.state === 'next' && key.alg === policy.alg);
}

/**
 * At start with an asymmetric algorithm: nothing when a key of that algorithm signs; otherwise
 * a published next key of it begins to sign (the HS256 → EdDSA switch, see SECURITY.md), or,
 * with none, a new key signs at once.
 */
export function startPlan(policy: KeyPolicy, nowMs: number): Plan {
  return (keys, fresh) => {
    if (policy.alg === 'HS256') return [];
    if (keys.some((key) => key.state === 'active' && key.alg === policy.alg)) return [];
    return promote(keys, nextKey(keys, policy) ?? freshOr(fresh, 'active'), policy, nowMs);
  };
}

/**
 * `keys rotate`: publishes a new next key; when one is published (for at least one JWKS
 * max-age, unless `now`), it signs from now on and the active key retires.
 */
export function rotatePlan(policy: KeyPolicy, nowMs: number, options: { now: boolean }): Plan {
  return (keys, fresh) => {
    const next = nextKey(keys, policy);
    if (next === undefined) return [freshOr(fresh, 'next')];
    const waitMs = next.createdAtMs + policy.jwksMaxAgeMs - nowMs;
    if (waitMs > 0 && !options.now) throw new NextKeyNotReady(next.kid, waitMs);
    return promote(keys, next, policy, nowMs);
  };
}

/**
 * `keys revoke <kid>`: the key verifies nothing anywhere from now on and leaves the set. Its
 * row stays (without the private half) as long as a token it signed could live, so every
 * follower learns of it. Revoking the signing key makes the next key (or a new one) sign at once.
 */
export function revokePlan(kid: string, policy: KeyPolicy, nowMs: number): Plan {
  return (keys, fresh) => {
    const key = keys.find((k) => k.kid === kid && k.state !== 'removed');
    if (key === undefined) throw new KeyNotFound(kid);
    const removed: StoredKey = { ...key, state: 'removed', sealedPrivateKey: null, expiresAtMs: nowMs + policy.maxTokenLifetimeMs };
    const others = keys.filter((k) => k.kid !== kid);
    if (key.state !== 'active' || others.some(isState('active')) || policy.alg === 'HS256') return [removed];
    return [removed, ...promote(others, nextKey(others, policy) ?? freshOr(fresh, 'active'), policy, nowMs)];
  };
}

/**
 * Automatic rotation (ATS_AUTH_KEY_ROTATION_DAYS): a next key is published one JWKS max-age
 * before the active key's period ends, and signs once both the period and that max-age have passed.
 */
export function autoRotatePlan(policy: KeyPolicy, nowMs: number): Plan {
  return (keys, fresh) => {
    if (policy.alg === 'HS256' || policy.rotationMs <= 0) return [];
    const active = keys.find((key) => key.state === 'active' && key.alg === policy.alg);
    if (active === undefined || active.activatedAtMs === null) return [];
    const dueMs = active.activatedAtMs + policy.rotationMs;
    const next = nextKey(keys, policy);
    if (next === undefined) return nowMs >= dueMs - policy.jwksMaxAgeMs ? [freshOr(fresh, 'next')] : [];
    if (nowMs >= dueMs && nowMs >= next.createdAtMs + policy.jwksMaxAgeMs) return promote(keys, next, policy, nowMs);
    return [];
  };
}
