/**
 * CSRF protection of the account pages' forms (SPEC §13): a state change needs both
 * - a same-origin request: Sec-Fetch-Site, when the browser sends it, must say same-origin,
 *   and Origin must be this service's origin (a POST from a browser always carries one of them);
 * - a form token that is an HMAC of a random per-browser cookie (signed double submit): a
 *   cookie planted by a sibling subdomain is useless without the matching token, which only
 *   this service can compute.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const NONCE = /^[A-Za-z0-9_-]{43}$/;

export interface Csrf {
  /** A fresh nonce for the browser's CSRF cookie. */
  newNonce(): string;
  /** True when the cookie's value has the shape of a nonce. */
  isNonce(value: string | undefined): value is string;
  /** The form token that goes with a nonce. */
  tokenFor(nonce: string): string;
  /** True when the submitted token matches the nonce. */
  matches(nonce: string | undefined, token: unknown): boolean;
}

export function createCsrf(key: Buffer): Csrf {
  const tokenFor = (nonce: string) => createHmac('sha256', key).update(`account-form:${nonce}`).digest('base64url');
  return {
    newNonce: () => randomBytes(32).toString('base64url'),
    isNonce: (value): value is string => value !== undefined && NONCE.test(value),
    tokenFor,
    matches(nonce, token) {
      if (nonce === undefined || !NONCE.test(nonce) || typeof token !== 'string') return false;
      const expected = Buffer.from(tokenFor(nonce));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/**
 * True when the request comes from a page of this service. `publicOrigin` (from
 * ATS_AUTH_PUBLIC_URL) is the origin to expect; without it the Origin's host must equal Host.
 */
export function isSameOrigin(headers: IncomingHttpHeaders, publicOrigin: string | undefined): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = headers.origin;
  if (origin === undefined) return site === 'same-origin';
  if (publicOrigin !== undefined) return origin === publicOrigin;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
