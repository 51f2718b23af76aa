/**
 * SPEC §15: a request body that has not fully arrived within ATS_AUTH_BODY_TIMEOUT_MS gets 408
 * and the connection is closed. Node's own requestTimeout answers in plain text and is checked
 * only every connectionsCheckingInterval (30 s), so each request that declares a body gets its
 * own timer from the moment Fastify starts reading it; bodiless requests (the verify fast path
 * above all) get none. The body is passed through a stream that fails with RequestTimeout when
 * the time is up, so the answer comes from the one error handler (which closes the connection).
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { RequestTimeout } from '../errors.js';
import { hasBody } from './verify-fast-path.js';

export function limitBodyTime(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (!hasBody(request.raw) || request.raw.complete) {
      done(null, payload);
      return;
    }
    const body = new PassThrough();
    const timer = setTimeout(() => {
      payload.unpipe(body);
      body.destroy(new RequestTimeout());
    }, timeoutMs);
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    payload.once('close', stop);
    body.once('close', stop);
    payload.once('error', (error) => body.destroy(error));
    payload.pipe(body);
    done(null, body);
  });
}
