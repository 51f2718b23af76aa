/**
 * /user/verify — §3, the gateway's check on every request (nginx auth_request, Traefik
 * ForwardAuth, Envoy ext_authz, HAProxy). Any method, since gateways forward the original one;
 * any body is ignored; any path below /user/verify/ too (Envoy). 200 + X-Auth-UserId, or 401 +
 * WWW-Authenticate.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticate } from '../../auth/authenticate.js';
import { bearerToken } from '../request-info.js';
import { encodeUserHeader } from '../user-header.js';

export const verifyRoute: FastifyPluginAsyncTypebox<{ authenticate: Authenticate; cookieName: string | undefined }> = async (
  app,
  opts,
) => {
  const verify = async (request: FastifyRequest, reply: FastifyReply) => {
    const claims = opts.authenticate(bearerToken(request, opts.cookieName));
    reply.header('x-auth-userid', encodeUserHeader(claims.sub)).header('cache-control', 'no-store');
    return reply.code(200).send();
  };
  app.all('/user/verify', verify);
  // Envoy's ext_authz HTTP service asks for path_prefix + the original path
  // (/user/verify/orders/42): the suffix says what is accessed, not who; it changes nothing.
  app.all('/user/verify/*', verify);
};
