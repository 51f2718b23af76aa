/**
 * Which asymmetric key this process signs with: the ring's active key, once its private half
 * has been loaded from the store and opened. Private keys are loaded as soon as a key is
 * published as next, so a rotation arriving through the feed switches signing at once; until
 * a key is loaded, the previous one keeps signing (it verifies everywhere until its tokens expire).
 */
import { createSigner } from 'fast-jwt';
import type { Logger } from 'pino';
import type { PublicKeyRecord } from '../../store/index.js';
import type { KeyRing } from './ring.js';

export interface ClaimsSigner {
  /** Undefined for the single unnamed HS256 secret (no kid header). */
  kid: string | undefined;
  sign(claims: Record<string, unknown>): string;
}

export class KeyPairSigners {
  readonly #signers = new Map<string, ClaimsSigner>();
  readonly #failed = new Set<string>();
  #last: ClaimsSigner | undefined;
  #loading: Promise<void> | undefined;
  #again = false;
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: {
      ring: KeyRing;
      loadPrivateKey: (kid: string) => Promise<string | undefined>;
      logger: Pick<Logger, 'error' | 'info'>;
    },
  ) {}

  /** Loads the keys that may sign (throws if one cannot be opened) and follows the ring. */
  async start(): Promise<void> {
    await this.#loadAll(true);
    this.#unsubscribe = this.deps.ring.onChange(() => void this.refresh());
  }

  stop(): void {
    this.#unsubscribe?.();
  }

  /** Loads private keys of next/active keys not loaded yet; concurrent calls coalesce. */
  refresh(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = this.#loadAll(false).finally(() => {
      this.#loading = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#loading;
  }

  /** The signer of the active key, or the last one used while that is not loaded yet. */
  current(): ClaimsSigner | undefined {
    const active = this.deps.ring.active();
    const signer = active === undefined ? undefined : this.#signers.get(active.kid);
    if (signer !== undefined) {
      this.#last = signer;
      return signer;
    }
    // A revoked key never signs again, whatever happens to loading the new one.
    if (this.#last?.kid !== undefined && this.deps.ring.get(this.#last.kid) === undefined) this.#last = undefined;
    return this.#last;
  }

  async #loadAll(throwing: boolean): Promise<void> {
    for (const kid of this.#signers.keys()) {
      const state = this.deps.ring.get(kid)?.state;
      if (state !== 'next' && state !== 'active') this.#signers.delete(kid);
    }
    for (const key of this.deps.ring.all()) {
      if ((key.state !== 'next' && key.state !== 'active') || this.#signers.has(key.kid)) continue;
      try {
        const pem = await this.deps.loadPrivateKey(key.kid);
        if (pem !== undefined) this.#signers.set(key.kid, signerFor(key, pem));
        this.#failed.delete(key.kid);
      } catch (error) {
        if (throwing) throw error;
        if (!this.#failed.has(key.kid)) this.deps.logger.error({ err: error, kid: key.kid }, 'cannot load signing key');
        this.#failed.add(key.kid);
      }
    }
  }
}

function signerFor(key: PublicKeyRecord, privatePem: string): ClaimsSigner {
  const sign = createSigner({ key: privatePem, algorithm: key.alg, kid: key.kid });
  return { kid: key.kid, sign: (claims) => sign(claims) };
}
