/**
 * The keystone backend (§10): OpenStack Identity v3 password authentication, optionally scoped
 * to a project so only its members get in. `POST {url}/auth/tokens`: 201 accepted (the name
 * Keystone returns is the subject), 401 rejected (Keystone does not tell an unknown user from a
 * wrong password), anything else, a timeout or a refused connection: unavailable. The Keystone
 * token obtained is not kept.
 */
import type { CredentialBackend } from './port.js';

export interface KeystoneOptions {
  /** The v3 endpoint, e.g. http://127.0.0.1:5000/v3 */
  url: string;
  userDomain: string;
  project: string | undefined;
  projectDomain: string | undefined;
  timeoutMs: number;
}

export function createKeystoneBackend(options: KeystoneOptions): CredentialBackend {
  const base = options.url.replace(/\/+$/, '');
  const tokens = `${base}/auth/tokens?nocatalog`;

  function body(username: string, password: string): string {
    const scope =
      options.project === undefined
        ? undefined
        : { project: { name: options.project, domain: { name: options.projectDomain ?? options.userDomain } } };
    const user = { name: username, domain: { name: options.userDomain }, password };
    return JSON.stringify({ auth: { identity: { methods: ['password'], password: { user } }, ...(scope && { scope }) } });
  }

  return {
    name: 'keystone',
    async check(username, password) {
      if (password === '') return { outcome: 'rejected', reason: 'empty password' };
      let response: Response;
      try {
        response = await fetch(tokens, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: body(username, password),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        return { outcome: 'unavailable', cause: error };
      }
      if (response.status === 401) {
        await response.body?.cancel();
        return { outcome: 'rejected', reason: 'Keystone answered 401' };
      }
      if (response.status !== 201) {
        await response.body?.cancel();
        return { outcome: 'unavailable', cause: new Error(`Keystone answered ${response.status}`) };
      }
      try {
        const answer = (await response.json()) as { token?: { user?: { name?: unknown } } };
        const name = answer.token?.user?.name;
        return { outcome: 'accepted', subject: typeof name === 'string' && name !== '' ? name : username };
      } catch (error) {
        return { outcome: 'unavailable', cause: error };
      }
    },
    async probe() {
      const response = await fetch(base, { signal: AbortSignal.timeout(options.timeoutMs) });
      await response.body?.cancel();
      if (response.status >= 500) throw new Error(`Keystone answered ${response.status}`);
    },
  };
}
