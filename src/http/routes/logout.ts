/** POST /user/logout and /user/logout_all — §2. Bodies are ignored. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Authenticate } from '../../auth/authenticate.js';
import type { Logout } from '../../auth/logout.js';
import { Unauthenticated } from '../../errors.js';
import { bearerToken, clientInfo, gatewayUser, type RequestHeaders } from '../request-info.js';
import type { IsTrustedPeer } from '../trusted-peers.js';
import { operation } from '../openapi-operation.js';
import { logoutAllResponses, logoutResponses } from '../schemas.js';

const LOGOUT_SCHEMA = operation({
  operationId: 'logout',
  summary: 'Revoke the presented token',
  tags: ['auth'],
  access: 'bearer',
  response: logoutResponses,
});

const LOGOUT_ALL_SCHEMA = operation({
  operationId: 'logoutAll',
  summary: 'Revoke every token of a user issued up to now',
  description: "The user is the trusted gateway's X-Auth-UserId, or else the subject of the Bearer token.",
  tags: ['auth'],
  access: 'bearerOrGateway',
  response: logoutAllResponses,
});

export const logoutRoutes: FastifyPluginAsyncTypebox<{
  logout: Logout;
  authenticate: Authenticate;
  isTrustedPeer: IsTrustedPeer;
}> = async (app, opts) => {
  app.post('/user/logout', { schema: LOGOUT_SCHEMA }, async (request, reply) => {
    await opts.logout.logout(bearerToken(request.raw), clientInfo(request, opts.isTrustedPeer));
    return noContent(reply);
  });

  app.post('/user/logout_all', { schema: LOGOUT_ALL_SCHEMA }, async (request, reply) => {
    const client = clientInfo(request, opts.isTrustedPeer);
    const named = gatewayUser(request, opts.isTrustedPeer);
    // A gateway may name anyone: a name no backend knows is an error, not a silent success.
    if (named !== undefined) await opts.logout.logoutAll(named, client, { mustBeKnown: true });
    else await opts.logout.logoutAll(subjectOfBearer(request.raw, opts.authenticate), client);
    return noContent(reply);
  });
};

/**
 * The user of a token verify would accept (§15): a revoked token, stolen or logged out, must
 * not log its owner out of everything again and again.
 */
function subjectOfBearer(request: RequestHeaders, authenticate: Authenticate): string {
  if (request.headers.authorization === undefined) throw new Unauthenticated();
  return authenticate(bearerToken(request)).sub;
}

/** The seed's service answered 204 with Content-Type application/octet-stream; so do we. */
function noContent(reply: import('fastify').FastifyReply) {
  return reply.code(204).header('content-type', 'application/octet-stream').send();
}
