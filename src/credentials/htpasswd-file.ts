/**
 * Parsing an htpasswd file (§10): `name:hash` lines as `htpasswd -B` writes them (bcrypt
 * `$2y$`, `$2b$`, `$2a$`) or holding an argon2id PHC string. Anything weaker is refused with its
 * line number; a problem never quotes the hash.
 */

export type HtpasswdHash = { readonly scheme: 'bcrypt' | 'argon2id'; readonly hash: string };

export type ParsedHtpasswd = { entries: ReadonlyMap<string, HtpasswdHash> } | { problems: string[] };

const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const ARGON2ID = /^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Why a hash that is not bcrypt or argon2id is refused, by what it looks like. */
function refusal(hash: string): string {
  if (hash.startsWith('$apr1$')) return 'weak scheme $apr1$ (Apache MD5) refused: rewrite it with htpasswd -B';
  if (hash.startsWith('{SHA}')) return 'weak scheme {SHA} (unsalted SHA-1) refused: rewrite it with htpasswd -B';
  if (hash.startsWith('$1$')) return 'weak scheme $1$ (MD5 crypt) refused: rewrite it with htpasswd -B';
  if (/^\$[56]\$/.test(hash)) return 'scheme SHA-crypt ($5$/$6$) is not supported: rewrite it with htpasswd -B';
  if (/^\$argon2(i|d)\$/.test(hash)) return 'argon2i/argon2d is not supported: use argon2id';
  if (/^\$2[aby]\$/.test(hash)) return 'malformed bcrypt hash';
  if (hash.startsWith('$argon2id$')) return 'malformed argon2id hash';
  if (/^[./A-Za-z0-9]{13}$/.test(hash)) return 'weak scheme crypt (DES) refused: rewrite it with htpasswd -B';
  return 'plain text or unknown scheme refused: rewrite it with htpasswd -B';
}

export function parseHtpasswd(text: string, file: string): ParsedHtpasswd {
  const entries = new Map<string, HtpasswdHash>();
  const problems: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const where = `'${file}' line ${index + 1}`;
    const colon = line.indexOf(':');
    if (colon <= 0) return void problems.push(`${where}: not a name:hash line`);
    const name = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (entries.has(name)) return void problems.push(`${where}: user '${name}' appears twice`);
    if (BCRYPT.test(hash)) entries.set(name, { scheme: 'bcrypt', hash });
    else if (ARGON2ID.test(hash)) entries.set(name, { scheme: 'argon2id', hash });
    else problems.push(`${where}: ${refusal(hash)}`);
  });
  return problems.length > 0 ? { problems } : { entries };
}
