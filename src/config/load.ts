/**
 * Builds the configuration once at start: defaults, then the config file (ATS_AUTH_CONFIG),
 * then environment variables. Every problem is collected and reported together, each naming
 * its setting; the result is frozen.
 */
import { readFileSync } from 'node:fs';
import { InvalidConfig } from '../errors.js';
import { SETTINGS, type Config, type Setting } from './schema.js';
import { namedKeyProblems, secretProblem } from './secret-rules.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const file = readConfigFile(env.ATS_AUTH_CONFIG, problems);
  const config = {} as Record<keyof Config, unknown>;

  for (const setting of Object.values(SETTINGS) as Setting<keyof Config>[]) {
    const fromEnv = env[setting.env] ?? (setting.fallbackEnv ? env[setting.fallbackEnv] : undefined);
    // null in the file means "unset", as if the key were absent (not the string "null").
    const fromFile = file[setting.key] ?? undefined;
    let raw: string | undefined;
    let source: string;
    if (fromEnv !== undefined) {
      raw = fromEnv;
      source = env[setting.env] !== undefined ? setting.env : setting.fallbackEnv!;
    } else if (fromFile !== undefined) {
      raw = Array.isArray(fromFile)
        ? fromFile.join(',')
        : typeof fromFile === 'object' && fromFile !== null
          ? JSON.stringify(fromFile)
          : String(fromFile);
      source = `config file key '${setting.key}'`;
    } else {
      config[setting.key] = setting.default;
      continue;
    }
    const parsed = setting.parse(raw);
    if ('problem' in parsed) problems.push(`${source}: ${parsed.problem}`);
    else config[setting.key] = parsed.value;
  }

  for (const key of Object.keys(file)) {
    if (!(key in SETTINGS)) problems.push(`config file: unknown key '${key}'`);
  }
  problems.push(...crossChecks(config as Config));

  if (problems.length > 0) throw new InvalidConfig(problems);
  return Object.freeze({
    ...(config as Config),
    trustedProxies: Object.freeze([...(config as Config).trustedProxies]),
    credentials: Object.freeze([...(config as Config).credentials]),
  });
}

/** Variables named ATS_AUTH_* that the service reads besides its settings. */
const OTHER_KNOWN_ENV = ['ATS_AUTH_CONFIG', 'ATS_AUTH_TEST_PG_URL'];

/**
 * ATS_AUTH_* variables that name no setting (a typo leaves the default in force), each with the
 * closest known name, for a start-up warning.
 */
export function unknownEnvironment(env: Env): { name: string; closest: string }[] {
  const known = [...(Object.values(SETTINGS) as Setting<keyof Config>[]).map((s) => s.env), ...OTHER_KNOWN_ENV];
  return Object.keys(env)
    .filter((name) => name.startsWith('ATS_AUTH_') && !known.includes(name))
    .sort()
    .map((name) => ({ name, closest: closestName(name, known) }));
}

function closestName(name: string, known: readonly string[]): string {
  let best = known[0]!;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function readConfigFile(path: string | undefined, problems: string[]): Record<string, unknown> {
  if (path === undefined || path.trim() === '') return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`ATS_AUTH_CONFIG: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`ATS_AUTH_CONFIG: '${path}' must hold a JSON object`);
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    // JSON.parse's message quotes the text around the error, which may be a secret: give only where.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    problems.push(`ATS_AUTH_CONFIG: '${path}' is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`);
    return {};
  }
}

function crossChecks(config: Config): string[] {
  const problems: string[] = [];
  if (config.jwtSecret !== undefined && config.jwtSecretFile !== undefined) {
    problems.push('ATS_AUTH_JWT_SECRET and ATS_AUTH_JWT_SECRET_FILE: set one, not both');
  }
  if (config.jwtSecret !== undefined) {
    const problem = secretProblem(config.jwtSecret);
    if (problem) problems.push(`ATS_AUTH_JWT_SECRET: ${problem}`);
  }
  problems.push(...keyChecks(config));
  problems.push(...credentialChecks(config));
  const { throttleAddressLimit: perAddress, throttleUserAddressLimit: perPair } = config;
  if (perAddress > 0 && perPair > 0 && perAddress < perPair) {
    problems.push('ATS_AUTH_THROTTLE_ADDRESS_LIMIT: must be at least ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT (or 0 for no limit)');
  }
  const { throttleUserCap: userCap, throttleUserLimit: userSlow } = config;
  if (userCap > 0 && userSlow > 0 && userCap <= userSlow) {
    problems.push('ATS_AUTH_THROTTLE_USER_CAP: must be greater than ATS_AUTH_THROTTLE_USER_LIMIT (or 0 for no cap)');
  }
  if (config.feedStaleMs !== undefined && config.feedPollMs !== undefined && config.feedStaleMs <= config.feedPollMs) {
    problems.push('ATS_AUTH_FEED_STALE_MS: must be greater than ATS_AUTH_FEED_POLL_MS');
  }
  return problems;
}

/** Each configured credential backend has what it needs (§10); files are read when the backend is built. */
function credentialChecks(config: Config): string[] {
  const problems: string[] = [];
  const uses = (name: string) => (config.credentials ?? []).includes(name as never);
  if (uses('htpasswd') && config.htpasswdFile === undefined) problems.push('ATS_AUTH_HTPASSWD_FILE: required when ATS_AUTH_CREDENTIALS lists htpasswd');
  if (uses('ldap')) {
    if (config.ldapUrl === undefined) problems.push('ATS_AUTH_LDAP_URL: required when ATS_AUTH_CREDENTIALS lists ldap');
    if (config.ldapBaseDn === undefined) problems.push('ATS_AUTH_LDAP_BASE_DN: required when ATS_AUTH_CREDENTIALS lists ldap');
    if (config.ldapStartTls && config.ldapUrl?.startsWith('ldaps:')) {
      problems.push('ATS_AUTH_LDAP_START_TLS: an ldaps:// URL is already TLS; use ldap:// with StartTLS');
    }
    if (config.ldapBindPassword !== undefined && config.ldapBindPasswordFile !== undefined) {
      problems.push('ATS_AUTH_LDAP_BIND_PASSWORD and ATS_AUTH_LDAP_BIND_PASSWORD_FILE: set one, not both');
    }
    const hasPassword = config.ldapBindPassword !== undefined || config.ldapBindPasswordFile !== undefined;
    if (config.ldapBindDn !== undefined && !hasPassword) {
      problems.push('ATS_AUTH_LDAP_BIND_DN: needs ATS_AUTH_LDAP_BIND_PASSWORD or ATS_AUTH_LDAP_BIND_PASSWORD_FILE');
    }
    if (config.ldapBindDn === undefined && hasPassword) problems.push('ATS_AUTH_LDAP_BIND_PASSWORD: needs ATS_AUTH_LDAP_BIND_DN');
  }
  if (uses('keystone') && config.keystoneUrl === undefined) problems.push('ATS_AUTH_KEYSTONE_URL: required when ATS_AUTH_CREDENTIALS lists keystone');
  if (config.keystoneProjectDomain !== undefined && config.keystoneProject === undefined) {
    problems.push('ATS_AUTH_KEYSTONE_PROJECT_DOMAIN: only meaningful with ATS_AUTH_KEYSTONE_PROJECT');
  }
  return problems;
}

/** Key rotation settings: one way to give the secrets, and a signing kid that names one of them. */
function keyChecks(config: Config): string[] {
  const problems: string[] = [];
  const single = [config.jwtSecret !== undefined && 'ATS_AUTH_JWT_SECRET', config.jwtSecretFile !== undefined && 'ATS_AUTH_JWT_SECRET_FILE'];
  const several = [config.jwtKeys !== undefined && 'ATS_AUTH_JWT_KEYS', config.jwtKeysFile !== undefined && 'ATS_AUTH_JWT_KEYS_FILE'];
  const given = [...single, ...several].filter((name): name is string => name !== false);
  // SECRET together with SECRET_FILE is reported by crossChecks already.
  if (several.some(Boolean) && given.length > 1) problems.push(`${given.join(' and ')}: set one, not several`);
  if (config.jwtKeys !== undefined) {
    problems.push(...namedKeyProblems('ATS_AUTH_JWT_KEYS', config.jwtKeys, config.jwtSigningKid));
  } else if (config.jwtSigningKid !== undefined && config.jwtKeysFile === undefined) {
    problems.push('ATS_AUTH_JWT_SIGNING_KID: only meaningful with ATS_AUTH_JWT_KEYS or ATS_AUTH_JWT_KEYS_FILE');
  }
  return problems;
}
