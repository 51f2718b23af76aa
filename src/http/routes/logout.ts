/** POST /user/logout and /user/logout_all — §2. Bodies are ignored. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import type { Logout } from '../../auth/logout.js';
import { Unauthenticated } from '../../errors.js';
import { bearerToken, clientInfo, gatewayUser, type RequestHeaders } from '../request-info.js';
import type { IsTrustedPeer } from '../trusted-peers.js';
import { bearerSecurity, logoutAllResponses, logoutResponses } from '../schemas.js';

const LOGOUT_SCHEMA = {
  summary: 'Revoke the presented token',
  security: bearerSecurity,
  response: logoutResponses,
};

const LOGOUT_ALL_SCHEMA = {
  summary: 'Revoke every token of a user issued up to now',
  description: 'The user is the trusted gateway\'s X-Auth-UserId, or else the subject of the Bearer token.',
  security: [{}, ...bearerSecurity],
  headers: Type.Object({
    'x-auth-userid': Type.Optional(
      Type.String({ description: 'The user, honoured only from a trusted proxy (ATS_AUTH_TRUSTED_PROXIES).' }),
    ),
  }),
  response: logoutAllResponses,
};

export const logoutRoutes: FastifyPluginAsyncTypebox<{ logout: Logout; isTrustedPeer: IsTrustedPeer }> = async (app, opts) => {
  app.post('/user/logout', { schema: LOGOUT_SCHEMA }, async (request, reply) => {
    await opts.logout.logout(bearerToken(request.raw), clientInfo(request, opts.isTrustedPeer));
    return noContent(reply);
  });

  app.post('/user/logout_all', { schema: LOGOUT_ALL_SCHEMA }, async (request, reply) => {
    const client = clientInfo(request, opts.isTrustedPeer);
    const named = gatewayUser(request, opts.isTrustedPeer);
    // A gateway may name anyone: a name no backend knows is an error, not a silent success.
    if (named !== undefined) await opts.logout.logoutAll(named, client, { mustBeKnown: true });
    else await opts.logout.logoutAll(subjectOfBearer(request.raw, opts.logout), client);
    return noContent(reply);
  });
};

function subjectOfBearer(request: RequestHeaders, logout: Logout): string {
  if (request.headers.authorization === undefined) throw new Unauthenticated();
  return logout.subjectOf(bearerToken(request));
}

/** The seed's service answered 204 with Content-Type application/octet-stream; so do we. */
function noContent(reply: import('fastify').FastifyReply) {
  return reply.code(204).header('content-type', 'application/octet-stream').send();
}
