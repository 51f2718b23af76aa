/**
 * Every setting: its config-file key, its environment variable, its default and its parser.
 * A parser returns the value or a problem text; load.ts collects all problems before failing.
 */
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** A postgres:// URL selects PostgreSQL; undefined means SQLite in dataDir. */
  databaseUrl: string | undefined;
  jwtSecret: string | undefined;
  jwtSecretFile: string | undefined;
  /** Key rotation: several verification secrets by kid (ATS_AUTH_JWT_KEYS / _FILE). */
  jwtKeys: Readonly<Record<string, string>> | undefined;
  jwtKeysFile: string | undefined;
  /** Which of jwtKeys signs new tokens; required when there are several. */
  jwtSigningKid: string | undefined;
  /** HS256 (the secrets above) or an asymmetric algorithm whose key pairs live in the store (§11). */
  jwtAlg: JwtAlgorithm;
  /** Automatic rotation of the asymmetric signing key every so many days; 0 = manual (`keys rotate`). */
  keyRotationDays: number;
  /** Cache-Control max-age of the JWKS document; a next key is published at least this long before it signs. */
  jwksMaxAgeSeconds: number;
  issuer: string;
  /** When set, tokens carry this `aud` and verification requires it. */
  audience: string | undefined;
  tokenTtlSeconds: number;
  /** Accepted clock skew for exp/nbf/iat, in seconds (at most 60). */
  clockLeewaySeconds: number;
  trustedProxies: readonly string[];
  logLevel: string;
  /** How often the revocation feed is read even without a wake-up signal. */
  feedPollMs: number;
  /** Verify fails closed once the feed has not been read successfully for this long. */
  feedStaleMs: number;
  /** Login, logout and readiness answer 503 when the store has not answered within this long. */
  storeTimeoutMs: number;
  /** The cookie the account pages set and verify reads (SPEC §13). */
  cookieName: string;
  /** Where browsers reach the service (ATS_AUTH_PUBLIC_URL); https makes the cookie Secure. */
  publicUrl: string | undefined;
  /** Host names the sign-in page may send the browser back to; undefined = publicUrl's host. */
  redirectHosts: readonly string[] | undefined;
  /** When set, /metrics is served on this port (same host) instead of the main one. */
  metricsPort: number | undefined;
  /** Bearer keys allowed to follow GET /user/revocations besides trusted peers (§14). */
  streamKeys: readonly string[];
  /** How long a shutdown waits for in-flight requests before dropping them. */
  shutdownTimeoutMs: number;
  /** A request body not fully arrived within this long gets 408 and the connection closes (SPEC §15). */
  bodyTimeoutMs: number;
  /** Open connections per process; more are refused (SPEC §15). */
  maxConnections: number;

  /** Refresh token lifetime in seconds; 0 turns refresh tokens off (SPEC §12). */
  refreshTtlSeconds: number;
  /** A spent refresh token presented again within this many seconds gets the same new pair. */
  refreshReuseSeconds: number;
  /** Live sessions per user; the oldest is ended when a login would exceed it. */
  maxSessionsPerUser: number;
  /**
   * Token and session revocations one user may hold (in every process's memory) before they are
   * replaced by one not-before, as if the user had logged out everywhere (#16).
   */
  maxRevocationsPerUser: number;
  /** How often a session's last-seen time is written to the store (coalesced; never per verify). */
  lastSeenIntervalMs: number;
  /**
   * Rows the revocation log may grow past the stored checkpoint of the revocation state before a
   * process writes a new one (SQLite; 0: never write one). A start reads the checkpoint and the
   * rows after it (#15).
   */
  checkpointRows: number;

  /** Failed logins are counted over this sliding window (§6). */
  throttleWindowSeconds: number;
  /** Failures per (username, address) in the window before 429; 0 turns the limit off. */
  throttleUserAddressLimit: number;
  /** Failures per address (any username) in the window before 429; 0 turns the limit off. */
  throttleAddressLimit: number;
  /** Failures per username (any address) past which each attempt is only delayed; 0 = off. */
  throttleUserLimit: number;
  /** That delay. */
  throttleUserDelayMs: number;
  /** Failures per username (any address) in the window before 429; 0 turns the cap off. */
  throttleUserCap: number;
  /** IPv6 clients are counted per network of this prefix length (§15). */
  throttleIpv6Prefix: number;

  /** Threads that hash and check passwords (default: the cores this process may use, less one, at least one). */
  hashThreads: number;
  /** How much lower than the event loop those threads are scheduled (Linux nice, 0–19). */
  hashNice: number;

  /** Credential backends asked in this order (§10). */
  credentials: readonly CredentialBackendName[];
  htpasswdFile: string | undefined;
  ldapUrl: string | undefined;
  ldapStartTls: boolean;
  ldapCaFile: string | undefined;
  ldapBindDn: string | undefined;
  ldapBindPassword: string | undefined;
  ldapBindPasswordFile: string | undefined;
  ldapBaseDn: string | undefined;
  /** `{username}` is replaced by the typed name, escaped per RFC 4515. */
  ldapUserFilter: string;
  ldapUsernameAttribute: string;
  ldapTimeoutMs: number;
  keystoneUrl: string | undefined;
  keystoneUserDomain: string;
  keystoneProject: string | undefined;
  keystoneProjectDomain: string | undefined;
  keystoneTimeoutMs: number;
}

export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'ES256' | 'RS256';

const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'EdDSA', 'ES256', 'RS256'];

export const CREDENTIAL_BACKENDS = ['builtin', 'htpasswd', 'ldap', 'keystone'] as const;
export type CredentialBackendName = (typeof CREDENTIAL_BACKENDS)[number];

type Parse<T> = (raw: string) => { value: T } | { problem: string };

export interface Setting<K extends keyof Config> {
  key: K;
  env: string;
  /** Read when `env` is unset, e.g. the conventional DATABASE_URL. */
  fallbackEnv?: string;
  default: Config[K];
  parse: Parse<Config[K]>;
}

/** The largest clock leeway any process may be configured with; token revocations are kept this long past exp. */
export const MAX_CLOCK_LEEWAY_SECONDS = 60;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const text: Parse<string> = (raw) => (raw.trim() === '' ? { problem: 'must not be empty' } : { value: raw.trim() });
const optionalText: Parse<string | undefined> = (raw) => ({ value: raw.trim() === '' ? undefined : raw.trim() });

function integer(min: number, max: number): Parse<number> {
  return (raw) => {
    const trimmed = raw.trim();
    if (!/^-?\d+$/.test(trimmed)) return { problem: `must be an integer, got '${raw}'` };
    const value = Number(trimmed);
    if (value < min || value > max) return { problem: `must be between ${min} and ${max}, got ${value}` };
    return { value };
  };
}

const databaseUrl: Parse<string | undefined> = (raw) => {
  const trimmed = raw.trim();
  if (trimmed === '') return { value: undefined };
  if (!/^postgres(ql)?:\/\//.test(trimmed)) return { problem: 'must be a postgres:// or postgresql:// URL' };
  try {
    new URL(trimmed);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  return { value: trimmed };
};

/** A CIDR list such as "127.0.0.0/8,::1/128"; a bare address means a single host. */
const cidrList: Parse<readonly string[]> = (raw) => {
  const entries = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = entries.filter((entry) => !isValidCidr(entry));
  if (bad.length > 0) return { problem: `not a valid CIDR: ${bad.map((b) => `'${b}'`).join(', ')}` };
  return { value: entries };
};

export interface Cidr {
  address: string;
  bits: number;
  family: 'ipv4' | 'ipv6';
}

/** "a.b.c.d/n", "x::y/n" or a bare address (a single host); undefined when not valid. */
export function parseCidr(entry: string): Cidr | undefined {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  if (bits > max) return undefined;
  return { address: address!, bits, family };
}

export function isValidCidr(entry: string): boolean {
  return parseCidr(entry) !== undefined;
}

function optionalInteger(min: number, max: number): Parse<number | undefined> {
  const parse = integer(min, max);
  return (raw) => (raw.trim() === '' ? { value: undefined } : parse(raw));
}

const KID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * A JSON object of {kid: secret}, from ATS_AUTH_JWT_KEYS or the file of ATS_AUTH_JWT_KEYS_FILE;
 * each secret is then checked by namedKeyProblems (secret-rules.ts).
 */
export const parseJwtKeys: Parse<Readonly<Record<string, string>> | undefined> = (raw) => {
  if (raw.trim() === '') return { value: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problem: 'must be a JSON object of {"<kid>": "<secret>"}' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problem: 'must be a JSON object of {"<kid>": "<secret>"}' };
  }
  const entries = Object.entries(parsed);
  if (entries.length === 0) return { problem: 'must name at least one key' };
  const badKid = entries.find(([kid]) => !KID.test(kid));
  if (badKid) return { problem: `kid '${badKid[0]}' must be 1-64 characters of A-Z a-z 0-9 . _ -` };
  const badSecret = entries.find(([, secret]) => typeof secret !== 'string');
  if (badSecret) return { problem: `the secret of kid '${badSecret[0]}' must be a string` };
  return { value: Object.freeze(Object.fromEntries(entries)) as Record<string, string> };
};

const kid: Parse<string | undefined> = (raw) => {
  const trimmed = raw.trim();
  if (trimmed === '') return { value: undefined };
  return KID.test(trimmed) ? { value: trimmed } : { problem: 'must be 1-64 characters of A-Z a-z 0-9 . _ -' };
};

/** Comma-separated secrets; each long enough that guessing one is hopeless. */
const streamKeys: Parse<readonly string[]> = (raw) => {
  const keys = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const short = keys.findIndex((key) => key.length < 32);
  if (short >= 0) return { problem: `key ${short + 1} is shorter than 32 characters (generate one with: openssl rand -hex 32)` };
  if (keys.some((key) => !/^[A-Za-z0-9\-._~+/]+=*$/.test(key))) return { problem: 'keys must be Bearer token characters (A-Z a-z 0-9 - . _ ~ + / =)' };
  return { value: Object.freeze(keys) };
};

const jwtAlg: Parse<JwtAlgorithm> = (raw) => {
  const value = JWT_ALGORITHMS.find((alg) => alg === raw.trim());
  return value ? { value } : { problem: `must be one of ${JWT_ALGORITHMS.join(', ')}, got '${raw}'` };
};


/** RFC 6265 cookie-name: a token, no separators. */
const cookieName: Parse<string> = (raw) =>
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(raw.trim())
    ? { value: raw.trim() }
    : { problem: 'must be 1-64 characters of letters, digits and !#$%&\'*+-.^_`|~' };

const publicUrl: Parse<string | undefined> = (raw) => {
  const trimmed = raw.trim();
  if (trimmed === '') return { value: undefined };
  try {
    const url = new URL(trimmed);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { value: url.origin };
  } catch {
    // reported below
  }
  return { problem: `must be an http:// or https:// URL, got '${trimmed}'` };
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

const hostList: Parse<readonly string[] | undefined> = (raw) => {
  const hosts = raw.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  if (hosts.length === 0) return { value: undefined };
  const bad = hosts.filter((h) => !HOST_NAME.test(h) && isIP(h) === 0);
  return bad.length > 0 ? { problem: `not host names: ${bad.join(', ')} (give names without scheme or port)` } : { value: hosts };
};
/** An ordered list of distinct backend names, at least one. */
const credentialList: Parse<readonly CredentialBackendName[]> = (raw) => {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) return { problem: `must name at least one of ${CREDENTIAL_BACKENDS.join(', ')}` };
  const bad = names.filter((n) => !(CREDENTIAL_BACKENDS as readonly string[]).includes(n));
  if (bad.length > 0) return { problem: `unknown backend ${bad.map((b) => `'${b}'`).join(', ')} (known: ${CREDENTIAL_BACKENDS.join(', ')})` };
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) return { problem: `'${repeated}' is listed twice` };
  return { value: Object.freeze(names as CredentialBackendName[]) };
};

const boolean: Parse<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  if (value === 'true') return { value: true };
  if (value === 'false') return { value: false };
  return { problem: `must be true or false, got '${raw}'` };
};

function optionalUrl(protocols: readonly string[]): Parse<string | undefined> {
  return (raw) => {
    const trimmed = raw.trim();
    if (trimmed === '') return { value: undefined };
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return { problem: 'is not a valid URL' };
    }
    if (!protocols.includes(url.protocol)) return { problem: `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL` };
    return { value: trimmed };
  };
}

const userFilter: Parse<string> = (raw) => {
  const trimmed = raw.trim();
  if (!trimmed.includes('{username}')) return { problem: 'must contain {username}' };
  if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) return { problem: 'must be an LDAP filter in parentheses' };
  return { value: trimmed };
};

const attributeName: Parse<string> = (raw) =>
  /^[A-Za-z][A-Za-z0-9-]*$/.test(raw.trim()) ? { value: raw.trim() } : { problem: `must be an LDAP attribute name, got '${raw}'` };

const logLevel: Parse<string> = (raw) =>
  LOG_LEVELS.includes(raw.trim()) ? { value: raw.trim() } : { problem: `must be one of ${LOG_LEVELS.join(', ')}` };

export const SETTINGS: { [K in keyof Config]: Setting<K> } = {
  host: { key: 'host', env: 'ATS_AUTH_HOST', default: '0.0.0.0', parse: text },
  port: { key: 'port', env: 'ATS_AUTH_PORT', default: 8081, parse: integer(0, 65535) },
  dataDir: { key: 'dataDir', env: 'ATS_AUTH_DATA_DIR', default: './data', parse: text },
  databaseUrl: {
    key: 'databaseUrl',
    env: 'ATS_AUTH_DATABASE_URL',
    fallbackEnv: 'DATABASE_URL',
    default: undefined,
    parse: databaseUrl,
  },
  jwtSecret: { key: 'jwtSecret', env: 'ATS_AUTH_JWT_SECRET', default: undefined, parse: optionalText },
  jwtSecretFile: { key: 'jwtSecretFile', env: 'ATS_AUTH_JWT_SECRET_FILE', default: undefined, parse: optionalText },
  jwtKeys: { key: 'jwtKeys', env: 'ATS_AUTH_JWT_KEYS', default: undefined, parse: parseJwtKeys },
  jwtKeysFile: { key: 'jwtKeysFile', env: 'ATS_AUTH_JWT_KEYS_FILE', default: undefined, parse: optionalText },
  jwtSigningKid: { key: 'jwtSigningKid', env: 'ATS_AUTH_JWT_SIGNING_KID', default: undefined, parse: kid },
  jwtAlg: { key: 'jwtAlg', env: 'ATS_AUTH_JWT_ALG', default: 'HS256', parse: jwtAlg },
  keyRotationDays: { key: 'keyRotationDays', env: 'ATS_AUTH_KEY_ROTATION_DAYS', default: 0, parse: integer(0, 3650) },
  jwksMaxAgeSeconds: { key: 'jwksMaxAgeSeconds', env: 'ATS_AUTH_JWKS_MAX_AGE', default: 300, parse: integer(0, 86400) },
  issuer: { key: 'issuer', env: 'ATS_AUTH_ISSUER', default: 'ats.auth', parse: text },
  audience: { key: 'audience', env: 'ATS_AUTH_AUDIENCE', default: undefined, parse: optionalText },
  tokenTtlSeconds: {
    key: 'tokenTtlSeconds',
    env: 'ATS_AUTH_TOKEN_TTL',
    default: 86400,
    parse: integer(1, 365 * 86400),
  },
  clockLeewaySeconds: {
    key: 'clockLeewaySeconds',
    env: 'ATS_AUTH_CLOCK_LEEWAY',
    default: 30,
    parse: integer(0, MAX_CLOCK_LEEWAY_SECONDS),
  },
  trustedProxies: {
    key: 'trustedProxies',
    env: 'ATS_AUTH_TRUSTED_PROXIES',
    default: ['127.0.0.0/8', '::1/128'],
    parse: cidrList,
  },
  logLevel: { key: 'logLevel', env: 'ATS_AUTH_LOG_LEVEL', default: 'info', parse: logLevel },
  feedPollMs: { key: 'feedPollMs', env: 'ATS_AUTH_FEED_POLL_MS', default: 100, parse: integer(10, 60_000) },
  feedStaleMs: { key: 'feedStaleMs', env: 'ATS_AUTH_FEED_STALE_MS', default: 5000, parse: integer(100, 3_600_000) },
  storeTimeoutMs: { key: 'storeTimeoutMs', env: 'ATS_AUTH_STORE_TIMEOUT_MS', default: 2000, parse: integer(100, 600_000) },
  cookieName: { key: 'cookieName', env: 'ATS_AUTH_COOKIE_NAME', default: 'ats_auth', parse: cookieName },
  publicUrl: { key: 'publicUrl', env: 'ATS_AUTH_PUBLIC_URL', default: undefined, parse: publicUrl },
  redirectHosts: { key: 'redirectHosts', env: 'ATS_AUTH_REDIRECT_HOSTS', default: undefined, parse: hostList },
  metricsPort: { key: 'metricsPort', env: 'ATS_AUTH_METRICS_PORT', default: undefined, parse: optionalInteger(0, 65535) },
  streamKeys: { key: 'streamKeys', env: 'ATS_AUTH_STREAM_KEYS', default: Object.freeze([]), parse: streamKeys },
  shutdownTimeoutMs: {
    key: 'shutdownTimeoutMs',
    env: 'ATS_AUTH_SHUTDOWN_TIMEOUT_MS',
    default: 10_000,
    parse: integer(0, 600_000),
  },
  bodyTimeoutMs: { key: 'bodyTimeoutMs', env: 'ATS_AUTH_BODY_TIMEOUT_MS', default: 10_000, parse: integer(100, 600_000) },
  maxConnections: { key: 'maxConnections', env: 'ATS_AUTH_MAX_CONNECTIONS', default: 10_000, parse: integer(1, 1_000_000) },
  refreshTtlSeconds: { key: 'refreshTtlSeconds', env: 'ATS_AUTH_REFRESH_TTL', default: 0, parse: integer(0, 365 * 86400) },
  refreshReuseSeconds: {
    key: 'refreshReuseSeconds',
    env: 'ATS_AUTH_REFRESH_REUSE_SECONDS',
    default: 10,
    parse: integer(0, 3600),
  },
  maxSessionsPerUser: {
    key: 'maxSessionsPerUser',
    env: 'ATS_AUTH_MAX_SESSIONS_PER_USER',
    default: 100,
    parse: integer(1, 100_000),
  },
  maxRevocationsPerUser: {
    key: 'maxRevocationsPerUser',
    env: 'ATS_AUTH_MAX_REVOCATIONS_PER_USER',
    default: 1000,
    parse: integer(1, 1_000_000),
  },
  checkpointRows: {
    key: 'checkpointRows',
    env: 'ATS_AUTH_CHECKPOINT_ROWS',
    default: 50_000,
    parse: integer(0, 1_000_000_000),
  },
  lastSeenIntervalMs: {
    key: 'lastSeenIntervalMs',
    env: 'ATS_AUTH_LAST_SEEN_INTERVAL_MS',
    default: 60_000,
    parse: integer(100, 3_600_000),
  },
  throttleWindowSeconds: {
    key: 'throttleWindowSeconds',
    env: 'ATS_AUTH_THROTTLE_WINDOW',
    default: 900,
    parse: integer(1, 86400),
  },
  throttleUserAddressLimit: {
    key: 'throttleUserAddressLimit',
    env: 'ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT',
    default: 5,
    parse: integer(0, 1_000_000),
  },
  throttleAddressLimit: {
    key: 'throttleAddressLimit',
    env: 'ATS_AUTH_THROTTLE_ADDRESS_LIMIT',
    default: 50,
    parse: integer(0, 1_000_000),
  },
  throttleUserLimit: { key: 'throttleUserLimit', env: 'ATS_AUTH_THROTTLE_USER_LIMIT', default: 20, parse: integer(0, 1_000_000) },
  throttleUserDelayMs: {
    key: 'throttleUserDelayMs',
    env: 'ATS_AUTH_THROTTLE_USER_DELAY_MS',
    default: 1000,
    parse: integer(0, 10_000),
  },
  throttleUserCap: { key: 'throttleUserCap', env: 'ATS_AUTH_THROTTLE_USER_CAP', default: 100, parse: integer(0, 1_000_000) },
  throttleIpv6Prefix: { key: 'throttleIpv6Prefix', env: 'ATS_AUTH_THROTTLE_IPV6_PREFIX', default: 64, parse: integer(1, 128) },
  // One core is left to the event loop: a hashing thread sharing its core delays verify by a time slice.
  hashThreads: { key: 'hashThreads', env: 'ATS_AUTH_HASH_THREADS', default: Math.max(1, availableParallelism() - 1), parse: integer(1, 64) },
  hashNice: { key: 'hashNice', env: 'ATS_AUTH_HASH_NICE', default: 10, parse: integer(0, 19) },
  credentials: { key: 'credentials', env: 'ATS_AUTH_CREDENTIALS', default: ['builtin'], parse: credentialList },
  htpasswdFile: { key: 'htpasswdFile', env: 'ATS_AUTH_HTPASSWD_FILE', default: undefined, parse: optionalText },
  ldapUrl: { key: 'ldapUrl', env: 'ATS_AUTH_LDAP_URL', default: undefined, parse: optionalUrl(['ldap:', 'ldaps:']) },
  ldapStartTls: { key: 'ldapStartTls', env: 'ATS_AUTH_LDAP_START_TLS', default: false, parse: boolean },
  ldapCaFile: { key: 'ldapCaFile', env: 'ATS_AUTH_LDAP_CA_FILE', default: undefined, parse: optionalText },
  ldapBindDn: { key: 'ldapBindDn', env: 'ATS_AUTH_LDAP_BIND_DN', default: undefined, parse: optionalText },
  ldapBindPassword: { key: 'ldapBindPassword', env: 'ATS_AUTH_LDAP_BIND_PASSWORD', default: undefined, parse: optionalText },
  ldapBindPasswordFile: {
    key: 'ldapBindPasswordFile',
    env: 'ATS_AUTH_LDAP_BIND_PASSWORD_FILE',
    default: undefined,
    parse: optionalText,
  },
  ldapBaseDn: { key: 'ldapBaseDn', env: 'ATS_AUTH_LDAP_BASE_DN', default: undefined, parse: optionalText },
  ldapUserFilter: {
    key: 'ldapUserFilter',
    env: 'ATS_AUTH_LDAP_USER_FILTER',
    default: '(&(uid={username})(objectClass=inetOrgPerson))',
    parse: userFilter,
  },
  ldapUsernameAttribute: { key: 'ldapUsernameAttribute', env: 'ATS_AUTH_LDAP_USERNAME_ATTRIBUTE', default: 'uid', parse: attributeName },
  ldapTimeoutMs: { key: 'ldapTimeoutMs', env: 'ATS_AUTH_LDAP_TIMEOUT_MS', default: 5000, parse: integer(100, 600_000) },
  keystoneUrl: { key: 'keystoneUrl', env: 'ATS_AUTH_KEYSTONE_URL', default: undefined, parse: optionalUrl(['http:', 'https:']) },
  keystoneUserDomain: { key: 'keystoneUserDomain', env: 'ATS_AUTH_KEYSTONE_USER_DOMAIN', default: 'Default', parse: text },
  keystoneProject: { key: 'keystoneProject', env: 'ATS_AUTH_KEYSTONE_PROJECT', default: undefined, parse: optionalText },
  keystoneProjectDomain: {
    key: 'keystoneProjectDomain',
    env: 'ATS_AUTH_KEYSTONE_PROJECT_DOMAIN',
    default: undefined,
    parse: optionalText,
  },
  keystoneTimeoutMs: { key: 'keystoneTimeoutMs', env: 'ATS_AUTH_KEYSTONE_TIMEOUT_MS', default: 5000, parse: integer(100, 600_000) },
};
