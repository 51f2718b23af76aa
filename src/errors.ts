/**
 * The one catalogue of domain errors. Each carries a stable machine `code`; the HTTP layer maps
 * codes to statuses in one table (http/error-handler.ts). Domain code never mentions HTTP.
 * `message` is safe to show a client; internal detail goes in `cause` and is only logged.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'unauthenticated'
  | 'throttled'
  | 'store_unavailable'
  | 'credentials_unavailable'
  | 'feed_stale'
  | 'user_exists'
  | 'user_not_found'
  | 'unknown_user'
  | 'invalid_config'
  | 'request_timeout'
  | 'session_not_found'
  | 'invalid_refresh_token'
  | 'refresh_token_reused'
  | 'refresh_disabled'
  | 'key_not_found'
  | 'keys_unreadable';

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class InvalidRequest extends AppError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/** Unknown user, wrong password and disabled user all look like this, on purpose. */
export class InvalidCredentials extends AppError {
  constructor() {
    super('invalid_credentials', 'The username or password is not valid.');
  }
}

export class TokenInvalid extends AppError {
  /** Why the token was refused, for the log only; the client sees one message. */
  readonly reason: string;

  constructor(reason: string) {
    super('invalid_token', 'The token is missing, malformed, expired or revoked.');
    this.reason = reason;
  }
}

export class Unauthenticated extends AppError {
  constructor() {
    super('unauthenticated', 'A trusted X-Auth-UserId header or a valid Bearer token is required.');
  }
}

/** GET /user/revocations from a peer that is neither trusted nor holding a stream key. */
export class StreamUnauthorized extends AppError {
  constructor() {
    super('unauthenticated', 'The revocation stream is for trusted peers and holders of a stream key (ATS_AUTH_STREAM_KEYS).');
  }
}

export class Throttled extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('throttled', 'Too many failed login attempts; try again later.');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request body had not fully arrived within ATS_AUTH_BODY_TIMEOUT_MS. */
export class RequestTimeout extends AppError {
  constructor() {
    super('request_timeout', 'The request took too long to arrive.');
  }
}

export class StoreUnavailable extends AppError {
  constructor(cause: unknown) {
    super('store_unavailable', 'The token store is unavailable or did not answer in time; try again.', { cause });
  }
}

/** No backend accepted or rejected the password and at least one could not be asked (§10). */
export class CredentialBackendUnavailable extends AppError {
  /** The backends that could not be asked, in chain order. */
  readonly backends: readonly string[];

  constructor(backends: readonly string[], cause: unknown) {
    super('credentials_unavailable', 'The credential backend is unavailable; try again later.', { cause });
    this.backends = backends;
  }
}

export class FeedStale extends AppError {
  constructor() {
    super('feed_stale', 'Revocation state is out of date; refusing to vouch for tokens.');
  }
}

export class UserExists extends AppError {
  constructor(name: string) {
    super('user_exists', `User '${name}' already exists.`);
  }
}

/** No session by that id among the caller's (whether it exists for someone else is not said). */
export class SessionNotFound extends AppError {
  constructor() {
    super('session_not_found', 'No such session.');
  }
}

export class UserNotFound extends AppError {
  constructor(name: string) {
    super('user_not_found', `User '${name}' does not exist.`);
  }
}

/** logout_all or `revoke --user` naming a user no credential backend knows and with no live session. */
export class UnknownUser extends AppError {
  constructor(name: string) {
    super('unknown_user', `No user '${name}' is known.`);
  }
}

/** Every problem found in the configuration, reported together. */
export class InvalidConfig extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('invalid_config', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}


/** Unknown, expired or malformed refresh token, or one whose session has ended. */
export class RefreshTokenInvalid extends AppError {
  /** Why, for the log only. */
  readonly reason: string;

  constructor(reason: string) {
    super('invalid_refresh_token', 'The refresh token is not valid.');
    this.reason = reason;
  }
}

/** A spent refresh token presented after the grace window: its session has been ended. */
export class RefreshTokenReused extends AppError {
  constructor() {
    super('refresh_token_reused', 'This refresh token was already used; the session has been ended.');
  }
}

export class RefreshDisabled extends AppError {
  constructor() {
    super('refresh_disabled', 'Refresh tokens are not enabled on this service (ATS_AUTH_REFRESH_TTL).');
  }
}

/** `keys revoke` of a kid that is not a key still in the set. */
export class KeyNotFound extends AppError {
  constructor(kid: string) {
    super('key_not_found', `No signing key '${kid}' in the key set (see: ats-auth keys list).`);
  }
}

/**
 * The stored private keys cannot be opened with the service secret: another secret sealed them.
 * Nothing is generated in their place (that would silently split the deployment's key set).
 */
export class KeysUnreadable extends AppError {
  constructor(kid: string, cause?: unknown) {
    super(
      'keys_unreadable',
      `cannot decrypt signing key '${kid}' from the store: the service secret (ATS_AUTH_JWT_SECRET, ATS_AUTH_JWT_SECRET_FILE or the generated jwt-secret in ATS_AUTH_DATA_DIR) is not the one it was sealed with; restore that secret (no new key was made)`,
      { cause },
    );
  }
}
