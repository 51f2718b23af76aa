/**
 * Bounds on usernames and passwords (§6): argon2 must not be a DoS lever, and control
 * characters have no business in a name that ends up in logs and headers.
 */
export const MAX_USERNAME_CHARS = 256;
export const MAX_PASSWORD_BYTES = 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export function usernameProblem(name: string): string | undefined {
  if (name.length === 0) return 'username must not be empty';
  if (name.length > MAX_USERNAME_CHARS) return `username must be at most ${MAX_USERNAME_CHARS} characters`;
  if (CONTROL_CHARS.test(name)) return 'username must not contain control characters';
  if (name.trim() !== name) return 'username must not start or end with whitespace';
  return undefined;
}

export function passwordProblem(password: string): string | undefined {
  if (password.length === 0) return 'password must not be empty';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  return undefined;
}
