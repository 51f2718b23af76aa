/** The metrics-only listener used when ATS_AUTH_METRICS_PORT gives metrics a port of their own. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { notFoundHandler } from './error-handler.js';
import { metricsRoute, type MetricsText } from './routes/metrics.js';

export async function buildMetricsApp(deps: { logger: Logger; metrics: MetricsText }): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.setNotFoundHandler(notFoundHandler);
  await app.register(metricsRoute, { metrics: deps.metrics });
  return app;
}
