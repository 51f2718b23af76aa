/**
 * What a log line says about an attempted username. A known user's name is logged as is; any
 * other name only as a digest, since a failed login's "username" is sometimes a password typed
 * into the wrong field. The digest is HMAC-SHA-256 under a key drawn at process start and never
 * stored, truncated to 16 hex digits: within one process's log the same name gives the same
 * digest (a spray of one name shows), yet the log alone cannot be searched for the text.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { KnownUser } from '../credentials/index.js';

export type LoggedName = { user: string } | { userDigest: string };

/** `known`: what the caller already knows (a backend decided about this name), saving a lookup. */
export type NameForLog = (username: string, known?: boolean) => Promise<LoggedName>;

export function createNameForLog(knownUser: KnownUser, key: Buffer = randomBytes(32)): NameForLog {
  const digest = (username: string) => createHmac('sha256', key).update(username, 'utf8').digest('hex').slice(0, 16);
  return async (username, alreadyKnown) => {
    let known = alreadyKnown;
    try {
      known ??= await knownUser(username);
    } catch {
      known = undefined;
    }
    return known === true ? { user: username } : { userDigest: digest(username) };
  };
}
