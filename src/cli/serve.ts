/**
 * `ats-auth serve [--workers N|auto]`: run the HTTP service until SIGTERM/SIGINT, then drain and
 * exit (see shutdown.ts). With more than one worker this process becomes a node:cluster primary
 * (cluster.ts) and every worker runs the same single-process server.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { createLogger } from '../log.js';
import { warnUnknownEnvironment } from './env-warnings.js';
import { startServer } from '../main.js';
import { groupMetrics, serveGroupMetrics } from '../metrics/cluster.js';
import { runPrimary } from './cluster.js';
import { stopOnSignal } from './shutdown.js';
import { startupFailure } from './startup-failure.js';
import { UsageError } from './usage.js';

export async function serveCommand(config: Readonly<Config>, args: string[]): Promise<number> {
  const workers = parseWorkers(args);
  const logger = createLogger(config.logLevel);
  if (cluster.isWorker) return serveWorker(config, logger.child({ worker: cluster.worker!.id, pid: process.pid }));
  warnUnknownEnvironment(logger);
  if (workers === 1) return serve(config, logger, 'ats-auth listening', ['SIGTERM', 'SIGINT']);
  serveGroupMetrics();
  return runPrimary(config, logger, workers);
}

async function serveWorker(config: Readonly<Config>, logger: Logger): Promise<number> {
  // A terminal's Ctrl-C reaches the workers as well as the primary, which then forwards SIGTERM;
  // counting both would make the second one an immediate exit. Workers obey only SIGTERM.
  process.on('SIGINT', () => {});
  try {
    return await serve(config, logger, 'worker listening', ['SIGTERM'], groupMetrics);
  } finally {
    // The IPC channel to the primary would keep this process alive after the server closed.
    cluster.worker!.disconnect();
  }
}

async function serve(
  config: Readonly<Config>,
  logger: Logger,
  announce: string,
  signals: NodeJS.Signals[],
  expose?: Parameters<typeof startServer>[4],
): Promise<number> {
  const server = await startServer(config, logger, undefined, announce, expose).catch((error: unknown) => {
    throw startupFailure(error, config);
  });
  return stopOnSignal(server, { timeoutMs: config.shutdownTimeoutMs, logger, signals });
}

function parseWorkers(args: string[]): number {
  if (args.length === 0) return 1;
  const [flag, value, ...rest] = args;
  if (flag !== '--workers' || value === undefined || rest.length > 0) throw new UsageError('usage: ats-auth serve [--workers N|auto]');
  if (value === 'auto') return availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--workers must be a positive integer or 'auto', got '${value}'`);
  return Number(value);
}
