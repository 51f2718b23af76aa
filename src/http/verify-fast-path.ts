/**
 * /user/verify's success case served before Fastify's request pipeline. Verify runs on every
 * request a gateway forwards, and Fastify's per-request machinery (request/reply objects, a
 * child logger, hooks, promises) cost as much CPU as the token check itself (BENCHMARKS.md has
 * the profiles). Only a bodyless, non-HEAD request to exactly /user/verify whose token is valid
 * and unrevoked is answered here, with the very headers the route sends; anything else — every
 * failure included — goes to Fastify untouched, so statuses, error bodies and logs still come
 * from the route and the one error handler. Anything that must see every verify (metrics, say)
 * has to be called from here too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Authenticate } from '../auth/authenticate.js';
import { bearerFromAuthorization, bearerToken } from './request-info.js';
import type { ObserveRequest } from './request-timing.js';
import { encodeUserHeader } from './user-header.js';

export const VERIFY_PATH = '/user/verify';

/**
 * Told the outcome of every verify (metrics); a missing header counts as much as a bad token.
 * Declared here, not in the route, so the route depends on the fast path and never the reverse.
 */
export interface VerifyOutcomes {
  ok(): void;
  refused(error: unknown): void;
}

/** Why the fast path refused a request it then handed to Fastify; read by the verify route. */
const refusals = new WeakMap<IncomingMessage, unknown>();

/** The error the fast path already found for this request, if it saw it. */
export function fastPathRefusal(req: IncomingMessage): unknown {
  return refusals.get(req);
}

/** Answers the request and returns true, or returns false (untouched) for Fastify to handle. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createVerifyFastPath(deps: {
  authenticate: Authenticate;
  cookieName: string;
  /** True once the server is shutting down: Fastify then answers 503. */
  isClosing: () => boolean;
  /** The metrics the Fastify route feeds, fed here for the requests answered here. */
  outcomes: VerifyOutcomes;
  observeRequest: ObserveRequest;
}): FastPath {
  // The last Authorization line read and its token, and the last user answered with their header:
  // a gateway asks about the same session again and again. An equal line gets the very same token
  // string, which the verifier's cache then recognises without hashing it (tokens/lru-cache.ts).
  let lastAuthorization: string | undefined;
  let lastToken = '';
  let lastSub: string | undefined;
  let lastUserHeader = '';
  return (req, res) => {
    if (req.url !== VERIFY_PATH || req.method === 'HEAD' || deps.isClosing()) return false;
    // One pass over the raw header lines, never req.headers: Node builds that object on first use,
    // and building it cost more than everything else this path reads. Same answers as hasBody()
    // and bearerToken(), which are asked themselves for anything but one Authorization line.
    const raw = req.rawHeaders;
    let authorization: string | undefined;
    let authorizations = 0;
    let contentLength: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.length === 13) {
        if ((name === 'Authorization' || name.toLowerCase() === 'authorization') && authorizations++ === 0) authorization = raw[i + 1];
      } else if (name.length === 14) {
        // Node's headers keep the first Content-Length line.
        if (contentLength === undefined && name.toLowerCase() === 'content-length') contentLength = raw[i + 1];
      } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
        return false;
      }
    }
    if (contentLength !== undefined && contentLength !== '0') return false;
    const startedMs = performance.now();
    let sub: string;
    try {
      let token: string;
      if (authorizations !== 1) token = bearerToken(req, deps.cookieName);
      else if (authorization === lastAuthorization) token = lastToken;
      else {
        token = bearerFromAuthorization(authorization!);
        lastAuthorization = authorization;
        lastToken = token;
      }
      sub = deps.authenticate(token).sub;
    } catch (error) {
      // The route answers it through the one error handler, without checking the token again:
      // a flood of bad tokens must not cost two signature checks each.
      refusals.set(req, error);
      return false;
    }
    if (sub !== lastSub) {
      lastUserHeader = encodeUserHeader(sub);
      lastSub = sub;
    }
    res.writeHead(200, {
      'x-auth-userid': lastUserHeader,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-length': '0',
    });
    res.end();
    deps.outcomes.ok();
    deps.observeRequest(VERIFY_PATH, 200, (performance.now() - startedMs) / 1000);
    return true;
  };
}

/** True when the request declares a body (a length other than 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
