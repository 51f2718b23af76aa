/**
 * The node:cluster primary behind `serve --workers N`: forks N workers that share the listening
 * socket (the primary hands out connections round-robin), says 'ats-auth listening' once all
 * of them listen, replaces a worker that dies, and on SIGTERM/SIGINT forwards SIGTERM so each
 * worker drains, then exits 0 when all have exited. Workers keep their revocation state in step
 * through the store's change feed, exactly as separate instances do.
 */
import cluster, { type Worker } from 'node:cluster';
import { constants } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';

/** A worker that dies sooner than this after starting is restarted with a growing delay. */
const QUICK_DEATH_MS = 5_000;
const MAX_RESTART_DELAY_MS = 10_000;

export async function runPrimary(config: Readonly<Config>, logger: Logger, count: number): Promise<number> {
  const startedAt = new Map<Worker, number>();
  const listening = new Set<number>();
  let stopping = false;
  let announced = false;
  let restartDelayMs = 0;
  let exitCode = 0;

  const fork = () => startedAt.set(cluster.fork(), Date.now());

  return new Promise<number>((resolve) => {
    cluster.on('listening', (worker, address) => {
      listening.add(worker.id);
      if (announced || listening.size < count) return;
      announced = true;
      const host = address.address ?? config.host;
      logger.info({ address: [`${host}:${address.port}`], workers: count, pid: process.pid }, 'ats-auth listening');
    });

    cluster.on('exit', (worker, code, signal) => {
      const lifetimeMs = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      listening.delete(worker.id);
      if (stopping) {
        if (startedAt.size === 0) resolve(exitCode);
        return;
      }
      if (!announced) {
        // Failing before the service ever came up (bad config, store down at start): restarting would loop.
        logger.error({ worker: worker.id, code, signal }, 'a worker failed to start; stopping');
        stopping = true;
        exitCode = 1;
        stopAll();
        if (startedAt.size === 0) resolve(exitCode);
        return;
      }
      restartDelayMs = lifetimeMs < QUICK_DEATH_MS ? Math.min(Math.max(restartDelayMs * 2, 250), MAX_RESTART_DELAY_MS) : 0;
      logger.warn({ worker: worker.id, code, signal, restartInMs: restartDelayMs }, 'worker exited; starting a replacement');
      setTimeout(() => {
        if (!stopping) fork();
      }, restartDelayMs);
    });

    const stopAll = () => {
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: workers treat a second SIGTERM as "exit now" (shutdown.ts).
        logger.warn({ signal }, 'second signal: workers exit without finishing the shutdown');
        exitCode = 128 + constants.signals[signal];
        stopAll();
        return;
      }
      stopping = true;
      logger.info({ signal, workers: startedAt.size }, 'shutting down workers');
      if (startedAt.size === 0) resolve(exitCode);
      stopAll();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    logger.info({ workers: count }, 'starting workers');
    for (let i = 0; i < count; i++) fork();
  });
}
