/**
 * An incremental text/event-stream parser (the WHATWG "event stream interpretation"): lines end
 * in CRLF, LF or CR; `event`, `data`, `id` and `retry` fields; `:` comments; an event is
 * dispatched at a blank line, so a stream cut mid-event yields nothing for that event. Lines and
 * events are bounded: a stream that sends an endless line is an error, not a memory leak.
 */

export interface SseEvent {
  event: string;
  data: string;
  /** The event's own `id:` field, when it had one. */
  id: string | undefined;
}

export class SseProtocolError extends Error {}

export class SseParser {
  readonly #maxEventChars: number;
  #buffer = '';
  #skipLf = false;
  #event = '';
  #data: string[] = [];
  #dataChars = 0;
  #id: string | undefined;

  constructor(maxEventChars = 1024 * 1024) {
    this.#maxEventChars = maxEventChars;
  }

  /** Feeds decoded text; returns the events it completed. Throws SseProtocolError past the bounds. */
  push(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let buffer = this.#buffer + text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 10 && this.#skipLf && i === start) {
        // The LF of a CRLF whose CR ended the previous line.
        start = i + 1;
        this.#skipLf = false;
        continue;
      }
      this.#skipLf = c === 13;
      const event = this.#line(buffer.slice(start, i));
      if (event) events.push(event);
      start = i + 1;
    }
    buffer = buffer.slice(start);
    if (buffer.length > 0) this.#skipLf = false;
    if (buffer.length > this.#maxEventChars) throw new SseProtocolError('event stream line too long');
    this.#buffer = buffer;
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#dataChars += value.length + 1;
      if (this.#dataChars > this.#maxEventChars) throw new SseProtocolError('event stream event too large');
      this.#data.push(value);
    } else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const event: SseEvent = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
    const empty = this.#data.length === 0;
    this.#event = '';
    this.#data = [];
    this.#dataChars = 0;
    this.#id = undefined;
    return empty ? undefined : event;
  }
}
