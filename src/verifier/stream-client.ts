/**
 * Follows GET /user/revocations: connects, applies what arrives, and reconnects with capped,
 * jittered exponential back-off, resuming from the last event id. Anything it cannot trust — a
 * non-200 answer, an unparsable or unknown event, a stream gone quiet — ends the connection;
 * nothing in the stream can throw out of here. Freshness is what the server last vouched for:
 * the time since its last `ready`/`heartbeat`/event plus the lag the server reported then.
 */
import type { JwtAlgorithm } from '../config/schema.js';
import { parseRevocationEvent } from '../revocation/events.js';
import type { RevocationEvent } from '../store/ports.js';
import { HEARTBEAT_EVENT, HELLO_EVENT, READY_EVENT, type HelloData } from '../stream/protocol.js';
import { SseParser, SseProtocolError, type SseEvent } from './sse.js';

export interface StreamClientOptions {
  /** The stream's URL: <service>/user/revocations. */
  url: string;
  streamKey: string | undefined;
  now: () => number;
  /** The connection is dropped when nothing has arrived for this long. */
  silenceMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  fetch: typeof fetch;
  onHello(hello: HelloData): void;
  onEvent(event: RevocationEvent): void;
  onReady(): void;
  onError(error: Error): void;
}

export class StreamProtocolError extends Error {}

const JWT_ALGORITHMS: readonly unknown[] = ['HS256', 'EdDSA', 'ES256', 'RS256'] satisfies JwtAlgorithm[];

export class StreamClient {
  readonly #options: StreamClientOptions;
  #lastEventId: string | undefined;
  #lastHeardMs = -Infinity;
  #lagMs = 0;
  #ready = false;
  /** This connection has passed its `ready`: its events are news, not catching up. */
  #live = false;
  #connected = false;
  #closed = false;
  #abort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(options: StreamClientOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  /** Milliseconds of revocations this process may be missing: since the server last vouched. */
  staleForMs(): number {
    if (!this.#ready) return Infinity;
    return this.#options.now() - this.#lastHeardMs + this.#lagMs;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get cursor(): string | undefined {
    return this.#lastEventId;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      let gotReady = false;
      try {
        gotReady = await this.#connectOnce();
      } catch (error) {
        if (!this.#closed) this.#options.onError(error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.#connected = false;
      }
      if (this.#closed) break;
      failures = gotReady ? 0 : failures + 1;
      const ceiling = Math.min(this.#options.maxBackoffMs, this.#options.minBackoffMs * 2 ** Math.min(failures, 16));
      await this.#sleep(ceiling / 2 + (Math.random() * ceiling) / 2);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** One connection, until it ends; resolves whether it reached `ready`. */
  async #connectOnce(): Promise<boolean> {
    const abort = new AbortController();
    this.#abort = abort;
    let lastByteMs = this.#options.now();
    const watchdog = setInterval(() => {
      if (this.#options.now() - lastByteMs > this.#options.silenceMs) abort.abort(new StreamProtocolError('the stream went silent'));
    }, Math.max(50, Math.min(1000, this.#options.silenceMs / 4)));
    watchdog.unref?.();
    let gotReady = false;
    this.#live = false;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (this.#options.streamKey !== undefined) headers.authorization = `Bearer ${this.#options.streamKey}`;
      if (this.#lastEventId !== undefined) headers['last-event-id'] = this.#lastEventId;
      const res = await this.#options.fetch(this.#options.url, { headers, signal: abort.signal });
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel().catch(() => {});
        throw new StreamProtocolError(`the revocation stream answered ${res.status}${res.status === 401 ? ' (not a trusted peer and no valid stream key)' : ''}`);
      }
      const contentType = res.headers.get('content-type') ?? '';
      if (!contentType.startsWith('text/event-stream')) throw new StreamProtocolError(`the revocation stream is ${contentType || 'untyped'}, not text/event-stream`);
      this.#connected = true;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          lastByteMs = this.#options.now();
          for (const event of parser.push(decoder.decode(value, { stream: true }))) {
            if (this.#handle(event)) gotReady = true;
          }
        }
      } finally {
        reader.releaseLock();
      }
      if (!this.#closed) throw new StreamProtocolError('the revocation stream ended');
    } catch (error) {
      abort.abort();
      if (error instanceof SseProtocolError) throw new StreamProtocolError(error.message);
      throw abort.signal.reason instanceof StreamProtocolError ? abort.signal.reason : error;
    } finally {
      clearInterval(watchdog);
    }
    return gotReady;
  }

  /** Applies one event; returns true for `ready`. Throws StreamProtocolError on anything malformed. */
  #handle(event: SseEvent): boolean {
    switch (event.event) {
      case HELLO_EVENT:
        this.#options.onHello(parseHello(event.data));
        return false;
      case READY_EVENT:
        if (event.id === undefined) throw new StreamProtocolError('ready without an id');
        this.#lastEventId = event.id;
        this.#lastHeardMs = this.#options.now();
        this.#ready = true;
        this.#live = true;
        this.#options.onReady();
        return true;
      case HEARTBEAT_EVENT: {
        const lagMs = (parseJson(event.data) as { lagMs?: unknown } | null)?.lagMs;
        if (typeof lagMs !== 'number' || !(lagMs >= 0)) throw new StreamProtocolError('malformed heartbeat');
        this.#lastHeardMs = this.#options.now();
        this.#lagMs = lagMs;
        return false;
      }
      default: {
        const revocation = parseRevocationEvent(parseJson(event.data));
        if (revocation === undefined || revocation.kind !== event.event) {
          // An event this version cannot read may be a revocation: resuming from before it keeps
          // failing, so the verifier goes stale and fails closed rather than skip it.
          throw new StreamProtocolError(`unreadable '${event.event.slice(0, 40)}' event`);
        }
        this.#options.onEvent(revocation);
        if (event.id !== undefined) {
          this.#lastEventId = event.id;
          if (this.#live) this.#lastHeardMs = this.#options.now();
        }
        return false;
      }
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StreamProtocolError('an event is not JSON');
  }
}

function parseHello(text: string): HelloData {
  const hello = parseJson(text) as Partial<HelloData> | null;
  const ok =
    hello !== null &&
    typeof hello === 'object' &&
    typeof hello.issuer === 'string' &&
    (hello.audience === undefined || typeof hello.audience === 'string') &&
    Number.isSafeInteger(hello.tokenTtlSeconds) &&
    Number.isSafeInteger(hello.clockLeewaySeconds) &&
    (hello.alg === undefined || JWT_ALGORITHMS.includes(hello.alg)) &&
    typeof hello.full === 'boolean';
  if (!ok) throw new StreamProtocolError('malformed hello');
  return hello as HelloData;
}
