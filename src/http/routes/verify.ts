/**
 * /user/verify — §3, the gateway's check on every request (nginx auth_request, Traefik
 * ForwardAuth, Envoy ext_authz, HAProxy). Any method, since gateways forward the original one;
 * any body is ignored; any path below /user/verify/ too (Envoy). 200 + X-Auth-UserId, or 401 +
 * WWW-Authenticate.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticate } from '../../auth/authenticate.js';
import type { VerifiedClaims } from '../../tokens/index.js';
import { bearerToken } from '../request-info.js';
import { bearerSecurity, verifyResponses } from '../schemas.js';
import { encodeUserHeader } from '../user-header.js';
import { fastPathRefusal } from '../verify-fast-path.js';

/** Told the outcome of every verify (metrics); a missing header counts as much as a bad token. */
export interface VerifyOutcomes {
  ok(): void;
  refused(error: unknown): void;
}

/** The methods an OpenAPI path item can name; the route answers the others too, undocumented. */
const DOCUMENTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

const VERIFY_SCHEMA = {
  summary: 'Check a token (the gateway calls this on every request)',
  description: 'For nginx auth_request, Traefik ForwardAuth, Envoy ext_authz and HAProxy; answers every method.',
  security: bearerSecurity,
  response: verifyResponses,
};

export const verifyRoute: FastifyPluginAsyncTypebox<{
  authenticate: Authenticate;
  cookieName: string | undefined;
  outcomes: VerifyOutcomes;
}> = async (app, opts) => {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    let claims: VerifiedClaims;
    try {
      const refused = fastPathRefusal(request.raw);
      if (refused !== undefined) throw refused;
      claims = opts.authenticate(bearerToken(request.raw, opts.cookieName));
    } catch (error) {
      opts.outcomes.refused(error);
      throw error;
    }
    opts.outcomes.ok();
    reply.header('x-auth-userid', encodeUserHeader(claims.sub)).header('cache-control', 'no-store');
    return reply.code(200).send();
  };
  const others = app.supportedMethods.filter((method) => !DOCUMENTED_METHODS.includes(method));
  app.route({ method: DOCUMENTED_METHODS, url: '/user/verify', schema: VERIFY_SCHEMA, handler });
  app.route({ method: others, url: '/user/verify', schema: { ...VERIFY_SCHEMA, hide: true }, handler });
  // Envoy's ext_authz HTTP service asks for path_prefix + the original path
  // (/user/verify/orders/42): the suffix says what is accessed, not who; it changes nothing.
  app.route({ method: app.supportedMethods, url: '/user/verify/*', schema: { ...VERIFY_SCHEMA, hide: true }, handler });
};
