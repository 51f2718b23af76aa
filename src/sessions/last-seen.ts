/**
 * Last-seen times of sessions, coalesced in memory. Verify calls seen() (one Map write, no I/O);
 * a timer writes what changed to the store at most once per interval, in one batch. A session
 * used a million times between two flushes costs one row update.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { SessionStore } from '../store/index.js';

/** Rows per store call when flushing: bounded transactions. */
const FLUSH_BATCH = 1000;

export class LastSeen {
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      store: Pick<SessionStore, 'touchSessions'>;
      clock: Clock;
      intervalMs: number;
      logger: Pick<Logger, 'warn'>;
    },
  ) {}

  /** The hot path: remembers that the session was used now. */
  seen(sid: string): void {
    this.#pending.set(sid, this.deps.clock.now());
  }

  /** This process's latest unwritten sighting of the session, if any. */
  pendingFor(sid: string): number | undefined {
    return this.#pending.get(sid);
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.deps.intervalMs);
    this.#timer.unref();
  }

  /** Writes every pending sighting; on failure they are kept (newer ones win) for the next round. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#pending.size === 0) return Promise.resolve();
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#write(batch).finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #write(batch: Map<string, number>): Promise<void> {
    const entries = [...batch];
    for (let i = 0; i < entries.length; i += FLUSH_BATCH) {
      const chunk = entries.slice(i, i + FLUSH_BATCH);
      try {
        await this.deps.store.touchSessions(new Map(chunk));
      } catch (error) {
        this.deps.logger.warn({ err: error, sessions: entries.length - i }, 'could not write last-seen times; will retry');
        for (const [sid, atMs] of entries.slice(i)) {
          if ((this.#pending.get(sid) ?? -Infinity) < atMs) this.#pending.set(sid, atMs);
        }
        return;
      }
    }
  }

  /** Stops the timer and writes what is pending (shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#flushing;
    await this.flush();
  }
}
