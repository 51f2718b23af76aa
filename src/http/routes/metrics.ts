/** GET /metrics — Prometheus text format, on the main port or a port of its own (ATS_AUTH_METRICS_PORT). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '../json-schema.js';
import { operation } from '../openapi-operation.js';

/** The metrics exposition: a registry's text and its content type. */
export interface MetricsText {
  readonly contentType: string;
  metrics(): Promise<string>;
}

const METRICS_SCHEMA = operation({
  operationId: 'metrics',
  summary: 'Prometheus metrics',
  tags: ['operations'],
  access: 'public',
  response: {
    200: {
      description: 'Prometheus text exposition format 0.0.4.',
      content: { 'text/plain': { schema: Type.String() } },
    },
  },
});

export const metricsRoute: FastifyPluginAsyncTypebox<{ metrics: MetricsText }> = async (app, opts) => {
  app.get('/metrics', { schema: METRICS_SCHEMA }, async (_request, reply) => {
    const text = await opts.metrics.metrics();
    return reply.type(opts.metrics.contentType).send(text);
  });
};
