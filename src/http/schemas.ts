/** Route schemas: validation, TypeScript types and response serialization from one source. */
import { Type } from '@fastify/type-provider-typebox';
import { MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS } from '../auth/input-rules.js';

export const ErrorBody = Type.Object(
  { error: Type.String(), message: Type.String() },
  { description: 'Every error: a short machine word and a human message.' },
);

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: MAX_USERNAME_CHARS }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_BYTES }),
  },
  { additionalProperties: true },
);

export const TokenBody = Type.Object({ token: Type.String({ description: 'The JWT (JWS compact, HS256).' }) });
