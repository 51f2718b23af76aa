/**
 * Graceful shutdown for `serve`. The first SIGTERM/SIGINT stops accepting connections, lets
 * in-flight requests finish within a bound (ATS_AUTH_SHUTDOWN_TIMEOUT_MS), then closes the feed
 * and the store; a supervisor that has waited long enough sends a second signal, which exits at once.
 */
import { constants } from 'node:os';
import type { Logger } from 'pino';

export interface Stoppable {
  close(): Promise<void>;
  dropConnections(): void;
}

/**
 * Resolves with the exit code once the server has stopped: 0 when every in-flight request
 * finished, 1 when the bound cut some off or closing failed. A second signal exits 128 + signo.
 */
export function stopOnSignal(
  server: Stoppable,
  options: { timeoutMs: number; logger: Logger; signals: readonly NodeJS.Signals[] },
): Promise<number> {
  const { timeoutMs, logger } = options;
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without finishing the shutdown');
        process.exit(128 + constants.signals[signal]);
      }
      stopping = true;
      logger.info({ signal, timeoutMs }, 'shutting down: no new connections, finishing in-flight requests');
      let cutOff = false;
      const bound = setTimeout(() => {
        cutOff = true;
        logger.warn({ timeoutMs }, 'shutdown bound reached: dropping the remaining connections');
        server.dropConnections();
      }, timeoutMs);
      server.close().then(
        () => {
          clearTimeout(bound);
          logger.info('stopped');
          resolve(cutOff ? 1 : 0);
        },
        (error: unknown) => {
          clearTimeout(bound);
          logger.error({ err: error }, 'error while shutting down');
          resolve(1);
        },
      );
    };
    for (const signal of options.signals) process.on(signal, onSignal);
  });
}
