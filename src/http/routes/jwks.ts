/**
 * GET /.well-known/jwks.json — the RFC 7517 JWK Set of the asymmetric signing keys (next,
 * active, retired; §11), for gateways and services that verify tokens themselves. Never an HMAC
 * secret: with HS256 the set is empty. Cacheable by anyone for ATS_AUTH_JWKS_MAX_AGE seconds,
 * with an ETag so a revalidation costs a 304.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '../json-schema.js';
import { createHash } from 'node:crypto';
import type { PublishedJwk } from '../../tokens/key-pairs/ring.js';
import { operation } from '../openapi-operation.js';

export interface JwksSource {
  /** Changes whenever the set may have changed. */
  version(): number;
  keys(nowMs: number): PublishedJwk[];
  maxAgeSeconds: number;
  now(): number;
}

const Jwk = Type.Object(
  {
    kty: Type.String({ description: '`OKP` (Ed25519), `EC` (P-256) or `RSA`.' }),
    kid: Type.String(),
    alg: Type.String({ description: '`EdDSA`, `ES256` or `RS256`: the only algorithm this key verifies.' }),
    use: Type.Literal('sig'),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
    y: Type.Optional(Type.String()),
    n: Type.Optional(Type.String()),
    e: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const JWKS_SCHEMA = operation({
  operationId: 'getJwks',
  tags: ['keys'],
  access: 'public',
  summary: 'JSON Web Key Set of the signing keys',
  description:
    'RFC 7517 set of the public keys that may sign or have signed unexpired tokens (states next, active, retired). ' +
    'Empty with HS256. Send `If-None-Match` with the last `ETag` to get a 304.',
  response: {
    200: Type.Object(
      { keys: Type.Array(Jwk) },
      {
        description: 'The key set.',
        headers: {
          'Cache-Control': { type: 'string', description: '`public, max-age=<ATS_AUTH_JWKS_MAX_AGE>`' },
          ETag: { type: 'string', description: 'Changes whenever the set changes.' },
        },
      },
    ),
    304: Type.Unsafe<undefined>({ type: 'null', description: 'Not modified: the `If-None-Match` ETag is current.' }),
  },
});

export const jwksRoute: FastifyPluginAsyncTypebox<{ jwks: JwksSource }> = async (app, opts) => {
  const { jwks } = opts;
  let cached: { version: number; document: { keys: PublishedJwk[] }; etag: string; untilMs: number } | undefined;

  const current = () => {
    const nowMs = jwks.now();
    // Retired keys leave the set when their last token expires, without an event: recomputed at
    // least every minute (the purger drops them from the ring on the same period).
    if (cached === undefined || cached.version !== jwks.version() || nowMs >= cached.untilMs) {
      const document = { keys: jwks.keys(nowMs) };
      const body = JSON.stringify(document);
      cached = {
        version: jwks.version(),
        document,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        untilMs: nowMs + 60_000,
      };
    }
    return cached;
  };

  app.get('/.well-known/jwks.json', { schema: JWKS_SCHEMA }, async (request, reply) => {
    const { document, etag } = current();
    reply.header('cache-control', `public, max-age=${jwks.maxAgeSeconds}`).header('etag', etag);
    const match = request.headers['if-none-match'];
    if (typeof match === 'string' && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
      return reply.code(304).send();
    }
    return reply.send(document as never);
  });
};
