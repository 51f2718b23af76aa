/** `ats-auth serve`: run the HTTP service until SIGTERM/SIGINT, then drain and exit (see shutdown.ts). */
import type { Config } from '../config/index.js';
import { createLogger } from '../log.js';
import { startServer } from '../main.js';
import { stopOnSignal } from './shutdown.js';
import { startupFailure } from './startup-failure.js';
import { UsageError } from './usage.js';

export async function serveCommand(config: Readonly<Config>, args: string[]): Promise<number> {
  const workers = parseWorkers(args);
  if (workers !== 1) throw new UsageError('--workers above 1 is not supported yet');
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger).catch((error: unknown) => {
    throw startupFailure(error, config);
  });
  return stopOnSignal(server, { timeoutMs: config.shutdownTimeoutMs, logger });
}

function parseWorkers(args: string[]): number {
  if (args.length === 0) return 1;
  const [flag, value, ...rest] = args;
  if (flag !== '--workers' || value === undefined || rest.length > 0) throw new UsageError('usage: ats-auth serve [--workers N|auto]');
  if (value === 'auto') return 0;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--workers must be a positive integer or 'auto', got '${value}'`);
  return Number(value);
}
