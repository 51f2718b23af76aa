/** The credential verifier port (§4): one interface, several backends, tried in order. */

export interface VerifiedIdentity {
  /** Becomes the token's `sub`. */
  subject: string;
}

export interface CredentialVerifier {
  readonly name: string;
  /**
   * The identity when the password is right, null when it is not (unknown user, wrong
   * password, disabled account all look the same). Throws CredentialBackendUnavailable or
   * StoreUnavailable when the backend cannot answer.
   */
  verify(username: string, password: string): Promise<VerifiedIdentity | null>;
}
