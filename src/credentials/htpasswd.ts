/**
 * The htpasswd backend (§10). The file is read at start (a problem there refuses the start);
 * afterwards it is re-read whenever it changes, atomic replace included: every check compares
 * the file's identity (inode, size, times) with the version loaded, and a directory watcher
 * reloads at once so a broken version is reported without waiting for a login. A broken or
 * missing new version keeps the last good one and says why in the log.
 */
import bcrypt from 'bcryptjs';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { InvalidConfig } from '../errors.js';
import { parseHtpasswd, type HtpasswdHash } from './htpasswd-file.js';
import type { PasswordHasher } from './password-hash.js';
import type { CredentialBackend } from './port.js';

const SETTING = 'ATS_AUTH_HTPASSWD_FILE';
/** Several change events arrive for one write; reload once they settle. */
const WATCH_SETTLE_MS = 50;

export interface HtpasswdBackend extends CredentialBackend {
  /** Reloads now if the file changed (tests and the watcher use it; checks do it themselves). */
  refresh(): Promise<void>;
  /** Whether the current version of the file has this user (exact name, as check() matches it). */
  userExists(username: string): Promise<boolean>;
}

export async function createHtpasswdBackend(deps: {
  file: string;
  argon2: PasswordHasher;
  logger: Pick<Logger, 'info' | 'warn'>;
}): Promise<HtpasswdBackend> {
  const { file, logger } = deps;
  const first = await readVersion(file).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidConfig([`${SETTING}: cannot read '${file}' (${error.code ?? error.message})`]);
  });
  const parsed = parseHtpasswd(first.text, file);
  if ('problems' in parsed) throw new InvalidConfig(parsed.problems.map((p) => `${SETTING}: ${p}`));

  let entries = parsed.entries;
  /** The file version last looked at, good or not, so a bad one is reported once. */
  let seen = first.signature;
  let reloading: Promise<void> | undefined;

  async function reloadIfChanged(): Promise<void> {
    let version: { text: string; signature: string };
    try {
      const signature = await signatureOf(file);
      if (signature === seen) return;
      version = await readVersion(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (seen !== code) logger.warn({ file, code }, 'htpasswd file cannot be read; keeping the last good version');
      seen = code;
      return;
    }
    if (version.signature === seen) return;
    seen = version.signature;
    const next = parseHtpasswd(version.text, file);
    if ('problems' in next) {
      logger.warn({ file, problems: next.problems }, 'htpasswd file has problems; keeping the last good version');
      return;
    }
    entries = next.entries;
    logger.info({ file, users: entries.size }, 'htpasswd file reloaded');
  }

  function refresh(): Promise<void> {
    reloading ??= reloadIfChanged().finally(() => (reloading = undefined));
    return reloading;
  }

  let settle: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    // The directory, not the file: an atomic replace gives the name a new inode the file watch would miss.
    watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(file)) return;
      clearTimeout(settle);
      settle = setTimeout(() => void refresh(), WATCH_SETTLE_MS);
      settle.unref();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    // No watcher (e.g. inotify limits): every check still compares the file's identity.
  }

  async function matches(entry: HtpasswdHash, password: string): Promise<boolean> {
    if (entry.scheme === 'argon2id') return deps.argon2.verify(entry.hash, password);
    try {
      return await bcrypt.compare(password, entry.hash);
    } catch {
      return false;
    }
  }

  return {
    name: 'htpasswd',
    async check(username, password) {
      await refresh();
      const entry = entries.get(username);
      if (entry === undefined) {
        // Same cost as a wrong password: check against some user's hash and ignore the answer.
        const any = entries.values().next();
        if (!any.done) await matches(any.value, password);
        return { outcome: 'unknown' };
      }
      return (await matches(entry, password)) ? { outcome: 'accepted', subject: username } : { outcome: 'rejected', reason: 'wrong password' };
    },
    refresh,
    async userExists(username) {
      await refresh();
      return entries.has(username);
    },
    async close() {
      clearTimeout(settle);
      watcher?.close();
    },
  };
}

async function signatureOf(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** The text with the identity it had just before reading (a change during the read shows up next time). */
async function readVersion(file: string): Promise<{ text: string; signature: string }> {
  const signature = await signatureOf(file);
  return { text: await readFile(file, 'utf8'), signature };
}
