/** What handlers read off a request besides the body: the Bearer token, the client, the gateway's user. */
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { ClientInfo } from '../auth/client.js';
import { TokenInvalid } from '../errors.js';
import { MAX_TOKEN_BYTES } from '../tokens/index.js';
import type { IsTrustedPeer } from './trusted-peers.js';
import { decodeUserHeader } from './user-header.js';

/** RFC 6750 §2.1: "Bearer" (any case), one space run, then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** The largest token verify accepts, plus room for the scheme and spaces. */
const MAX_AUTHORIZATION_CHARS = MAX_TOKEN_BYTES + 64;

/** The Bearer token; throws TokenInvalid when the header is missing or malformed. */
export function bearerToken(request: { headers: IncomingHttpHeaders }, cookieName?: string): string {
  const header = request.headers.authorization;
  if (header !== undefined) {
    if (header.length > MAX_AUTHORIZATION_CHARS) throw new TokenInvalid('authorization header too large');
    const match = BEARER.exec(header);
    if (!match) throw new TokenInvalid('malformed authorization header');
    return match[1]!;
  }
  const fromCookie = cookieName === undefined ? undefined : readCookie(request.headers.cookie, cookieName);
  if (fromCookie !== undefined) return fromCookie;
  throw new TokenInvalid('no token');
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** The user named by X-Auth-UserId when the peer is a trusted gateway; otherwise undefined. */
export function gatewayUser(request: FastifyRequest, isTrusted: IsTrustedPeer): string | undefined {
  const header = request.headers['x-auth-userid'];
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  if (!isTrusted(request.socket.remoteAddress)) return undefined;
  return decodeUserHeader(header.trim());
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
