/**
 * /healthz (the process answers: a liveness probe) and /readyz (store reachable, revocation feed
 * current: a readiness probe / load-balancer check). Both unauthenticated and cheap.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '../json-schema.js';
import { operation } from '../openapi-operation.js';

export interface Readiness {
  /** Throws when the store cannot be reached. */
  pingStore(): Promise<void>;
  feedIsCurrent(): boolean;
}

const Alive = Type.Object({ status: Type.Literal('ok') }, { description: 'The process is alive.' });

const readyFields = {
  store: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  feed: Type.Union([Type.Literal('current'), Type.Literal('stale')]),
};
const Ready = Type.Object({ status: Type.Literal('ready'), ...readyFields }, { description: 'Ready to serve.' });
const NotReady = Type.Object(
  { status: Type.Literal('not_ready'), ...readyFields },
  { description: 'The store is unreachable or the revocation feed is stale; take the instance out of rotation.' },
);

export const healthRoutes: FastifyPluginAsyncTypebox<{ readiness: Readiness }> = async (app, opts) => {
  app.get('/healthz', { schema: operation({ operationId: 'healthz', summary: 'Liveness', tags: ['operations'], access: 'public', response: { 200: Alive } }) }, async () => ({ status: 'ok' as const }));

  app.get(
    '/readyz',
    {
      schema: operation({
        operationId: 'readyz',
        summary: 'Readiness',
        tags: ['operations'],
        access: 'public',
        response: { 200: Ready, 503: NotReady },
      }),
    },
    async (_request, reply) => {
      const store = await opts.readiness.pingStore().then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      );
      const feed = opts.readiness.feedIsCurrent() ? ('current' as const) : ('stale' as const);
      if (store === 'ok' && feed === 'current') return reply.code(200).send({ status: 'ready', store, feed });
      return reply.code(503).send({ status: 'not_ready', store, feed });
    },
  );
};
