/** POST /user/login — §2: credentials in, {"token": JWT} out. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { passwordProblem, usernameProblem } from '../../auth/input-rules.js';
import type { Login } from '../../auth/login.js';
import { InvalidRequest } from '../../errors.js';
import type { IsTrustedPeer } from '../trusted-peers.js';
import { clientInfo } from '../request-info.js';
import { operation } from '../openapi-operation.js';
import { LoginBody, loginResponses } from '../schemas.js';

export const loginRoute: FastifyPluginAsyncTypebox<{ login: Login; isTrustedPeer: IsTrustedPeer }> = async (app, opts) => {
  app.post(
    '/user/login',
    {
      schema: operation({
        operationId: 'login',
        summary: 'Check a username and password and issue a token',
        tags: ['auth'],
        access: 'public',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: LoginBody,
        response: loginResponses,
      }),
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const problem = usernameProblem(username) ?? passwordProblem(password);
      if (problem) throw new InvalidRequest(problem);
      const issued = await opts.login({ username, password }, clientInfo(request, opts.isTrustedPeer));
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      // Exactly {"token"} unless refresh tokens are on (the seed's body, SPEC §2).
      if (issued.refreshToken === undefined) return { token: issued.token };
      return { token: issued.token, refresh_token: issued.refreshToken, expires_in: issued.expiresInSeconds };
    },
  );
};
