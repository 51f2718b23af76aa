/** The credential verifier port (§4): one interface, several backends, tried in order. */

export interface VerifiedIdentity {
  /** Becomes the token's `sub`. */
  subject: string;
  /**
   * Backends that keep their users in the store: whether the account is still as it was when
   * the password was checked (not disabled, removed or given a new password since). Login asks
   * after recording the token, so a login in flight across such a change is refused (§15).
   */
  stillValid?(): Promise<boolean>;
}

export interface CredentialVerifier {
  readonly name: string;
  /**
   * The identity when the password is right, null when it is not (unknown user, wrong
   * password, disabled account all look the same). Throws CredentialBackendUnavailable or
   * StoreUnavailable when the backend cannot answer.
   */
  verify(username: string, password: string): Promise<VerifiedIdentity | null>;
  /**
   * Optional: whether the backend has this user (disabled ones included), for logout_all and
   * `revoke --user` to refuse a name nobody knows, and for logs to keep only a digest of names
   * that are no user's. Backends that cannot tell leave it out. Throws like verify().
   */
  userExists?(username: string): Promise<boolean>;
}
