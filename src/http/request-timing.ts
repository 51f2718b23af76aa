/**
 * Times every request into a histogram by route pattern (never the raw URL, which would let
 * clients mint label values) and status code. Requests no route matched share one label.
 */
import type { FastifyInstance } from 'fastify';

export type ObserveRequest = (route: string, statusCode: number, seconds: number) => void;

const UNMATCHED = 'unmatched';

export function timeRequests(app: FastifyInstance, observe: ObserveRequest): void {
  // Callback style: no promise per request on the verify hot path.
  app.addHook('onResponse', (request, reply, done) => {
    observe(request.routeOptions.url ?? UNMATCHED, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
