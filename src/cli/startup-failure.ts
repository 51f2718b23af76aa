/**
 * Turns the usual reasons `serve` cannot start into one line an operator can act on: which
 * address or store, which setting, and the system's own reason. Never prints credentials.
 */
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { StoreUnavailable } from '../errors.js';

const LISTEN_REASONS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'the address is not available on this machine',
};

export function startupFailure(error: unknown, config: Readonly<Config>): Error {
  const listen = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const reason = listen?.syscall === 'listen' && listen.code ? LISTEN_REASONS[listen.code] : undefined;
  if (reason !== undefined) {
    const setting = listen.port !== undefined && listen.port === config.metricsPort ? 'ATS_AUTH_METRICS_PORT' : 'ATS_AUTH_PORT';
    return new Error(`cannot listen on ${listen.address}:${listen.port}: ${reason} (${setting}, ATS_AUTH_HOST)`);
  }
  if (error instanceof StoreUnavailable) {
    return new Error(`cannot open the store, ${storeTarget(config)}: ${firstLine(error.cause)}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function storeTarget(config: Readonly<Config>): string {
  if (config.databaseUrl === undefined) return `data directory '${resolve(config.dataDir)}' (ATS_AUTH_DATA_DIR)`;
  let host = 'unknown host';
  try {
    host = new URL(config.databaseUrl).host;
  } catch {
    // load.ts has validated the URL; keep the message useful regardless.
  }
  return `PostgreSQL at ${host} (ATS_AUTH_DATABASE_URL)`;
}

function firstLine(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split('\n')[0] ?? text;
}
