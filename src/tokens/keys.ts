/**
 * The HS256 secrets (§6). One secret: from ATS_AUTH_JWT_SECRET, from ATS_AUTH_JWT_SECRET_FILE,
 * or generated on first start into the data directory with mode 0600 and reused afterwards.
 * Key rotation: several secrets by kid (ATS_AUTH_JWT_KEYS or a JSON file named by
 * ATS_AUTH_JWT_KEYS_FILE); all of them verify, the one named by ATS_AUTH_JWT_SIGNING_KID signs.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { namedKeyProblems, parseJwtKeys, secretProblem } from '../config/index.js';
import { InvalidConfig } from '../errors.js';

export interface SigningKey {
  /** The key's name; undefined for the single secret of ATS_AUTH_JWT_SECRET(_FILE) or generated. */
  kid: string | undefined;
  secret: Buffer;
}

export interface KeySet {
  /** Signs new tokens. */
  signing: SigningKey;
  /** Every key a token may be verified with; includes the signing key. */
  verification: readonly SigningKey[];
}

export function loadKeySet(
  config: Pick<Config, 'jwtSecret' | 'jwtSecretFile' | 'jwtKeys' | 'jwtKeysFile' | 'jwtSigningKid' | 'dataDir'>,
  logger: Pick<Logger, 'info'>,
): KeySet {
  const named = config.jwtKeys ?? (config.jwtKeysFile !== undefined ? readKeysFile(config.jwtKeysFile, config.jwtSigningKid) : undefined);
  if (named === undefined) {
    const key = loadSigningKey(config, logger);
    return { signing: key, verification: [key] };
  }
  const verification = Object.entries(named).map(([kid, secret]) => ({ kid, secret: Buffer.from(secret, 'utf8') }));
  const signingKid = config.jwtSigningKid ?? verification[0]!.kid;
  return { signing: verification.find((k) => k.kid === signingKid)!, verification };
}

/** A JSON file of {"<kid>": "<secret>"}, parsed and checked exactly like ATS_AUTH_JWT_KEYS. */
function readKeysFile(path: string, signingKid: string | undefined): Record<string, string> {
  const setting = 'ATS_AUTH_JWT_KEYS_FILE';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfig([`${setting}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  const parsed = parseJwtKeys(text);
  if ('problem' in parsed || parsed.value === undefined) {
    throw new InvalidConfig([`${setting}: '${path}' ${'problem' in parsed ? parsed.problem : 'is empty'}`]);
  }
  const problems = namedKeyProblems(setting, parsed.value, signingKid);
  if (problems.length > 0) throw new InvalidConfig(problems);
  return parsed.value;
}

export const GENERATED_SECRET_FILE = 'jwt-secret';

export function loadSigningKey(
  config: Pick<Config, 'jwtSecret' | 'jwtSecretFile' | 'dataDir'>,
  logger: Pick<Logger, 'info'>,
): SigningKey {
  if (config.jwtSecret !== undefined) return { kid: undefined, secret: Buffer.from(config.jwtSecret, 'utf8') };
  if (config.jwtSecretFile !== undefined) {
    return { kid: undefined, secret: readSecretFile(config.jwtSecretFile, 'ATS_AUTH_JWT_SECRET_FILE') };
  }
  const path = join(resolve(config.dataDir), GENERATED_SECRET_FILE);
  try {
    return { kid: undefined, secret: readSecretFile(path, `generated secret ${path}`) };
  } catch (error) {
    if (!(error instanceof MissingSecretFile)) throw error;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Written whole to a private temp file, then linked into place: another process starting at
  // the same moment either wins the link (we read its secret, never a half-written one) or loses.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(temp, randomBytes(48).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    linkSync(temp, path);
    logger.info({ path }, 'no signing secret configured: generated a new one (keep this file secret, back it up)');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new InvalidConfig([`ATS_AUTH_DATA_DIR: cannot write the generated signing secret to ${path} (${(error as NodeJS.ErrnoException).code})`]);
    }
  } finally {
    rmSync(temp, { force: true });
  }
  return { kid: undefined, secret: readSecretFile(path, `generated secret ${path}`) };
}

class MissingSecretFile extends Error {}

function readSecretFile(path: string, setting: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && setting.startsWith('generated')) throw new MissingSecretFile();
    throw new InvalidConfig([`${setting}: cannot read '${path}' (${code ?? 'error'})`]);
  }
  // A trailing newline from `echo` or an editor is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  const problem = secretProblem(secret);
  if (problem) throw new InvalidConfig([`${setting}: the secret in '${path}' ${problem}`]);
  return Buffer.from(secret, 'utf8');
}
