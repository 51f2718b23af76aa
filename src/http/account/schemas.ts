/**
 * Schemas of the account pages. GET /account is in the OpenAPI document; the forms' POST targets
 * are hidden from it: they answer browsers with 303 (post/redirect/get), are no API for generated
 * clients, and are documented in the README.
 */
import { Type } from '../json-schema.js';
import { operation } from '../openapi-operation.js';

const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const seeOther = (description: string) => ({
  description,
  headers: { Location: { type: 'string', description: 'Where the browser goes next.' } },
});
const refused = htmlPage('Not a same-origin form with a valid CSRF token.');

const FORM = ['application/x-www-form-urlencoded'];

/** A form target: validated and typed like any route, left out of the OpenAPI document. */
function hiddenForm<const S extends Parameters<typeof operation>[0]>(spec: S) {
  return { ...operation(spec), hide: true };
}
const CsrfForm = Type.Object({ csrf: Type.String({ description: 'The form token from the page.' }) }, { additionalProperties: true });
const tags = ['account'] as const;

export const accountSchemas = {
  stylesheet: { hide: true },
  page: operation({
    operationId: 'accountPage',
    tags,
    access: 'public',
    summary: 'Sign-in form, or the signed-in user\'s devices',
    description:
      'With a valid session cookie: the device list (or, with an allowed `rd`, a redirect there). Without: the sign-in form. ' +
      'From a trusted gateway, an `X-Original-URL` header (and no `rd`) answers 302 to `/account?rd=<that URL>`.',
    querystring: Type.Object({
      rd: Type.Optional(Type.String({ description: 'Where to go after signing in; followed only to ATS_AUTH_REDIRECT_HOSTS.' })),
      notice: Type.Optional(Type.String({ description: 'Which confirmation to show after a sign-out.' })),
    }),
    response: {
      200: htmlPage('The sign-in form or the device list.'),
      302: seeOther('To the sign-in form with `rd` (gateway hand-off).'),
      303: seeOther('Already signed in: to `rd`.'),
      400: htmlPage('Malformed request.'),
    },
  }),
  signIn: hiddenForm({
    operationId: 'accountSignIn',
    tags,
    access: 'public',
    summary: 'Sign in from the form; sets the session cookie',
    consumes: FORM,
    body: Type.Object(
      { csrf: Type.String(), username: Type.String(), password: Type.String(), rd: Type.Optional(Type.String()) },
      { additionalProperties: true },
    ),
    response: {
      303: seeOther('Signed in: to `rd` when allowed, else `/account`. Sets the cookie (ATS_AUTH_COOKIE_NAME).'),
      400: htmlPage('The form again: a field is malformed.'),
      401: htmlPage('The form again: the username or password is not valid.'),
      403: refused,
      429: htmlPage('The form again, saying how long to wait (also in Retry-After).'),
      503: htmlPage('The form again: the store or credential backend is unavailable.'),
    },
  }),
  signOut: hiddenForm({
    operationId: 'accountSignOut',
    tags,
    access: 'cookie',
    summary: 'Sign this device out: ends its session and clears the cookie',
    consumes: FORM,
    body: CsrfForm,
    response: { 303: seeOther('To `/account`.'), 403: refused, 503: htmlPage('The store is unavailable; nothing changed.') },
  }),
  signOutEverywhere: hiddenForm({
    operationId: 'accountSignOutEverywhere',
    tags,
    access: 'cookie',
    summary: 'Sign out on every device (logout_all) and clear the cookie',
    consumes: FORM,
    body: CsrfForm,
    response: { 303: seeOther('To `/account`.'), 403: refused, 503: htmlPage('The store is unavailable; nothing changed.') },
  }),
  signOutOthers: hiddenForm({
    operationId: 'accountSignOutOthers',
    tags,
    access: 'cookie',
    summary: 'Sign out every other device',
    consumes: FORM,
    body: CsrfForm,
    response: { 303: seeOther('To `/account`.'), 403: refused, 503: htmlPage('The store is unavailable; nothing changed.') },
  }),
  endSession: hiddenForm({
    operationId: 'accountEndSession',
    tags,
    access: 'cookie',
    summary: 'Sign one device out',
    consumes: FORM,
    body: Type.Object({ csrf: Type.String(), id: Type.String({ description: 'The session id from the device list.' }) }, { additionalProperties: true }),
    response: {
      303: seeOther('To `/account`.'),
      400: htmlPage('No session id.'),
      403: refused,
      404: htmlPage('No such session of this user.'),
      503: htmlPage('The store is unavailable; nothing changed.'),
    },
  }),
};
