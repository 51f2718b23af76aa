/** POST /user/refresh — SPEC §12: a refresh token in, a new {token, refresh_token, expires_in} out. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Refresh } from '../../sessions/index.js';
import { operation } from '../openapi-operation.js';
import { clientInfo } from '../request-info.js';
import { RefreshBody, refreshResponses } from '../schemas.js';
import type { IsTrustedPeer } from '../trusted-peers.js';

export const refreshRoute: FastifyPluginAsyncTypebox<{ refresh: Refresh; isTrustedPeer: IsTrustedPeer }> = async (app, opts) => {
  app.post(
    '/user/refresh',
    {
      schema: operation({
        operationId: 'refresh',
        summary: 'Exchange a refresh token for a new token pair (rotation)',
        description:
          'Only when refresh tokens are on (ATS_AUTH_REFRESH_TTL > 0). The presented refresh token is spent. ' +
          'Presented again within ATS_AUTH_REFRESH_REUSE_SECONDS it gets the same new pair; after that, ' +
          'its whole session is ended and the answer is 401 refresh_token_reused.',
        tags: ['sessions'],
        access: 'public',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: RefreshBody,
        response: refreshResponses,
      }),
    },
    async (request, reply) => {
      const refreshed = await opts.refresh(request.body.refresh_token, clientInfo(request, opts.isTrustedPeer));
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { token: refreshed.token, refresh_token: refreshed.refreshToken, expires_in: refreshed.expiresInSeconds };
    },
  );
};
