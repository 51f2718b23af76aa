/**
 * Core pinning: the server under test gets one core, the load generator another, so they do
 * not steal each other's time. With a single core both share it (and the figures say less).
 */
import { cpus } from 'node:os';

const CORES = cpus().length;

/** Cores for the process under test. */
export const SERVER_CORES = '0';
/** Cores for wrk and the bench's own clients. */
export const LOAD_CORES = CORES > 1 ? String(CORES - 1) : '0';
/** Both cores (for --workers runs). */
export const ALL_CORES = CORES > 1 ? `0-${CORES - 1}` : '0';

export function pinned(cores: string, command: string, args: string[]): [string, string[]] {
  return ['taskset', ['-c', cores, command, ...args]];
}
