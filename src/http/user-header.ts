/**
 * X-Auth-UserId carries a username in an HTTP header, where only visible ASCII is safe. Names
 * made of visible ASCII other than '%' and ',' pass unchanged; any other character is
 * percent-encoded as UTF-8, and decoding reverses exactly that. ',' is encoded because repeated
 * headers arrive comma-joined: a raw comma is refused (request-info.ts).
 */
const SAFE = /^[\x21-\x24\x26-\x2b\x2d-\x7e]*$/;
const SAFE_CHAR = /^[\x21-\x24\x26-\x2b\x2d-\x7e]$/;

export function encodeUserHeader(user: string): string {
  if (SAFE.test(user)) return user;
  let out = '';
  for (const char of user) {
    out += SAFE_CHAR.test(char)
      ? char
      : Array.from(Buffer.from(char, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  return out;
}

/** The username, or undefined when the header value is not a valid encoding. */
export function decodeUserHeader(value: string): string | undefined {
  if (SAFE.test(value)) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
