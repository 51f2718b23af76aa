/**
 * How a route describes itself in the OpenAPI document (docs/openapi.json, linted by Redocly's
 * recommended rules in `npm test`). Every route's schema goes through `operation()`, which
 * requires an operationId, a summary, tags and who may call it, and adds the client errors any
 * request can meet before it reaches a route. See "Adding a route" in the README.
 */
import { Type } from './json-schema.js';

/** The document's tags; an operation names one or more. */
export const TAGS = {
  auth: 'Log in, log out: issue and revoke tokens.',
  gateway: 'The check a gateway makes on every request.',
  operations: 'Probes and metrics for whoever runs the service.',
  verifier: 'For services that verify tokens themselves (the ats-auth/verifier package, docs/verifier.md).',
  sessions: 'Devices: list and end sessions; refresh tokens.',
  keys: 'The public signing keys, for those who verify tokens themselves.',
  account: 'The account pages: HTML sign-in form and device list for browsers (SPEC §13).',
} as const;
export type Tag = keyof typeof TAGS;

export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A token from POST /user/login, as `Authorization: Bearer <JWT>`.',
  },
  streamKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'A key of ATS_AUTH_STREAM_KEYS, as `Authorization: Bearer <key>` (not a token).',
  },
  gatewayUser: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Auth-UserId',
    description:
      'The user, named by a trusted gateway (ATS_AUTH_TRUSTED_PROXIES, default loopback only); ignored from anyone else. ' +
      'Characters other than visible ASCII, and `%`, are percent-encoded as UTF-8.',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'ats_auth',
    description: 'The cookie the account pages set on sign-in (its name is ATS_AUTH_COOKIE_NAME); /user/verify accepts it too.',
  },
} as const;

/**
 * Who may call an operation:
 * - `public`: anyone (no credentials);
 * - `bearer`: a token from /user/login in `Authorization: Bearer`;
 * - `bearerOrGateway`: a Bearer token, or a trusted gateway's `X-Auth-UserId`;
 * - `streamKeyOrTrustedPeer`: a key of ATS_AUTH_STREAM_KEYS as Bearer, or nothing from a trusted peer;
 * - `bearerOrCookie`: a Bearer token, or the account pages' session cookie;
 * - `cookie`: the account pages' session cookie.
 */
export type Access = 'public' | 'bearer' | 'bearerOrGateway' | 'bearerOrCookie' | 'cookie' | 'streamKeyOrTrustedPeer';
const SECURITY: Record<Access, Array<Partial<Record<keyof typeof SECURITY_SCHEMES, string[]>>>> = {
  public: [],
  bearer: [{ bearerAuth: [] }],
  bearerOrGateway: [{ bearerAuth: [] }, { gatewayUser: [] }],
  streamKeyOrTrustedPeer: [{ streamKey: [] }, {}],
  bearerOrCookie: [{ bearerAuth: [] }, { sessionCookie: [] }],
  cookie: [{ sessionCookie: [] }],
};

/** The {"error","message"} body of every error answer (src/http/error-handler.ts). */
export function errorResponse(description: string, headers?: Record<string, { type: string; description: string }>) {
  return Type.Object({ error: Type.String(), message: Type.String() }, { description, ...(headers ? { headers } : {}) });
}

/**
 * Answered for any endpoint before a route runs (Node's HTTP parser, src/http/client-error.ts);
 * documented as the `4XX` range so that every operation lists them, below its own 4xx statuses.
 */
const ANY_REQUEST = {
  '4xx': errorResponse(
    'Refused before reaching the endpoint: `bad_request` (400, malformed HTTP), `request_timeout` (408, ' +
      'the request took too long to arrive) or `headers_too_large` (431). The connection is closed.',
  ),
};

export interface OperationSpec {
  /** Unique, camelCase: the method name generated clients get. */
  operationId: string;
  summary: string;
  tags: readonly Tag[];
  access: Access;
  /** Every status the route answers itself, 4xx included (with `errorResponse`). */
  response: Record<number, unknown>;
}

/**
 * The Fastify route schema of one operation: `spec` as given (body, headers, querystring,
 * description, consumes … pass through) plus its security and the errors any request can meet.
 */
export function operation<const S extends OperationSpec>(
  spec: S,
): Omit<S, 'access' | 'tags' | 'response'> & {
  tags: string[];
  security: (typeof SECURITY)[Access];
  response: S['response'] & typeof ANY_REQUEST;
} {
  const { access, response, tags, ...schema } = spec;
  return { ...schema, tags: [...tags], security: SECURITY[access], response: { ...response, ...ANY_REQUEST } };
}
