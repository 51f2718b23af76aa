/** Route schemas: validation, TypeScript types and response serialization from one source. */
import { Type } from '@fastify/type-provider-typebox';
import { MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS } from '../auth/input-rules.js';
import { errorResponse } from './openapi-operation.js';

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: MAX_USERNAME_CHARS }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES }),
  },
  { additionalProperties: true },
);

// --- Responses, for validation-free serialization and the OpenAPI document (docs/openapi.json).

const WWW_AUTHENTICATE = {
  'WWW-Authenticate': { type: 'string', description: 'RFC 6750: `Bearer error="invalid_token"`.' },
};

/** An empty body (OpenAPI: no content); `headers` documents the ones that matter. */
function emptyResponse(description: string, headers?: Record<string, { type: string; description: string }>) {
  return Type.Unsafe<undefined>({ type: 'null', description, ...(headers ? { headers } : {}) });
}

const unavailable = errorResponse('`store_unavailable`, `credentials_unavailable` or `feed_stale`: try again later.');
const tooLarge = errorResponse('`payload_too_large`: the body is over the limit (8 KiB).');

export const loginResponses = {
  200: Type.Object(
    { token: Type.String({ description: 'The JWT (JWS compact, HS256).' }) },
    { description: 'Logged in.', headers: { 'Cache-Control': { type: 'string', description: '`no-store`' } } },
  ),
  400: errorResponse('`invalid_request`: malformed body, missing or non-string fields, or over-long values.'),
  401: errorResponse('`invalid_credentials`: unknown user, wrong password or disabled account (one answer for all).'),
  413: tooLarge,
  415: errorResponse('`unsupported_media_type`: send JSON (or a form-encoded body).'),
  429: errorResponse('`throttled`: too many failed logins for this username or client address.', {
    'Retry-After': { type: 'integer', description: 'Seconds until another attempt may succeed.' },
  }),
  503: unavailable,
};

const invalidToken = errorResponse('`invalid_token`: missing, malformed, expired, revoked or foreign token.', WWW_AUTHENTICATE);

export const logoutResponses = {
  204: emptyResponse('The token is revoked (also when it already was).'),
  400: errorResponse('`invalid_request`: several Authorization headers.'),
  401: invalidToken,
  413: tooLarge,
  503: unavailable,
};

export const logoutAllResponses = {
  204: emptyResponse('Every token of the user issued up to now is revoked.'),
  400: errorResponse(
    '`invalid_request`: several Authorization headers, or a trusted X-Auth-UserId that is repeated, holds a comma, raw non-ASCII or control characters.',
  ),
  401: errorResponse(
    '`unauthenticated` (no trusted X-Auth-UserId and no Bearer token) or `invalid_token` (including a revoked token).',
    WWW_AUTHENTICATE,
  ),
  404: errorResponse('`unknown_user`: the trusted X-Auth-UserId names a user no credential backend knows.'),
  413: tooLarge,
  503: unavailable,
};

export const verifyResponses = {
  200: emptyResponse('The token is valid and not revoked.', {
    'X-Auth-UserId': { type: 'string', description: "The token's subject (the username); characters other than visible ASCII, and '%' and ',', are percent-encoded as UTF-8." },
  }),
  400: errorResponse('`invalid_request`: several Authorization headers, or several token cookies.'),
  401: invalidToken,
  413: tooLarge,
  503: errorResponse('`feed_stale`: revocation state is out of date; the service fails closed.'),
};
