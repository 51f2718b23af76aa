/** /healthz (the process answers) and /readyz (store reachable, revocation feed current). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';

export interface Readiness {
  /** Throws when the store cannot be reached. */
  pingStore(): Promise<void>;
  feedIsCurrent(): boolean;
}

const Status = Type.Object({ status: Type.String(), store: Type.Optional(Type.String()), feed: Type.Optional(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ readiness: Readiness }> = async (app, opts) => {
  app.get('/healthz', { schema: { response: { 200: Status } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { response: { 200: Status, 503: Status } } }, async (_request, reply) => {
    const store = await opts.readiness.pingStore().then(
      () => 'ok',
      () => 'unreachable',
    );
    const feed = opts.readiness.feedIsCurrent() ? 'current' : 'stale';
    const ready = store === 'ok' && feed === 'current';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', store, feed });
  });
};
