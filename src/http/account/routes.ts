/**
 * The account pages (SPEC §13): a sign-in form whose cookie /user/verify accepts, so it is the
 * login page of web apps behind the gateway, and the list of the user's devices. HTML only
 * here; the work is done by the same login, logout and session services the JSON API uses.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Authenticate } from '../../auth/authenticate.js';
import type { Login } from '../../auth/login.js';
import type { Logout } from '../../auth/logout.js';
import { AppError, InvalidRequest, Throttled, TokenInvalid } from '../../errors.js';
import type { VerifiedClaims } from '../../tokens/index.js';
import { statusOf } from '../error-handler.js';
import { clientInfo, readCookie } from '../request-info.js';
import type { IsTrustedPeer } from '../trusted-peers.js';
import { passwordProblem, usernameProblem } from '../../auth/input-rules.js';
import { createCsrf, isSameOrigin } from './csrf.js';
import { describeDevice } from './device.js';
import { devicesPage, isNotice, problemPage, signInPage, STYLESHEET_PATH, waitInWords, type Notice } from './pages.js';
import { allowedRedirect } from './redirect.js';
import { accountSchemas } from './schemas.js';

const STYLESHEET = readFileSync(new URL('./assets/account.css', import.meta.url), 'utf8');

/** The user's sessions as the device list needs them (SPEC §12). */
export interface AccountSessions {
  /** The live sessions of the token's user, the token's own marked `current`. */
  list(current: VerifiedClaims): Promise<AccountSession[]>;
  /** Ends one session of the token's user; throws UserNotFound-like 404 errors when it is not theirs. */
  end(current: VerifiedClaims, id: string): Promise<void>;
  /** Ends every session of the token's user but the token's own. */
  endOthers(current: VerifiedClaims): Promise<void>;
}

export interface AccountSession {
  id: string;
  createdAtMs: number;
  lastSeenAtMs: number;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface AccountDeps {
  login: Login;
  logout: Logout;
  authenticate: Authenticate;
  sessions: AccountSessions;
  isTrustedPeer: IsTrustedPeer;
  cookieName: string;
  /** ATS_AUTH_PUBLIC_URL: the origin forms must come from, and https turns on Secure cookies. */
  publicUrl: URL | undefined;
  /** Host names `rd` may lead to (ATS_AUTH_REDIRECT_HOSTS). */
  redirectHosts: ReadonlySet<string>;
  /** HMAC key of the CSRF form tokens, derived from the service secret. */
  csrfKey: Buffer;
}

type Form = Record<string, unknown>;

export const accountRoutes: FastifyPluginAsync<AccountDeps> = async (app: FastifyInstance, deps) => {
  const csrf = createCsrf(deps.csrfKey);
  const csrfCookieName = `${deps.cookieName}_csrf`;
  const secure = deps.publicUrl?.protocol === 'https:' ? '; Secure' : '';
  const formTargets = ["'self'", ...[...deps.redirectHosts].flatMap((host) => [`http://${host}:*`, `https://${host}:*`])];
  const contentSecurityPolicy = [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    // Chromium applies form-action to the redirect after sign-in as well.
    `form-action ${formTargets.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');

  app.addHook('onSend', async (_request, reply) => {
    reply
      .header('content-security-policy', contentSecurityPolicy)
      .header('x-frame-options', 'DENY')
      // Not no-referrer: with it Chromium sends `Origin: null` on the forms' own POSTs.
      .header('referrer-policy', 'same-origin')
      .header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error, request, reply) => {
    const status = error instanceof AppError ? statusOf(error.code) : (error as { validation?: unknown }).validation ? 400 : 500;
    if (status >= 500) request.log.error({ err: error }, 'account page failed');
    const text = status >= 500 ? 'Something went wrong on our side. Try again in a moment.' : (error as Error).message;
    return html(reply.code(status), problemPage(status >= 500 ? 'Unavailable' : 'Request refused', text));
  });

  /** The signed-in token and its claims, from the cookie; undefined when absent or refused. */
  const signedIn = (request: FastifyRequest): { token: string; claims: VerifiedClaims } | undefined => {
    const token = readCookie(request.headers.cookie, deps.cookieName);
    if (token === undefined) return undefined;
    try {
      return { token, claims: deps.authenticate(token) };
    } catch (error) {
      if (error instanceof TokenInvalid) return undefined;
      throw error;
    }
  };

  /** The CSRF form token for this browser, setting its cookie when it has none yet. */
  const csrfTokenFor = (request: FastifyRequest, reply: FastifyReply): string => {
    let nonce = readCookie(request.headers.cookie, csrfCookieName);
    if (!csrf.isNonce(nonce)) {
      nonce = csrf.newNonce();
      reply.header('set-cookie', `${csrfCookieName}=${nonce}; Path=/account; HttpOnly; SameSite=Strict${secure}`);
    }
    return csrf.tokenFor(nonce);
  };

  const requireSameSiteForm = async (request: FastifyRequest, reply: FastifyReply) => {
    const form = (request.body ?? {}) as Form;
    const sameOrigin = isSameOrigin(request.headers, deps.publicUrl?.origin);
    if (!sameOrigin || !csrf.matches(readCookie(request.headers.cookie, csrfCookieName), form.csrf)) {
      request.log.warn(
        {
          event: 'account.form_refused',
          path: request.url,
          reason: sameOrigin ? 'csrf_token' : 'cross_origin',
          origin: request.headers.origin,
          fetchSite: request.headers['sec-fetch-site'],
        },
        'account form refused',
      );
      return html(
        reply.code(403),
        problemPage('Request refused', 'This form came from another site or has expired. Go back to your account and try again.'),
      );
    }
  };

  const setTokenCookie = (reply: FastifyReply, token: string, maxAgeSeconds: number) =>
    reply.header('set-cookie', `${deps.cookieName}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`);
  const clearTokenCookie = (reply: FastifyReply) =>
    reply.header('set-cookie', `${deps.cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`);
  const backTo = (reply: FastifyReply, notice: Notice | undefined) =>
    reply.code(303).header('location', notice ? `/account?notice=${notice}` : '/account').send();

  app.get(STYLESHEET_PATH, { schema: accountSchemas.stylesheet }, async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );

  app.get('/account', { schema: accountSchemas.page }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    // The gateway's 401 page: nginx cannot URL-encode, so it hands the original URL over in a
    // header and ats-auth builds the redirect to the sign-in page with `rd` encoded.
    const original = request.headers['x-original-url'];
    if (query.rd === undefined && typeof original === 'string' && deps.isTrustedPeer(request.socket.remoteAddress)) {
      const rd = allowedRedirect(original, deps.redirectHosts);
      return reply.code(302).header('location', rd ? `/account?rd=${encodeURIComponent(rd)}` : '/account').send();
    }
    const rd = allowedRedirect(query.rd, deps.redirectHosts);
    const notice = isNotice(query.notice) ? query.notice : undefined;
    const session = signedIn(request);
    if (session === undefined) return html(reply, signInPage({ csrfToken: csrfTokenFor(request, reply), rd, notice }));
    if (rd !== undefined) return reply.code(303).header('location', rd).send();
    const sessions = await deps.sessions.list(session.claims);
    const devices = sessions.map((s) => ({
      id: s.id,
      name: describeDevice(s.userAgent),
      ip: s.ip,
      createdAt: new Date(s.createdAtMs),
      lastSeenAt: new Date(s.lastSeenAtMs),
      current: s.current,
    }));
    devices.sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
    return html(reply, devicesPage({ user: session.claims.sub, devices, csrfToken: csrfTokenFor(request, reply), notice }));
  });

  app.post('/account/sign-in', { schema: accountSchemas.signIn, preHandler: requireSameSiteForm }, async (request, reply) => {
    const form = request.body as Form;
    const rd = allowedRedirect(form.rd, deps.redirectHosts);
    const username = typeof form.username === 'string' ? form.username : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const again = (status: number, error: string) =>
      html((reply as FastifyReply).code(status), signInPage({ csrfToken: csrfTokenFor(request, reply), rd, username, error }));
    try {
      const problem = usernameProblem(username) ?? passwordProblem(password);
      if (problem) throw new InvalidRequest(problem);
      const issued = await deps.login({ username, password }, clientInfo(request, deps.isTrustedPeer));
      setTokenCookie(reply, issued.token, Math.max(0, Math.floor((issued.expiresAtMs - Date.now()) / 1000)));
      return reply.code(303).header('location', rd ?? '/account').send();
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const status = statusOf(error.code);
      if (error instanceof Throttled) {
        reply.header('retry-after', String(error.retryAfterSeconds));
        return again(status, `Too many failed sign-ins. Try again in ${waitInWords(error.retryAfterSeconds)}.`);
      }
      if (status === 401) return again(status, 'The username or password is not valid.');
      if (status === 400) return again(status, error.message);
      if (status === 503) return again(status, 'Signing in is not possible right now. Try again in a few minutes.');
      throw error;
    }
  });

  app.post('/account/sign-out', { schema: accountSchemas.signOut, preHandler: requireSameSiteForm }, async (request, reply) => {
    const session = signedIn(request);
    if (session !== undefined) await deps.logout.logout(session.token, clientInfo(request, deps.isTrustedPeer));
    clearTokenCookie(reply);
    return backTo(reply, 'signed-out');
  });

  app.post('/account/sign-out-everywhere', { schema: accountSchemas.signOutEverywhere, preHandler: requireSameSiteForm }, async (request, reply) => {
    const session = signedIn(request);
    if (session !== undefined) await deps.logout.logoutAll(session.claims.sub, clientInfo(request, deps.isTrustedPeer));
    clearTokenCookie(reply);
    return backTo(reply, session ? 'signed-out-everywhere' : undefined);
  });

  app.post('/account/sign-out-others', { schema: accountSchemas.signOutOthers, preHandler: requireSameSiteForm }, async (request, reply) => {
    const session = signedIn(request);
    if (session === undefined) return backTo(reply, undefined);
    await deps.sessions.endOthers(session.claims);
    return backTo(reply, 'others-signed-out');
  });

  app.post('/account/sessions/end', { schema: accountSchemas.endSession, preHandler: requireSameSiteForm }, async (request, reply) => {
    const session = signedIn(request);
    if (session === undefined) return backTo(reply, undefined);
    const id = (request.body as Form).id;
    if (typeof id !== 'string' || id === '') throw new InvalidRequest('Say which device to sign out.');
    await deps.sessions.end(session.claims, id);
    return backTo(reply, 'device-signed-out');
  });
};

function html(reply: FastifyReply, page: string): FastifyReply {
  return reply.header('content-type', 'text/html; charset=utf-8').send(page);
}
