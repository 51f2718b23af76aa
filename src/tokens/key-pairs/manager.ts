/**
 * Runs the lifecycle plans against the store (CLI commands, start-up, the rotation timer) and
 * applies their events to this process's state at once (read-your-writes); other processes learn
 * them from the change feed. New key pairs are made outside the store's lock, only when a plan
 * needs one.
 */
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { KeyAlgorithm, KeyStore, RevocationEvent, StoredKey } from '../../store/index.js';
import { newKeyPair } from './algorithms.js';
import { autoRotatePlan, NeedNewKey, NEVER, revokePlan, rotatePlan, startPlan, type KeyPolicy, type Plan } from './lifecycle.js';
import type { Sealer } from './seal.js';

export interface KeyManager {
  readonly policy: KeyPolicy;
  /** Every key that still matters, oldest first. */
  list(): Promise<StoredKey[]>;
  /** At start: makes sure a key of the configured algorithm signs. */
  ensureSigningKey(): Promise<RevocationEvent[]>;
  rotate(options: { now: boolean }): Promise<RevocationEvent[]>;
  revoke(kid: string): Promise<RevocationEvent[]>;
  autoRotate(): Promise<RevocationEvent[]>;
  /** The private key (PKCS#8 PEM) of a key that may sign; throws KeysUnreadable for a wrong secret. */
  privateKey(kid: string): Promise<string | undefined>;
}

export function createKeyManager(deps: {
  store: KeyStore;
  /** Where this process applies the events it caused. */
  apply: (event: RevocationEvent) => void;
  policy: KeyPolicy;
  /** Absent when no service secret is loaded (HS256): then no key can be made or opened. */
  sealer: Sealer | undefined;
  clock: Clock;
}): KeyManager {
  const { store, policy, clock } = deps;

  const sealer = (): Sealer => {
    if (deps.sealer === undefined) throw new Error('no service secret loaded to seal signing keys');
    return deps.sealer;
  };

  async function makeKey(state: 'next' | 'active'): Promise<StoredKey> {
    const pair = await newKeyPair(policy.alg as KeyAlgorithm);
    return {
      kid: pair.kid,
      alg: pair.alg,
      state,
      publicJwk: pair.publicJwk,
      createdAtMs: clock.now(),
      activatedAtMs: null,
      expiresAtMs: NEVER,
      sealedPrivateKey: sealer().seal(pair.kid, pair.privatePem),
    };
  }

  async function run(makePlan: (nowMs: number) => Plan): Promise<RevocationEvent[]> {
    let fresh: StoredKey | undefined;
    for (;;) {
      // Errors of the plan other than domain ones are carried out of the store's transaction
      // here (the adapters report any other failure as the store's).
      let planError: unknown;
      const nowMs = clock.now();
      const plan = makePlan(nowMs);
      const events = await store.updateKeys(nowMs, (keys) => {
        try {
          return plan(keys, fresh);
        } catch (error) {
          if (error instanceof AppError) throw error;
          planError = error;
          return [];
        }
      });
      if (planError instanceof NeedNewKey && fresh === undefined) {
        fresh = await makeKey(planError.state);
        continue;
      }
      if (planError !== undefined) throw planError;
      for (const event of events) deps.apply(event);
      return events;
    }
  }

  return {
    policy,
    list: () => store.listKeys(clock.now()),
    ensureSigningKey: () => run((nowMs) => startPlan(policy, nowMs)),
    rotate: (options) => run((nowMs) => rotatePlan(policy, nowMs, options)),
    revoke: (kid) => run((nowMs) => revokePlan(kid, policy, nowMs)),
    autoRotate: () => run((nowMs) => autoRotatePlan(policy, nowMs)),
    async privateKey(kid) {
      const key = (await store.listKeys(clock.now())).find((k) => k.kid === kid);
      if (key?.sealedPrivateKey == null) return undefined;
      return sealer().open(kid, key.sealedPrivateKey);
    },
  };
}
