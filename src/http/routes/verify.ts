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
import { operation } from '../openapi-operation.js';
import { verifyResponses } from '../schemas.js';
import { encodeUserHeader } from '../user-header.js';
import { fastPathRefusal, type VerifyOutcomes } from '../verify-fast-path.js';

export type { VerifyOutcomes };

/**
 * The methods an OpenAPI path item can name; the route answers the others too, undocumented.
 * HEAD before GET: registered first, it keeps Fastify from adding a HEAD route of its own.
 */
const DOCUMENTED_METHODS = ['HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

/** One operation per method (each needs its own operationId): verify for GET, verifyPost for POST … */
function verifySchema(method: string) {
  return operation({
    operationId: method === 'GET' ? 'verify' : `verify${method[0]}${method.slice(1).toLowerCase()}`,
    summary: 'Check a token (the gateway calls this on every request)',
    description: 'For nginx auth_request, Traefik ForwardAuth, Envoy ext_authz and HAProxy; answers every method alike.',
    tags: ['gateway'],
    access: 'bearerOrCookie',
    response: verifyResponses,
  });
}

/**
 * @fastify/swagger leaves a HEAD-only route out of the document unless asked, and then names it
 * `<operationId>-head`; gateways do send HEAD, so it is documented, as verifyHead.
 */
const HEAD_DOCUMENTED = {
  config: {
    swagger: { exposeHeadRoute: true },
    swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({ schema: { ...schema, operationId: 'verifyHead' }, url }),
  },
};

export const verifyRoute: FastifyPluginAsyncTypebox<{
  authenticate: Authenticate;
  cookieName: string;
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
  for (const method of DOCUMENTED_METHODS) {
    app.route({ method, url: '/user/verify', schema: verifySchema(method), handler, ...(method === 'HEAD' ? HEAD_DOCUMENTED : {}) });
  }
  app.route({ method: others, url: '/user/verify', schema: { ...verifySchema('GET'), hide: true }, handler });
  // Envoy's ext_authz HTTP service asks for path_prefix + the original path
  // (/user/verify/orders/42): the suffix says what is accessed, not who; it changes nothing.
  app.route({ method: app.supportedMethods, url: '/user/verify/*', schema: { ...verifySchema('GET'), hide: true }, handler });
};
