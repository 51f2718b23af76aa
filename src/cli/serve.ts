/**
 * `ats-auth serve [--workers N|auto]`: run the HTTP service until SIGTERM/SIGINT, then drain and
 * exit 0. With more than one worker this process becomes a node:cluster primary (cluster.ts)
 * and every worker runs the same single-process server.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.js';
import { createLogger } from '../log.js';
import { startServer } from '../main.js';
import { runPrimary } from './cluster.js';
import { UsageError } from './usage.js';

export async function serveCommand(config: Readonly<Config>, args: string[]): Promise<number> {
  const workers = parseWorkers(args);
  const logger = createLogger(config.logLevel);
  if (cluster.isWorker) return serveWorker(config, logger.child({ worker: cluster.worker!.id, pid: process.pid }));
  if (workers === 1) return serveUntilSignal(config, logger, 'ats-auth listening');
  return runPrimary(config, logger, workers);
}

async function serveWorker(config: Readonly<Config>, logger: ReturnType<typeof createLogger>): Promise<number> {
  try {
    return await serveUntilSignal(config, logger, 'worker listening');
  } finally {
    // The IPC channel to the primary would keep this process alive after the server closed.
    cluster.worker!.disconnect();
  }
}

async function serveUntilSignal(
  config: Readonly<Config>,
  logger: ReturnType<typeof createLogger>,
  announce: string,
): Promise<number> {
  const server = await startServer(config, logger, undefined, announce);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C reaches the primary and its workers; the primary then forwards SIGTERM too.
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      server.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}

function parseWorkers(args: string[]): number {
  if (args.length === 0) return 1;
  const [flag, value, ...rest] = args;
  if (flag !== '--workers' || value === undefined || rest.length > 0) throw new UsageError('usage: ats-auth serve [--workers N|auto]');
  if (value === 'auto') return availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--workers must be a positive integer or 'auto', got '${value}'`);
  return Number(value);
}
