/**
 * The wire format of GET /user/revocations, shared by the server (hub.ts) and the verifier
 * package. Server-sent events (text/event-stream):
 *
 * - `hello` first: the public verification settings (issuer, audience, TTL, leeway, signing alg), the
 *   heartbeat interval, and `full`: whether the events up to `ready` are the whole state.
 * - one event per revocation, named after its kind (`token`, `user`, and any kind added later),
 *   data = the change-feed event as JSON. During a whole state they carry no `id:`; afterwards
 *   `id:` is the event's seq (the feed cursor), what a consumer sends back as Last-Event-ID.
 * - `ready` (id: the cursor) once the consumer has everything up to now.
 * - `heartbeat` every heartbeatMs with the server feed's lag: how fresh the server itself is.
 */
import type { JwtAlgorithm } from '../config/schema.js';

export const HELLO_EVENT = 'hello';
export const READY_EVENT = 'ready';
export const HEARTBEAT_EVENT = 'heartbeat';

export interface HelloData {
  issuer: string;
  audience: string | undefined;
  tokenTtlSeconds: number;
  clockLeewaySeconds: number;
  /** The algorithm the service signs with (ATS_AUTH_JWT_ALG); absent from services before it was sent. */
  alg?: JwtAlgorithm;
  heartbeatMs: number;
  /** True when the events up to `ready` are the whole state, not what came after Last-Event-ID. */
  full: boolean;
}

export interface HeartbeatData {
  cursor: number;
  /** Milliseconds since the server last read its store successfully. */
  lagMs: number;
}

/** One SSE frame. `data` must be a single line (JSON.stringify output is). */
export function eventFrame(event: string, data: string, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}
