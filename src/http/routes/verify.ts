/**
 * /user/verify — §3, the gateway's check on every request (nginx auth_request, Traefik
 * ForwardAuth, Envoy ext_authz, HAProxy). Any method, since gateways forward the original one;
 * any body is ignored. 200 + X-Auth-UserId, or 401 + WWW-Authenticate.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Authenticate } from '../../auth/authenticate.js';
import { bearerToken } from '../request-info.js';
import { encodeUserHeader } from '../user-header.js';

export const verifyRoute: FastifyPluginAsyncTypebox<{ authenticate: Authenticate; cookieName: string | undefined }> = async (
  app,
  opts,
) => {
  app.all('/user/verify', async (request, reply) => {
    const claims = opts.authenticate(bearerToken(request, opts.cookieName));
    reply.header('x-auth-userid', encodeUserHeader(claims.sub)).header('cache-control', 'no-store');
    return reply.code(200).send();
  });
};
