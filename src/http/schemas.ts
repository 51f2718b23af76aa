/** Route schemas: validation, TypeScript types and response serialization from one source. */
import { Type } from './json-schema.js';
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

const tokenPairFields = {
  token: Type.String({ description: 'The JWT (JWS compact, HS256); carries the session id as `sid`.' }),
  refresh_token: Type.String({ description: 'Opaque, single use: POST it to /user/refresh for a new pair.' }),
  expires_in: Type.Integer({ description: 'Seconds until the JWT expires.' }),
};

export const loginResponses = {
  200: Type.Object(
    {
      token: tokenPairFields.token,
      refresh_token: Type.Optional(tokenPairFields.refresh_token),
      expires_in: Type.Optional(tokenPairFields.expires_in),
    },
    {
      description: 'Logged in: a new session. With refresh tokens off (the default) the body is exactly `{"token"}`.',
      headers: { 'Cache-Control': { type: 'string', description: '`no-store`' } },
    },
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

export const revocationsResponses = {
  200: Type.Unsafe<undefined>({
    description: 'A `text/event-stream` of `hello`, the state, `ready`, then changes and heartbeats (docs/verifier.md).',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  }),
  401: errorResponse('`unauthenticated`: not a trusted peer and no key of ATS_AUTH_STREAM_KEYS presented as Bearer.', WWW_AUTHENTICATE),
  503: errorResponse('`store_unavailable`: the revocation state could not be loaded; try again later.'),
};

// --- Sessions and refresh tokens (SPEC §12).

const Session = Type.Object(
  {
    id: Type.String({ description: 'The session id (the `sid` of its tokens).' }),
    created_at: Type.String({ format: 'date-time', description: 'When the login happened (ISO 8601).' }),
    last_seen_at: Type.String({ format: 'date-time', description: 'When a token of the session was last verified (written at a bounded rate).' }),
    ip: Type.Union([Type.String(), Type.Null()], { description: 'Client address at login (the gateway\'s forwarded one from trusted peers).' }),
    user_agent: Type.Union([Type.String(), Type.Null()], { description: 'User-Agent at login.' }),
    current: Type.Boolean({ description: 'True for the session of the presented token.' }),
  },
  { additionalProperties: false },
);

const SessionListSchema = Type.Array(Session, { description: "The caller's live sessions, newest first." });
export type SessionList = import('typebox').Static<typeof SessionListSchema>;

const callerUnauthenticated = errorResponse(
  '`invalid_token`: no trusted X-Auth-UserId and no token /user/verify would accept.',
  WWW_AUTHENTICATE,
);
const badHeaders = errorResponse('`invalid_request` or `bad_request`: malformed request.');
const sessionsUnavailable = errorResponse('`store_unavailable` or `feed_stale`: try again later.');

export const listSessionsResponses = {
  200: SessionListSchema,
  400: badHeaders,
  401: callerUnauthenticated,
  503: sessionsUnavailable,
};

export const endSessionResponses = {
  204: emptyResponse('The session is ended: every token of it is refused, on every instance within the revocation bound.'),
  400: badHeaders,
  401: callerUnauthenticated,
  404: errorResponse("`session_not_found`: not one of the caller's live sessions (whether or not the id exists)."),
  503: sessionsUnavailable,
};

export const logoutOthersResponses = {
  204: emptyResponse('Every other session of the caller is ended.'),
  400: errorResponse('`invalid_request`: the current session is unknown (no token of the caller was presented).'),
  401: callerUnauthenticated,
  503: sessionsUnavailable,
};

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: true },
);

export const refreshResponses = {
  200: Type.Object(tokenPairFields, {
    description: 'A new pair; the presented refresh token is spent.',
    headers: { 'Cache-Control': { type: 'string', description: '`no-store`' } },
  }),
  400: errorResponse('`invalid_request`: malformed body, or `refresh_token` missing or not a string.'),
  401: errorResponse(
    '`invalid_refresh_token` (unknown, expired, or its session has ended) or `refresh_token_reused` ' +
      '(a spent token presented after the grace window: its session is now ended).',
  ),
  404: errorResponse('`refresh_disabled`: refresh tokens are off (ATS_AUTH_REFRESH_TTL is 0).'),
  413: tooLarge,
  415: errorResponse('`unsupported_media_type`: send JSON (or a form-encoded body).'),
  429: errorResponse('`throttled`: too many failed refreshes from this client address.', {
    'Retry-After': { type: 'integer', description: 'Seconds until another attempt may succeed.' },
  }),
  503: errorResponse('`store_unavailable`: try again later.'),
};
