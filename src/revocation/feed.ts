/**
 * Follows the store's revocation log into memory: a snapshot at start, then every event after
 * the cursor, read on each wake-up signal and on a poll timer. Tracks when it last read the
 * store successfully, so verify can fail closed when the state may be stale (§3).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ChangeSignal, CheckpointStore, RevocationEvent, RevocationStore } from '../store/index.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';
import { RevocationState } from './state.js';

const PAGE_SIZE = 1000;

/** Told every page of events the feed applied, in seq order (the SSE stream's fan-out). */
export type FeedListener = (events: readonly RevocationEvent[]) => void;

/**
 * Told after the feed reloaded a log that went backwards: the state is now the store's snapshot
 * as of `cursor`, and events told before may be gone from it.
 */
export type ReloadListener = (cursor: number) => void;

export class RevocationFeed {
  #cursor = 0;
  #startedFrom = 0;
  #passedOver = 0;
  #lastSyncMs = -Infinity;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #failing = false;
  #stopped = false;
  readonly #listeners = new Set<FeedListener>();
  readonly #reloadListeners = new Set<ReloadListener>();

  constructor(
    private readonly deps: {
      store: RevocationStore;
      /** Where a checkpoint of the state may be kept; start() loads it and then only the log after it. */
      checkpoints?: CheckpointStore | undefined;
      signal: ChangeSignal | undefined;
      state: RevocationState;
      clock: Clock;
      pollMs: number;
      staleMs: number;
      logger: Pick<Logger, 'warn' | 'info'>;
    },
  ) {}

  /**
   * Loads the state (throws if the store is unreachable) and starts following: the checkpoint if
   * there is one, then the snapshot of the rows after it.
   */
  async start(): Promise<void> {
    this.deps.state.clear();
    const startedMs = this.deps.clock.now();
    let after = await this.#restoreCheckpoint();
    this.#cursor = await this.deps.store.snapshot(this.deps.clock.now(), this.deps.state, after);
    if (this.#cursor < after) {
      // The log is behind its own checkpoint (its sequence was reset): trust the rows only.
      this.deps.logger.warn({ checkpoint: after, head: this.#cursor }, 'the revocation checkpoint is ahead of the log: reading the log instead');
      this.deps.state.clear();
      this.#passedOver = after;
      after = 0;
      this.#cursor = await this.deps.store.snapshot(this.deps.clock.now(), this.deps.state);
    }
    this.#startedFrom = after;
    const { state } = this.deps;
    this.deps.logger.info(
      {
        checkpoint: after === 0 ? null : after,
        cursor: this.#cursor,
        revocations: state.revokedTokenCount + state.endedSessionCount + state.notBeforeCount,
        ms: this.deps.clock.now() - startedMs,
      },
      'revocation state loaded',
    );
    this.#lastSyncMs = this.deps.clock.now();
    this.#unsubscribe = this.deps.signal?.subscribe(() => void this.sync());
    this.#timer = setInterval(() => void this.sync(), this.deps.pollMs);
    this.#timer.unref();
  }

  /** Loads the stored checkpoint into the (empty) state; returns its cursor, or 0 when none was loaded. */
  async #restoreCheckpoint(): Promise<number> {
    const checkpoint = await this.deps.checkpoints?.read();
    if (!checkpoint) return 0;
    if (checkpoint.format !== CHECKPOINT_FORMAT) {
      checkpoint.close();
      this.#passedOver = checkpoint.cursor;
      this.deps.logger.info({ format: checkpoint.format }, 'the revocation checkpoint has another format: reading the log instead');
      return 0;
    }
    try {
      this.deps.state.restore(checkpoint.body, this.deps.clock.now());
      return checkpoint.cursor;
    } catch (error) {
      this.deps.state.clear();
      this.#passedOver = checkpoint.cursor;
      this.deps.logger.warn({ err: error }, 'the revocation checkpoint cannot be read: reading the log instead');
      return 0;
    } finally {
      checkpoint.close();
    }
  }

  /** Reads all events after the cursor; concurrent calls coalesce into one more round. */
  sync(): Promise<void> {
    // After stop() the store is being closed: no new round may start against it.
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#readAll().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        void this.sync();
      }
    });
    return this.#running;
  }

  async #readAll(): Promise<void> {
    const startedMs = this.deps.clock.now();
    try {
      for (;;) {
        const events = await this.deps.store.changesSince(this.#cursor, PAGE_SIZE);
        for (const event of events) {
          this.deps.state.apply(event);
          this.#cursor = event.seq;
        }
        if (events.length > 0) this.#tell(events);
        if (events.length < PAGE_SIZE) break;
      }
      // A log that went backwards (restored database, reset sequence, new SQLite file) numbers
      // its new events below our cursor, where changesSince would never look: reload instead.
      const head = await this.deps.store.headSeq();
      if (head < this.#cursor) await this.#reload(head);
      this.#lastSyncMs = startedMs;
      if (this.#failing) this.deps.logger.info('revocation feed reading again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.deps.logger.warn({ err: error }, 'revocation feed cannot read the store');
      this.#failing = true;
    }
  }

  #tell(events: readonly RevocationEvent[]): void {
    for (const listener of this.#listeners) this.#call(() => listener(events));
  }

  #call(notify: () => void): void {
    try {
      notify();
    } catch (error) {
      // A listener's bug must not stop the feed (and so verify) for everyone.
      this.deps.logger.warn({ err: error }, 'revocation feed listener failed');
    }
  }

  /** Adds a listener for the events read from now on; returns its removal. */
  listen(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds a listener for reloads of a log that went backwards; returns its removal. */
  onReload(listener: ReloadListener): () => void {
    this.#reloadListeners.add(listener);
    return () => this.#reloadListeners.delete(listener);
  }

  /** The cursor of the checkpoint start() loaded (0: none). */
  get startedFrom(): number {
    return this.#startedFrom;
  }

  /** The cursor of a stored checkpoint start() could not use (0: none). */
  get passedOver(): number {
    return this.#passedOver;
  }

  /** The seq of the last event applied (0 before any). */
  get cursor(): number {
    return this.#cursor;
  }

  /**
   * Loads the store's snapshot into a fresh state and swaps it in at once, so verify never sees
   * a half-loaded one; revocations the log no longer holds are forgotten with it.
   */
  async #reload(head: number): Promise<void> {
    this.deps.logger.warn({ cursor: this.#cursor, head }, 'the revocation log went backwards (restored or reset store): reloading it');
    const fresh = new RevocationState();
    const cursor = await this.deps.store.snapshot(this.deps.clock.now(), fresh);
    this.deps.state.replaceWith(fresh);
    this.#cursor = cursor;
    for (const listener of this.#reloadListeners) this.#call(() => listener(cursor));
  }

  /** True while the state reflects the store as of at most staleMs ago. */
  isCurrent(): boolean {
    return this.deps.clock.now() - this.#lastSyncMs <= this.deps.staleMs;
  }

  /** Milliseconds since the last successful read of the store. */
  lagMs(): number {
    return this.deps.clock.now() - this.#lastSyncMs;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#unsubscribe?.();
    await this.#running;
  }
}
