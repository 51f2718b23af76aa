/**
 * The caller's sessions (SPEC §12): GET /user/sessions, DELETE /user/sessions/{id},
 * POST /user/logout_others. The caller is a trusted gateway's X-Auth-UserId, or else the subject
 * of a token /user/verify would accept; the current session is that token's sid.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '../json-schema.js';
import type { FastifyRequest } from 'fastify';
import type { Authenticate } from '../../auth/authenticate.js';
import { InvalidRequest } from '../../errors.js';
import type { Sessions } from '../../sessions/index.js';
import type { VerifiedClaims } from '../../tokens/index.js';
import { bearerToken, clientInfo, gatewayUser } from '../request-info.js';
import { operation } from '../openapi-operation.js';
import { endSessionResponses, listSessionsResponses, logoutOthersResponses, type SessionList } from '../schemas.js';
import type { IsTrustedPeer } from '../trusted-peers.js';

export interface SessionRouteOptions {
  sessions: Sessions;
  authenticate: Authenticate;
  isTrustedPeer: IsTrustedPeer;
  cookieName: string | undefined;
}

export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRouteOptions> = async (app, opts) => {
  /** Who is asking, and from which session (when a token of theirs was presented). */
  function caller(request: FastifyRequest): { user: string; currentSid: string | undefined } {
    const gateway = gatewayUser(request, opts.isTrustedPeer);
    if (gateway === undefined) {
      const claims = opts.authenticate(bearerToken(request.raw, opts.cookieName));
      return { user: claims.sub, currentSid: claims.sid };
    }
    // The gateway vouches for the user; a token it forwarded only says which session is current.
    let claims: VerifiedClaims | undefined;
    try {
      claims = opts.authenticate(bearerToken(request.raw, opts.cookieName));
    } catch {
      claims = undefined;
    }
    return { user: gateway, currentSid: claims?.sub === gateway ? claims.sid : undefined };
  }

  app.get(
    '/user/sessions',
    {
      schema: operation({
        operationId: 'listSessions',
        summary: "List the caller's live sessions (devices)",
        description: 'Newest first. `current` marks the session of the presented token. No secrets.',
        tags: ['sessions'],
        access: 'bearerOrGateway',
        response: listSessionsResponses,
      }),
    },
    async (request, reply) => {
      const { user, currentSid } = caller(request);
      const sessions = await opts.sessions.list(user, currentSid);
      reply.header('cache-control', 'no-store');
      return sessions.map((s) => ({
        id: s.id,
        created_at: new Date(s.createdAtMs).toISOString(),
        last_seen_at: new Date(s.lastSeenAtMs).toISOString(),
        ip: s.clientAddress,
        user_agent: s.userAgent,
        current: s.current,
      })) satisfies SessionList;
    },
  );

  app.delete(
    '/user/sessions/:id',
    {
      schema: operation({
        operationId: 'endSession',
        summary: 'End one of the caller\'s sessions: every token of that device is refused',
        tags: ['sessions'],
        access: 'bearerOrGateway',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'A session id from GET /user/sessions.' }) }),
        response: endSessionResponses,
      }),
    },
    async (request, reply) => {
      const { user } = caller(request);
      await opts.sessions.end(user, request.params.id, clientInfo(request, opts.isTrustedPeer));
      return reply.code(204).send();
    },
  );

  app.post(
    '/user/logout_others',
    {
      schema: operation({
        operationId: 'logoutOthers',
        summary: 'End every session of the caller except the current one',
        description: 'The current session is the one of the presented token (Bearer, or the cookie when configured).',
        tags: ['sessions'],
        access: 'bearerOrGateway',
        response: logoutOthersResponses,
      }),
    },
    async (request, reply) => {
      const { user, currentSid } = caller(request);
      if (currentSid === undefined) {
        throw new InvalidRequest('The current session is unknown: present a token of that session as Bearer.');
      }
      await opts.sessions.endOthers(user, currentSid, clientInfo(request, opts.isTrustedPeer));
      return reply.code(204).send();
    },
  );
};
