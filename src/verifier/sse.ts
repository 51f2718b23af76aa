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
    const buffer = this.#buffer + text;
    let start = 0;
    // Lines end at LF, CR or CRLF; ats-auth sends LF only, so the next CR is looked for only
    // once per chunk unless there are some (each lookup scans to the end).
    let cr = buffer.indexOf('\r');
    for (;;) {
      let end = buffer.indexOf('\n', start);
      if (cr >= 0 && cr < start) cr = buffer.indexOf('\r', start);
      if (cr >= 0 && (end < 0 || cr < end)) end = cr;
      if (end < 0) break;
      if (end === start && this.#skipLf && buffer.charCodeAt(end) === 10) {
        // The LF of a CRLF whose CR ended the previous line.
        this.#skipLf = false;
        start = end + 1;
        continue;
      }
      this.#skipLf = buffer.charCodeAt(end) === 13;
      const event = this.#line(buffer.slice(start, end));
      if (event) events.push(event);
      start = end + 1;
    }
    const rest = buffer.slice(start);
    if (rest.length > 0) this.#skipLf = false;
    if (rest.length > this.#maxEventChars) throw new SseProtocolError('event stream line too long');
    this.#buffer = rest;
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
