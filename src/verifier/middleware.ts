/**
 * Express (and plain node:http) middleware and a Fastify plugin over a Verifier. Like the
 * gateway, they refuse the request (401, or 503 while the revocation state is stale) or let it
 * through with the user set: `req.auth` (the VerifiedToken) and an `X-Auth-UserId` request header
 * in the gateway's encoding. A client-sent X-Auth-UserId is always removed first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, FeedStale, TokenInvalid } from '../errors.js';
import type { VerifiedToken, Verifier } from './verifier.js';

/** RFC 6750 §2.1, as the service reads it. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** Visible ASCII but '%': sent as is; anything else percent-encoded as UTF-8 (as the gateway does). */
const SAFE = /^[\x21-\x24\x26-\x7e]*$/;

export type AuthenticatedRequest = IncomingMessage & { auth?: VerifiedToken };

/** The VerifiedToken, or the error to answer with. */
function check(verifier: Verifier, headers: IncomingMessage['headers']): VerifiedToken | AppError {
  delete headers['x-auth-userid'];
  const header = headers.authorization;
  const match = header === undefined ? null : BEARER.exec(header);
  if (!match) return new TokenInvalid(header === undefined ? 'no token' : 'malformed authorization header');
  try {
    const auth = verifier.verify(match[1]!);
    headers['x-auth-userid'] = encodeUserHeader(auth.sub);
    return auth;
  } catch (error) {
    if (error instanceof TokenInvalid || error instanceof FeedStale) return error;
    throw error;
  }
}

function answer(error: AppError): { status: number; headers: Record<string, string>; body: string } {
  const stale = error instanceof FeedStale;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (!stale) headers['www-authenticate'] = 'Bearer error="invalid_token"';
  return { status: stale ? 503 : 401, headers, body: JSON.stringify({ error: error.code, message: error.message }) };
}

/** Express / Connect / node:http middleware. */
export function expressMiddleware(verifier: Verifier) {
  return (req: AuthenticatedRequest, res: ServerResponse, next: (error?: unknown) => void): void => {
    let outcome: VerifiedToken | AppError;
    try {
      outcome = check(verifier, req.headers);
    } catch (error) {
      next(error);
      return;
    }
    if (outcome instanceof AppError) {
      const { status, headers, body } = answer(outcome);
      res.writeHead(status, headers).end(body);
      return;
    }
    req.auth = outcome;
    next();
  };
}

interface FastifyLike {
  decorateRequest(name: string, value: unknown): unknown;
  addHook(
    name: 'onRequest',
    hook: (
      request: { raw: IncomingMessage; headers: IncomingMessage['headers']; auth?: VerifiedToken },
      reply: { code(status: number): { headers(h: Record<string, string>): { send(body: string): unknown } } },
    ) => Promise<unknown>,
  ): unknown;
}

/**
 * A Fastify plugin: `app.register(fastifyPlugin(verifier))` checks every request of the scope
 * it is registered in (and its children) and sets `request.auth`.
 */
export function fastifyPlugin(verifier: Verifier) {
  const plugin = async (app: FastifyLike) => {
    app.decorateRequest('auth', null);
    app.addHook('onRequest', async (request, reply) => {
      const outcome = check(verifier, request.headers);
      if (outcome instanceof AppError) {
        const { status, headers, body } = answer(outcome);
        return reply.code(status).headers(headers).send(body);
      }
      request.auth = outcome;
      return undefined;
    });
  };
  // Like fastify-plugin: the hook applies to the scope that registers it, not a child scope.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'ats-auth-verifier' });
  return plugin;
}

function encodeUserHeader(user: string): string {
  if (SAFE.test(user)) return user;
  let out = '';
  for (const char of user) {
    out += SAFE.test(char) ? char : Array.from(Buffer.from(char, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  return out;
}
