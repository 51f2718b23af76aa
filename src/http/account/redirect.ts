/**
 * The `rd` parameter of the sign-in page (SPEC §13): where the browser goes after signing in.
 * Followed only to an absolute http(s) URL whose host name is on the allow-list; everything
 * else (relative or scheme-relative URLs, backslashes, other schemes, userinfo, control
 * characters) is refused, and the caller lands on /account instead.
 */

const MAX_RD_CHARS = 2048;

/** The URL to send the browser to, normalised by the WHATWG parser, or undefined. */
export function allowedRedirect(rd: unknown, allowedHosts: ReadonlySet<string>): string | undefined {
  if (typeof rd !== 'string' || rd.length === 0 || rd.length > MAX_RD_CHARS) return undefined;
  // Browsers treat '\' like '/' and drop tabs and newlines; refuse rather than guess.
  if (/[\\\u0000-\u0020\u007f]/.test(rd)) return undefined;
  if (!/^https?:\/\/[^/]/i.test(rd)) return undefined;
  let url: URL;
  try {
    url = new URL(rd);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (!allowedHosts.has(url.hostname.toLowerCase())) return undefined;
  return url.href;
}
