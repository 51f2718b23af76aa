/**
 * Bounded waits on the store. A database behind a path that silently drops packets (a black-holed
 * route, a frozen VM) does not reset the connection: without a bound, a query would wait for TCP
 * keepalive, minutes. Each store call gets a deadline instead; past it the caller gets
 * StoreUnavailable (503), while the query itself is left to finish or fail on its connection.
 * A write whose answer was lost that way may still commit later: the client was told 503 and
 * retries; a revocation that lands late is only stricter, never a lost one.
 */
import { StoreUnavailable } from '../errors.js';
import type { Store } from './ports.js';

/**
 * Calls that legitimately take long on a large store, and that no client waits on: loading the
 * snapshot at start (millions of rows) and the periodic purges.
 */
const UNBOUNDED = new Set(['snapshot', 'purgeExpired', 'purgeFailures', 'migrate', 'close']);

class DeadlinePassed extends Error {
  constructor(ms: number) {
    super(`the store did not answer within ${ms} ms`);
  }
}

/** Rejects with StoreUnavailable when `work` has not settled within ms. */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailable(new DeadlinePassed(ms))), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The same port with every method (but the UNBOUNDED ones) bounded by the deadline. */
function bounded<T extends object>(port: T, ms: number): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(port)) {
    wrapped[name] =
      typeof value === 'function' && !UNBOUNDED.has(name)
        ? (...args: unknown[]) => withinDeadline(Promise.resolve(value.apply(port, args)), ms)
        : value;
  }
  return wrapped as T;
}

/** Every port of the store (and ping) bounded by the deadline; the change signal is left alone. */
export function withDeadlines(store: Store, ms: number): Store {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (name === 'ping') result[name] = () => withinDeadline(store.ping(), ms);
    else if (name === 'changeSignal' || typeof value !== 'object' || value === null) result[name] = value;
    else result[name] = bounded(value, ms);
  }
  for (const name of ['migrate', 'close'] as const) result[name] = store[name].bind(store);
  return result as unknown as Store;
}
