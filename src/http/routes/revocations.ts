/**
 * GET /user/revocations — §14: the revocation state, then every change, as server-sent events
 * (src/stream/). Trusted peers (§5) and callers presenting a key of ATS_AUTH_STREAM_KEYS as
 * Bearer only; anyone else gets 401.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '../json-schema.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { StreamUnauthorized } from '../../errors.js';
import type { RevocationHub } from '../../stream/hub.js';

/** What the route needs of the hub. */
export type StreamHub = Pick<RevocationHub, 'load' | 'attach'>;
import { operation } from '../openapi-operation.js';
import { revocationsResponses } from '../schemas.js';
import type { IsTrustedPeer } from '../trusted-peers.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const SCHEMA = operation({
  operationId: 'streamRevocations',
  tags: ['verifier'],
  access: 'streamKeyOrTrustedPeer',
  summary: 'Follow revocations (server-sent events) to verify tokens in process',
  description:
    'First the state in force (revoked tokens, user not-befores and any other change-feed kind), then each change as it happens; ' +
    '`id:` is the change-feed cursor: reconnect with `Last-Event-ID` to get only what was missed (the whole state again when the ' +
    'cursor is older than this instance knows). A `heartbeat` event at least every 5 s carries the server feed\'s lag. Trusted ' +
    'peers (ATS_AUTH_TRUSTED_PROXIES) and holders of a key of ATS_AUTH_STREAM_KEYS only. A consumer that stops reading is dropped. ' +
    'The `ats-auth/verifier` package follows it for you (docs/verifier.md).',
  headers: Type.Object({
    'last-event-id': Type.Optional(Type.String({ description: 'The `id:` of the last event received, to resume.' })),
  }),
  response: revocationsResponses,
});

export const revocationsRoute: FastifyPluginAsyncTypebox<{
  hub: StreamHub;
  isTrustedPeer: IsTrustedPeer;
  streamKeys: readonly string[];
}> = async (app, opts) => {
  const digests = opts.streamKeys.map(digest);
  const holdsKey = (authorization: string | undefined): boolean => {
    const match = authorization === undefined ? null : BEARER.exec(authorization);
    if (!match) return false;
    const presented = digest(match[1]!);
    // Every key is compared, in constant time, so timing says nothing about which one is close.
    let found = false;
    for (const key of digests) found = timingSafeEqual(key, presented) || found;
    return found;
  };

  app.get('/user/revocations', { schema: SCHEMA }, async (request, reply) => {
    const authorization = request.headers.authorization;
    if (!opts.isTrustedPeer(request.socket.remoteAddress) && !holdsKey(authorization)) throw new StreamUnauthorized();
    await opts.hub.load();
    reply.hijack();
    opts.hub.attach(reply.raw, request.socket.remoteAddress, lastEventId(request.headers['last-event-id']));
  });
};

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** A cursor, or undefined for anything that is not one (the whole state is sent then). */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}
