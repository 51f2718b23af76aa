/** `ats-auth keys list|rotate [--now]|revoke <kid>`: the signing key lifecycle (§11) over the key manager. */
import type { Core } from '../main.js';
import type { RevocationEvent } from '../store/index.js';
import { NEVER, NextKeyNotReady } from '../tokens/key-pairs/lifecycle.js';
import { isoSeconds, table } from './format.js';
import { UsageError } from './usage.js';

type Out = (text: string) => void;

const USAGE = 'usage: ats-auth keys list | keys rotate [--now] | keys revoke <kid>';

export async function keysCommand(core: Core, args: string[], out: Out): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list': {
      if (rest.length > 0) throw new UsageError(USAGE);
      const keys = await core.keyManager.list();
      out(
        table(
          ['KID', 'ALG', 'STATE', 'CREATED', 'ACTIVATED', 'UNTIL'],
          keys.map((k) => [
            k.kid,
            k.alg,
            k.state,
            isoSeconds(k.createdAtMs),
            k.activatedAtMs === null ? '-' : isoSeconds(k.activatedAtMs),
            k.expiresAtMs === NEVER ? '-' : isoSeconds(k.expiresAtMs),
          ]),
        ),
      );
      return;
    }
    case 'rotate': {
      const now = rest.length === 1 && rest[0] === '--now';
      if (rest.length > 0 && !now) throw new UsageError(USAGE);
      if (core.config.jwtAlg === 'HS256') {
        throw new UsageError(
          'keys rotate makes asymmetric keys: set ATS_AUTH_JWT_ALG to EdDSA, ES256 or RS256 (switching from HS256: see SECURITY.md)',
        );
      }
      try {
        return describe(await core.keyManager.rotate({ now }), out);
      } catch (error) {
        if (!(error instanceof NextKeyNotReady)) throw error;
        const wait = Math.ceil(error.waitMs / 1000);
        throw new UsageError(
          `next key ${error.kid} was published less than ATS_AUTH_JWKS_MAX_AGE (${core.config.jwksMaxAgeSeconds} s) ago; ` +
            `caches may not have it yet: run rotate again in ${wait} s, or with --now`,
        );
      }
    }
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError(USAGE);
      return describe(await core.keyManager.revoke(rest[0]!), out);
    }
    default:
      throw new UsageError(USAGE);
  }
}

function describe(events: RevocationEvent[], out: Out): void {
  for (const event of events) {
    if (event.kind !== 'key') continue;
    switch (event.state) {
      case 'next':
        out(`key ${event.kid} (${event.alg}) published as next; run 'keys rotate' again to make it sign\n`);
        break;
      case 'active':
        out(`key ${event.kid} (${event.alg}) now signs\n`);
        break;
      case 'retired':
        out(`key ${event.kid} retired: it verifies until ${isoSeconds(event.expiresAtMs)}\n`);
        break;
      case 'removed':
        out(`key ${event.kid} revoked: every instance refuses its tokens and drops it from the JWKS\n`);
        break;
    }
  }
}
