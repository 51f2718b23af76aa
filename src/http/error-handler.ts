/**
 * The one place errors become HTTP: a table from error code to status, and the body
 * {"error": code, "message": text}. Client-facing text never carries internal detail;
 * unexpected errors are logged in full and answered with a generic 500.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, Throttled } from '../errors.js';
import { lingerIfIncomplete } from './linger.js';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_credentials: 401,
  invalid_token: 401,
  unauthenticated: 401,
  throttled: 429,
  store_unavailable: 503,
  credentials_unavailable: 503,
  feed_stale: 503,
  user_exists: 409,
  user_not_found: 404,
  unknown_user: 404,
  session_not_found: 404,
  invalid_config: 500,
  request_timeout: 408,
  invalid_refresh_token: 401,
  refresh_token_reused: 401,
  refresh_disabled: 404,
  key_not_found: 404,
  keys_unreadable: 503,
};

/** Framework errors that are the client's doing, by Fastify error code. */
const FRAMEWORK: Record<string, { status: number; error: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    error: 'unsupported_media_type',
    message: 'Send the body as application/json (or application/x-www-form-urlencoded).',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'invalid_request', message: 'The JSON body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'invalid_request', message: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'invalid_request', message: 'Content-Length does not match the body.' },
};

/** The HTTP status of a domain error, for the pages that answer in HTML. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export interface ErrorBody {
  error: string;
  message: string;
}

export function errorHandler(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A body refused while it is still arriving (413, 408): let the answer reach the client.
  lingerIfIncomplete(request.raw);
  if (error instanceof AppError) {
    const status = STATUS[error.code];
    if (error.code === 'invalid_token' || error.code === 'unauthenticated') {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
    }
    if (error instanceof Throttled) reply.header('retry-after', String(error.retryAfterSeconds));
    if (status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, error.message);
    else if (error.code === 'invalid_token') request.log.debug({ reason: (error as { reason?: string }).reason }, 'token refused');
    return reply.code(status).send({ error: error.code, message: error.message } satisfies ErrorBody);
  }

  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return reply.code(400).send({ error: 'invalid_request', message: validationMessage(fastifyError) });
  }
  const known = fastifyError.code ? FRAMEWORK[fastifyError.code] : undefined;
  if (known) return reply.code(known.status).send({ error: known.error, message: known.message });
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return reply.code(fastifyError.statusCode).send({ error: 'bad_request', message: 'The request could not be understood.' });
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send({ error: 'internal_error', message: 'Internal error.' });
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return 'The request is not valid.';
  const context = error.validationContext ?? 'body';
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  if (first.keyword === 'required' && missing) return `${context}.${missing} is required`;
  const field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  return field ? `${context}.${field} ${first.message}` : `${context} ${first.message}`;
}

export function notFoundHandler(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: 'not_found', message: 'No such endpoint.' });
}
