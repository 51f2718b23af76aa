/**
 * The fan-out behind GET /user/revocations (SPEC §14): one reader of the process's change feed,
 * many bounded subscribers. The first subscriber loads the state once (a store snapshot); from
 * then on the hub keeps, in seq order, every event still in force and appends what the feed
 * reads, so a new subscriber costs no store read and a feed page costs one write per subscriber.
 *
 * Each subscriber is pulled from that log while it catches up (the socket's drain paces it, so a
 * million-event state is never queued in memory), then gets live events as they come. A
 * subscriber whose socket stops taking data is dropped: when its unsent bytes pass a bound, or
 * when it has not drained for the stall bound. Events are forwarded as the store wrote them,
 * whatever their kind.
 *
 * When the feed reloads a log that went backwards (a restored or reset store), what subscribers
 * hold may be more than the log now says, and its new events number below the hub's cursor: the
 * hub reads the log again and sends every subscriber the whole state anew, with the new cursor.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { expiryOf } from '../revocation/events.js';
import type { FeedListener, ReloadListener } from '../revocation/feed.js';
import type { RevocationEvent } from '../store/index.js';
import { eventFrame, HEARTBEAT_EVENT, HELLO_EVENT, READY_EVENT, type HelloData } from './protocol.js';

/** Events written per pull while a subscriber catches up. */
const PULL_BATCH = 512;

export interface HubFeed {
  listen(listener: FeedListener): () => void;
  onReload(listener: ReloadListener): () => void;
  lagMs(): number;
}

export interface HubOptions {
  /** The store's snapshot, taken as events (the log is of events). */
  store: { snapshot(nowMs: number, onEvent: (event: RevocationEvent) => void): Promise<number> };
  feed: HubFeed;
  clock: Clock;
  /** The public verification settings sent in every hello. */
  verification: Omit<HelloData, 'full' | 'heartbeatMs'>;
  heartbeatMs: number;
  /** A subscriber whose socket has not drained for this long is dropped. */
  stallMs: number;
  /** A subscriber with more unsent bytes than this is dropped. */
  maxBufferedBytes: number;
  purgeIntervalMs: number;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Told of each subscriber dropped for not reading. */
  onDrop?: () => void;
}

interface Subscriber {
  res: ServerResponse;
  peer: string | undefined;
  /** Catching up from the log (true) or following live events (false). */
  catchingUp: boolean;
  /** Whether the events being caught up are the whole state (sent without ids). */
  full: boolean;
  /** The seq of the last log event written. */
  sentSeq: number;
  /** When a write last found the socket full; undefined once it drained. */
  blockedSinceMs: number | undefined;
}

export class RevocationHub {
  readonly #options: HubOptions;
  /** Events in force, in seq order: the snapshot, then what the feed read since. */
  #log: RevocationEvent[] = [];
  /** The snapshot's cursor: a consumer's Last-Event-ID below it needs the whole state. -1 before loading. */
  #base = -1;
  #cursor = 0;
  #loading: Promise<void> | undefined;
  /** Feed events read while the snapshot loads. */
  #pending: RevocationEvent[] | undefined;
  readonly #subscribers = new Set<Subscriber>();
  readonly #unlisten: Array<() => void>;
  /** The reload under way (and any queued behind it). */
  #reloading: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #purge: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: HubOptions) {
    this.#options = options;
    this.#unlisten = [options.feed.listen((events) => this.#onEvents(events)), options.feed.onReload(() => this.#onReload())];
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Loads the state on first use; throws (StoreUnavailable) when the store cannot be read. */
  load(): Promise<void> {
    if (this.#base >= 0) return Promise.resolve();
    this.#loading ??= this.#loadOnce().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #loadOnce(): Promise<void> {
    await this.#readLog();
    // Loaded again after a failed reread (#resendAll): the timers are already running.
    this.#heartbeat ??= setInterval(() => this.#tick(), this.#options.heartbeatMs).unref();
    this.#purge ??= setInterval(() => this.#purgeExpired(), this.#options.purgeIntervalMs).unref();
  }

  /** Replaces the log with the store's snapshot, then appends what the feed read meanwhile. */
  async #readLog(): Promise<void> {
    const log: RevocationEvent[] = [];
    this.#pending = [];
    try {
      const cursor = await this.#options.store.snapshot(this.#options.clock.now(), (event) => log.push(event));
      // A store may hand events in another order; resuming needs the log in seq order.
      if (!isSorted(log)) log.sort((a, b) => a.seq - b.seq);
      this.#log = log;
      this.#base = cursor;
      this.#cursor = Math.max(cursor, log.at(-1)?.seq ?? 0);
      const pending = this.#pending;
      this.#pending = undefined;
      this.#onEvents(pending);
    } finally {
      this.#pending = undefined;
    }
  }

  #onReload(): void {
    // Not loaded yet: the first subscriber's load reads the new log. Loading now: that snapshot
    // may predate the reset, so it is read again once done.
    if (this.#base < 0 && this.#loading === undefined) return;
    const previous = this.#reloading ?? this.#loading?.catch(() => {}) ?? Promise.resolve();
    const reload: Promise<void> = previous
      .then(() => this.#resendAll())
      .finally(() => {
        if (this.#reloading === reload) this.#reloading = undefined;
      });
    this.#reloading = reload;
  }

  /** Reads the log again and restarts every subscriber at the whole state. */
  async #resendAll(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#readLog();
    } catch (error) {
      // Subscribers cannot be told what the log holds: they reconnect, and each attach waits
      // for a load that can read the store.
      this.#options.logger.warn({ err: error }, 'revocation stream cannot reread the reset log: ending every stream');
      this.#base = -1;
      for (const sub of this.#subscribers) sub.res.destroy();
      this.#subscribers.clear();
      return;
    }
    const hello = this.#hello(true);
    for (const sub of this.#subscribers) {
      sub.catchingUp = true;
      sub.full = true;
      sub.sentSeq = -1;
      this.#write(sub, hello);
      this.#pull(sub);
    }
  }

  /**
   * Starts streaming to `res` (headers not yet sent). With a Last-Event-ID the hub still
   * covers, only what came after it; otherwise the whole state, then live events. load() first.
   */
  attach(res: ServerResponse, peer: string | undefined, lastEventId: number | undefined): void {
    if (this.#closed) {
      res.destroy();
      return;
    }
    const resume = lastEventId !== undefined && lastEventId >= this.#base && lastEventId <= this.#cursor;
    const sub: Subscriber = {
      res,
      peer,
      catchingUp: true,
      full: !resume,
      sentSeq: resume ? lastEventId : -1,
      blockedSinceMs: undefined,
    };
    this.#subscribers.add(sub);
    res.on('close', () => this.#subscribers.delete(sub));
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.#write(sub, `retry: 1000\n${this.#hello(sub.full)}`);
    this.#pull(sub);
  }

  #hello(full: boolean): string {
    const hello: HelloData = { ...this.#options.verification, full, heartbeatMs: this.#options.heartbeatMs };
    return eventFrame(HELLO_EVENT, JSON.stringify(hello));
  }

  /** Writes log events to a catching-up subscriber until its socket is full or it has caught up. */
  #pull(sub: Subscriber): void {
    while (sub.catchingUp && this.#subscribers.has(sub)) {
      if (sub.blockedSinceMs !== undefined) return; // the drain handler pulls again
      const start = firstAfter(this.#log, sub.sentSeq);
      if (start >= this.#log.length) {
        sub.catchingUp = false;
        this.#write(sub, eventFrame(READY_EVENT, JSON.stringify({ cursor: this.#cursor }), this.#cursor));
        return;
      }
      const end = Math.min(start + PULL_BATCH, this.#log.length);
      let text = '';
      for (let i = start; i < end; i++) {
        const event = this.#log[i]!;
        text += eventFrame(event.kind, JSON.stringify(event), sub.full ? undefined : event.seq);
      }
      sub.sentSeq = this.#log[end - 1]!.seq;
      this.#write(sub, text);
    }
  }

  #onEvents(events: readonly RevocationEvent[]): void {
    if (this.#pending !== undefined) {
      this.#pending.push(...events);
      return;
    }
    if (this.#base < 0) return; // nobody has asked for the stream yet
    const fresh = events.filter((event) => event.seq > this.#cursor);
    if (fresh.length === 0) return;
    this.#log.push(...fresh);
    this.#cursor = fresh.at(-1)!.seq;
    // Serialised once for every live subscriber; catching-up ones will read them from the log.
    let text = '';
    for (const event of fresh) text += eventFrame(event.kind, JSON.stringify(event), event.seq);
    for (const sub of this.#subscribers) {
      if (sub.catchingUp) {
        if (sub.blockedSinceMs === undefined) this.#pull(sub);
      } else {
        this.#write(sub, text);
        sub.sentSeq = this.#cursor;
      }
    }
  }

  #write(sub: Subscriber, text: string): void {
    const res = sub.res;
    if (res.destroyed) return;
    if (!res.write(text) && sub.blockedSinceMs === undefined) {
      sub.blockedSinceMs = this.#options.clock.now();
      res.once('drain', () => {
        sub.blockedSinceMs = undefined;
        this.#pull(sub);
      });
    }
    if (res.writableLength > this.#options.maxBufferedBytes) this.#drop(sub, 'too much unsent data');
  }

  #tick(): void {
    const now = this.#options.clock.now();
    const heartbeat = eventFrame(HEARTBEAT_EVENT, JSON.stringify({ cursor: this.#cursor, lagMs: Math.round(this.#options.feed.lagMs()) }));
    for (const sub of this.#subscribers) {
      if (sub.blockedSinceMs !== undefined && now - sub.blockedSinceMs > this.#options.stallMs) {
        this.#drop(sub, 'not reading');
      } else if (!sub.catchingUp) {
        this.#write(sub, heartbeat);
      }
    }
  }

  #drop(sub: Subscriber, why: string): void {
    if (!this.#subscribers.delete(sub)) return;
    this.#options.logger.warn({ peer: sub.peer, why }, 'revocation stream consumer dropped');
    this.#options.onDrop?.();
    sub.res.destroy();
  }

  #purgeExpired(): void {
    const now = this.#options.clock.now();
    // A key's events describe its whole state: only its latest one is kept, so an old 'active'
    // event never outlives the 'removed' one that followed it.
    const latestKeyEvent = new Map<string, number>();
    for (const event of this.#log) if (event.kind === 'key') latestKeyEvent.set(event.kid, event.seq);
    this.#log = this.#log.filter((event) => {
      if (event.kind === 'key' && latestKeyEvent.get(event.kid) !== event.seq) return false;
      const expiresAtMs = expiryOf(event);
      return expiresAtMs === undefined || expiresAtMs > now;
    });
  }

  /** Ends every stream (shutdown) and stops following the feed. */
  close(): void {
    this.#closed = true;
    for (const unlisten of this.#unlisten) unlisten();
    clearInterval(this.#heartbeat);
    clearInterval(this.#purge);
    for (const sub of this.#subscribers) sub.res.end();
    this.#subscribers.clear();
  }
}

/** The index of the first event with seq > after (the log is in seq order). */
function firstAfter(log: readonly RevocationEvent[], after: number): number {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (log[mid]!.seq <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

function isSorted(log: readonly RevocationEvent[]): boolean {
  for (let i = 1; i < log.length; i++) if (log[i - 1]!.seq > log[i]!.seq) return false;
  return true;
}
