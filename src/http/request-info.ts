/** What handlers read off a request besides the body: the Bearer token, the client, the gateway's user. */
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { ClientInfo } from '../auth/client.js';
import { parse as parseCookie } from 'cookie';
import { usernameProblem } from '../auth/input-rules.js';
import { InvalidRequest, TokenInvalid } from '../errors.js';
import { MAX_TOKEN_BYTES } from '../tokens/index.js';
import type { IsTrustedPeer } from './trusted-peers.js';
import { decodeUserHeader } from './user-header.js';

/** RFC 6750 §2.1: "Bearer" (any case), one space run, then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** The largest token verify accepts, plus room for the scheme and spaces. */
const MAX_AUTHORIZATION_CHARS = MAX_TOKEN_BYTES + 64;

/** What the header readers need of a request: Node's parsed headers and the raw lines. */
export interface RequestHeaders {
  headers: IncomingHttpHeaders;
  /** Name, value, name, value… as received: Node keeps only the first of repeated Authorization lines. */
  rawHeaders: string[];
}

/**
 * The Bearer token; throws TokenInvalid when the header is missing or malformed, InvalidRequest
 * when the request names its token twice (two Authorization lines, or two cookies of the name):
 * a request that could mean two tokens is refused, never resolved to one of them.
 */
export function bearerToken(request: RequestHeaders, cookieName?: string): string {
  const header = request.headers.authorization;
  if (header !== undefined) {
    if (occurrences(request.rawHeaders, 'authorization') > 1) throw new InvalidRequest('Send one Authorization header, not several.');
    return bearerFromAuthorization(header);
  }
  const fromCookie = cookieName === undefined ? undefined : tokenCookie(request.headers.cookie, cookieName);
  if (fromCookie !== undefined) return fromCookie;
  throw new TokenInvalid('no token');
}

/** The token of a request's only Authorization header (its value given); bearerToken's rules for that case. */
export function bearerFromAuthorization(header: string): string {
  if (header.length > MAX_AUTHORIZATION_CHARS) throw new TokenInvalid('authorization header too large');
  const match = BEARER.exec(header);
  if (!match) throw new TokenInvalid('malformed authorization header');
  return match[1]!;
}

/** How many header lines named `lowerName` the request had. */
function occurrences(rawHeaders: readonly string[], lowerName: string): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) count++;
  }
  return count;
}

/** A cookie's value (the first of that name), or undefined when absent or empty. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  return header === undefined ? undefined : parseCookie(header)[name] || undefined;
}

/** The token cookie's value. Several Cookie lines arrive joined with "; " by Node. */
function tokenCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  const value = parseCookie(header)[name];
  if (value === undefined) return undefined;
  // The parser keeps the first of same-named cookies; count them pair by pair to refuse a second.
  if (header.split(';').filter((pair) => parseCookie(pair)[name] !== undefined).length > 1) {
    throw new InvalidRequest(`Send one '${name}' cookie, not several.`);
  }
  return value === '' ? undefined : value;
}

/** Visible ASCII only: anything else in a username is percent-encoded by the gateway (user-header.ts). */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * The user named by X-Auth-UserId when the peer is a trusted gateway; otherwise undefined.
 * From a trusted peer, a header that could name two users (repeated, or comma-joined as Node
 * joins repeats) or carries raw non-ASCII or control characters is refused (InvalidRequest).
 */
export function gatewayUser(request: FastifyRequest, isTrusted: IsTrustedPeer): string | undefined {
  const header = request.headers['x-auth-userid'];
  if (typeof header !== 'string' || !isTrusted(request.socket.remoteAddress)) return undefined;
  if (occurrences(request.raw.rawHeaders, 'x-auth-userid') > 1 || header.includes(',')) {
    throw new InvalidRequest('X-Auth-UserId must appear once and name one user.');
  }
  const value = header.trim();
  if (value === '') return undefined;
  if (!VISIBLE_ASCII.test(value)) {
    throw new InvalidRequest('X-Auth-UserId must be visible ASCII; percent-encode other characters as UTF-8.');
  }
  const user = decodeUserHeader(value);
  if (user === undefined || usernameProblem(user) !== undefined) throw new InvalidRequest('X-Auth-UserId does not name a valid user.');
  return user;
}

/**
 * The client's address: the peer, or — when the peer is a trusted gateway — the last address
 * it appended to X-Forwarded-For.
 */
export function clientInfo(request: FastifyRequest, isTrusted: IsTrustedPeer): ClientInfo {
  const peer = request.socket.remoteAddress ?? null;
  const forwarded = request.headers['x-forwarded-for'];
  let address = peer;
  if (typeof forwarded === 'string' && isTrusted(peer ?? undefined)) {
    const last = forwarded.split(',').map((s) => s.trim()).filter((s) => s !== '').pop();
    if (last !== undefined) address = withoutPort(last);
  }
  const userAgent = request.headers['user-agent'];
  return { address, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null };
}

/**
 * SPEC §15: a port in a forwarded address is ignored ("1.2.3.4:5678", "[2001:db8::1]:443"), so a
 * client cannot get a fresh throttle count per source port. Anything else is kept as given.
 */
export function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed && isIP(bracketed[1]!) === 6) return bracketed[1]!;
  const v4 = /^([\d.]+):\d{1,5}$/.exec(address);
  if (v4 && isIP(v4[1]!) === 4) return v4[1]!;
  return address;
}
