/**
 * The HS256 signing secret (§6): from ATS_AUTH_JWT_SECRET, from ATS_AUTH_JWT_SECRET_FILE, or
 * generated on first start into the data directory with mode 0600 and reused afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { secretProblem } from '../config/index.js';
import { InvalidConfig } from '../errors.js';

export interface SigningKey {
  /** Set only when several keys are configured (key rotation). */
  kid: string | undefined;
  secret: Buffer;
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
  try {
    // 'wx' fails if another worker created it first; then we read theirs.
    writeFileSync(path, randomBytes(48).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    logger.info({ path }, 'no signing secret configured: generated a new one (keep this file secret, back it up)');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new InvalidConfig([`ATS_AUTH_DATA_DIR: cannot write the generated signing secret to ${path} (${(error as NodeJS.ErrnoException).code})`]);
    }
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
