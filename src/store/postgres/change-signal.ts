/**
 * Wake-ups for revocation feed followers through LISTEN/NOTIFY, on one dedicated connection.
 * A notification can be lost while that connection is down, so each time LISTEN is
 * (re-)established the subscribers are woken once more: the feed then reads everything after
 * its cursor and nothing stored meanwhile is missed. Polling covers the time in between.
 */
import postgres from 'postgres';
import type { ChangeSignal } from '../ports.js';

export const REVOCATION_CHANNEL = 'ats_auth_revocations';

/** Delay before trying to LISTEN again after the connection was lost or refused. */
const RETRY_MS = 500;

export interface ListenSignal extends ChangeSignal {
  close(): Promise<void>;
}

/** Connects only when the first subscriber arrives (the CLI never does). */
export function createListenSignal(url: string, options: postgres.Options<{}>): ListenSignal {
  const subscribers = new Set<() => void>();
  let sql: postgres.Sql | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const wake = () => {
    for (const subscriber of subscribers) subscriber();
  };

  const scheduleListen = () => {
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      void listen();
    }, RETRY_MS);
    retry.unref();
  };

  async function listen(): Promise<void> {
    try {
      await sql!.unsafe(`LISTEN ${REVOCATION_CHANNEL}`);
      wake();
    } catch {
      // Unreachable: the feed's staleness bound and its own log report it; keep trying.
      scheduleListen();
    }
  }

  function connect(): void {
    // `onnotify` is the client's connection-level hook (what its own sql.listen() uses, but
    // that one gives up when re-listening fails while the database is down); it is not in the
    // type definitions, hence the cast.
    const listenOptions = {
      ...options,
      max: 1,
      idle_timeout: undefined,
      max_lifetime: null,
      onnotify: wake,
      // Fired when the listening connection drops: LISTEN again on a new one, then wake.
      onclose: scheduleListen,
    } as postgres.Options<{}>;
    sql = postgres(url, listenOptions);
    void listen();
  }

  return {
    subscribe(onChange) {
      subscribers.add(onChange);
      if (sql === undefined && !closed) connect();
      return () => subscribers.delete(onChange);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await sql?.end({ timeout: 1 });
    },
  };
}
