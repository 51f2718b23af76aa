/** Drops revocations of expired tokens from memory and from the store (§3), periodically. */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { RevocationStore } from '../store/index.js';
import type { RevocationState } from './state.js';

export function startPurger(deps: {
  store: RevocationStore;
  state: RevocationState;
  clock: Clock;
  intervalMs: number;
  logger: Pick<Logger, 'warn' | 'debug'>;
}): () => void {
  const purge = async () => {
    const now = deps.clock.now();
    const fromMemory = deps.state.purge(now);
    try {
      const fromStore = await deps.store.purgeExpired(now);
      deps.logger.debug({ fromMemory, fromStore }, 'purged expired revocations and sessions');
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not purge expired rows from the store; will retry');
    }
  };
  void purge();
  const timer = setInterval(() => void purge(), deps.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
