/**
 * The LDAP backend (§10), with ldapts: search as the service account for the entry whose
 * filter matches the typed name (escaped per RFC 4515), then bind as that entry with the
 * password. The search connection is kept and reused (it only ever carries the service
 * account's bind); a connection found dead is replaced, and a search that fails on a
 * connection that died under it is tried once more on a new one, so a restarted directory
 * costs no failed login. User binds get a connection of their own, closed right after.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError, type Entry } from 'ldapts';
import type { Logger } from 'pino';
import { InvalidConfig } from '../errors.js';
import type { CredentialAnswer, CredentialBackend } from './port.js';

export interface LdapOptions {
  url: string;
  startTls: boolean;
  caFile: string | undefined;
  bindDn: string | undefined;
  bindPassword: string | undefined;
  bindPasswordFile: string | undefined;
  baseDn: string;
  userFilter: string;
  usernameAttribute: string;
  timeoutMs: number;
}

/** LDAP result codes that mean "could not be asked" rather than an answer about the user. */
const OUTAGE_CODES = new Set([3 /* timeLimitExceeded */, 51 /* busy */, 52 /* unavailable */]);

/** RFC 4515 §3: `*`, `(`, `)`, `\` and NUL are written as `\` and two hex digits. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function createLdapBackend(options: LdapOptions, logger: Pick<Logger, 'warn'>): CredentialBackend {
  const problems: string[] = [];
  const read = (setting: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(`${setting}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const ca = read('ATS_AUTH_LDAP_CA_FILE', options.caFile);
  const bindPassword = options.bindPassword ?? read('ATS_AUTH_LDAP_BIND_PASSWORD_FILE', options.bindPasswordFile)?.replace(/\r?\n$/, '');
  if (problems.length > 0) throw new InvalidConfig(problems);
  const tls: ConnectionOptions = ca === undefined ? {} : { ca: [ca] };
  const secure = options.url.startsWith('ldaps:');

  const newClient = () =>
    new Client({
      url: options.url,
      timeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      tlsOptions: secure ? tls : undefined,
      strictDN: false,
    });

  /** A client ready for use: upgraded with StartTLS when configured, bound as the service account when one is. */
  async function open(bind?: { dn: string; password: string }): Promise<Client> {
    const client = newClient();
    try {
      if (options.startTls) await client.startTLS(tls);
      if (bind !== undefined) await client.bind(bind.dn, bind.password);
      return client;
    } catch (error) {
      void client.unbind().catch(() => {});
      throw error;
    }
  }

  const service = options.bindDn === undefined ? undefined : { dn: options.bindDn, password: bindPassword ?? '' };
  let search: { client: Promise<Client>; used: boolean } | undefined;

  function healthy(client: Client, used: boolean): boolean {
    // A client that has not run an operation yet may not have connected (anonymous, no StartTLS).
    if (!client.isConnected) return !used && service === undefined && !options.startTls;
    return service === undefined || client.isBound;
  }

  async function searchClient(): Promise<{ client: Client; slot: NonNullable<typeof search> }> {
    const slot = search;
    if (slot !== undefined) {
      const client = await slot.client.catch(() => undefined);
      if (client !== undefined && healthy(client, slot.used)) return { client, slot };
      if (search === slot) discard(slot);
    }
    if (search === undefined) {
      const fresh = { client: open(service), used: false };
      fresh.client.catch(() => {
        if (search === fresh) search = undefined;
      });
      search = fresh;
    }
    const current = search;
    return { client: await current.client, slot: current };
  }

  function discard(slot: NonNullable<typeof search>): void {
    if (search === slot) search = undefined;
    void slot.client.then((c) => c.unbind()).catch(() => {});
  }

  /** Up to two entries (two mean "ambiguous"); throws when the directory could not be asked. */
  async function findEntries(username: string): Promise<Entry[]> {
    const filter = options.userFilter.replaceAll('{username}', escapeFilterValue(username));
    for (let attempt = 1; ; attempt++) {
      const { client, slot } = await searchClient();
      try {
        const result = await client.search(options.baseDn, { scope: 'sub', filter, attributes: [options.usernameAttribute], sizeLimit: 2 });
        slot.used = true;
        return result.searchEntries;
      } catch (error) {
        if (error instanceof SizeLimitExceededError) return [{ dn: '' }, { dn: '' }];
        discard(slot);
        // A reused connection may have died under this search: one more try on a new one.
        if (attempt >= 2 || !slot.used) throw error;
      }
    }
  }

  async function bindAs(dn: string, password: string): Promise<CredentialAnswer> {
    let client: Client | undefined;
    try {
      client = await open({ dn, password });
      return { outcome: 'accepted', subject: '' };
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return { outcome: 'rejected', reason: 'wrong password' };
      if (error instanceof ResultCodeError && !OUTAGE_CODES.has(error.code)) {
        return { outcome: 'rejected', reason: `bind refused with LDAP result ${error.code}` };
      }
      return { outcome: 'unavailable', cause: error };
    } finally {
      if (client !== undefined) void client.unbind().catch(() => {});
    }
  }

  return {
    name: 'ldap',
    async check(username, password) {
      // An empty password would make a simple bind anonymous, and "succeed".
      if (password === '') return { outcome: 'rejected', reason: 'empty password' };
      let entries: Entry[];
      try {
        entries = await findEntries(username);
      } catch (error) {
        return { outcome: 'unavailable', cause: error };
      }
      if (entries.length === 0) return { outcome: 'unknown' };
      if (entries.length > 1) {
        logger.warn({ user: username, filter: options.userFilter }, 'LDAP: more than one entry matches this user; refused');
        return { outcome: 'rejected', reason: 'more than one entry' };
      }
      const entry = entries[0]!;
      const subject = canonicalName(entry, options.usernameAttribute, username);
      if (subject === undefined) {
        logger.warn({ user: username, dn: entry.dn, attribute: options.usernameAttribute }, 'LDAP: the entry has no username attribute; refused');
        return { outcome: 'rejected', reason: 'entry without username attribute' };
      }
      const answer = await bindAs(entry.dn, password);
      return answer.outcome === 'accepted' ? { outcome: 'accepted', subject } : answer;
    },
    // The same search check() starts with; throws when the directory cannot be asked.
    userExists: async (username) => (await findEntries(username)).length > 0,
    async probe() {
      const { client, slot } = await searchClient();
      try {
        await client.search(options.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
        slot.used = true;
      } catch (error) {
        // The directory answered (e.g. no access to the base entry): it is reachable.
        if (!(error instanceof ResultCodeError) || OUTAGE_CODES.has(error.code)) throw error;
      }
    },
    async close() {
      if (search !== undefined) discard(search);
    },
  };
}

/** The entry's value of the username attribute: the one equal to the typed name ignoring case, else the first. */
function canonicalName(entry: Entry, attribute: string, typed: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const raw = key === undefined ? undefined : entry[key];
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
  const folded = typed.normalize('NFKC').toLowerCase();
  return values.find((v) => v.normalize('NFKC').toLowerCase() === folded) ?? values[0];
}
