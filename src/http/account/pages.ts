/** The account pages' markup. Everything a page shows goes through `html`, which escapes it. */
import { html, type Html } from './html.js';

export const STYLESHEET_PATH = '/account/account.css';

export interface Device {
  id: string;
  name: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

export type Notice = 'signed-out' | 'signed-out-everywhere' | 'device-signed-out' | 'others-signed-out';

const NOTICES: Record<Notice, string> = {
  'signed-out': 'You are signed out.',
  'signed-out-everywhere': 'You are signed out on every device.',
  'device-signed-out': 'That device is signed out.',
  'others-signed-out': 'Every other device is signed out.',
};

export function isNotice(value: unknown): value is Notice {
  return typeof value === 'string' && Object.hasOwn(NOTICES, value);
}

function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ats-auth</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>
`.toString();
}

function alert(text: string | undefined, kind: 'error' | 'info'): Html | undefined {
  if (text === undefined) return undefined;
  return kind === 'error'
    ? html`<p class="alert alert-error" role="alert">${text}</p>`
    : html`<p class="alert alert-info" role="status">${text}</p>`;
}

export function signInPage(input: {
  csrfToken: string;
  rd: string | undefined;
  username?: string;
  error?: string;
  notice?: Notice;
}): string {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
${alert(input.error, 'error')}${alert(input.notice && NOTICES[input.notice], 'info')}
<form method="post" action="/account/sign-in" class="stack">
<input type="hidden" name="csrf" value="${input.csrfToken}">
${input.rd !== undefined ? html`<input type="hidden" name="rd" value="${input.rd}">` : undefined}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${input.username ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>`,
  );
}

const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

function when(date: Date): Html {
  return html`<time datetime="${date.toISOString()}">${DATE.format(date)} UTC</time>`;
}

function deviceItem(device: Device, csrfToken: string): Html {
  const action = device.current ? '/account/sign-out' : '/account/sessions/end';
  return html`<li class="device${device.current ? ' device-current' : ''}">
<div class="device-head">
<h2 class="device-name">${device.name}</h2>
${device.current ? html`<span class="badge">This device</span>` : undefined}
</div>
<dl class="device-facts">
<div><dt>Address</dt><dd>${device.ip ?? 'unknown'}</dd></div>
<div><dt>Signed in</dt><dd>${when(device.createdAt)}</dd></div>
<div><dt>Last active</dt><dd>${when(device.lastSeenAt)}</dd></div>
</dl>
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${csrfToken}">
${device.current ? undefined : html`<input type="hidden" name="id" value="${device.id}">`}
<button type="submit" class="secondary">Sign out<span class="visually-hidden"> ${device.current ? 'this device' : device.name}</span></button>
</form>
</li>`;
}

export function devicesPage(input: { user: string; devices: Device[]; csrfToken: string; notice?: Notice }): string {
  const others = input.devices.filter((d) => !d.current).length;
  return layout(
    'Your devices',
    html`<h1>Your devices</h1>
<p class="lead">Signed in as <strong>${input.user}</strong>. These are the devices where you are signed in.</p>
${alert(input.notice && NOTICES[input.notice], 'info')}
<ul class="devices">
${input.devices.map((device) => deviceItem(device, input.csrfToken))}
</ul>
<div class="actions">
${others > 0
  ? html`<form method="post" action="/account/sign-out-others">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<button type="submit" class="secondary">Sign out all other devices</button>
</form>`
  : undefined}
<form method="post" action="/account/sign-out-everywhere">
<input type="hidden" name="csrf" value="${input.csrfToken}">
<button type="submit" class="danger">Sign out everywhere</button>
</form>
</div>`,
  );
}

/** A page for a refused form: the status says what happened, the text what to do. */
export function problemPage(title: string, text: string): string {
  return layout(title, html`<h1>${title}</h1>
${alert(text, 'error')}
<p><a href="/account">Back to your account</a></p>`);
}

/** "2 minutes", "1 hour": a throttle's wait as a person reads it. */
export function waitInWords(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return plural(Math.ceil(seconds / 60), 'minute');
  return plural(Math.ceil(seconds / 3600), 'hour');
}
