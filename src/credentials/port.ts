/**
 * The credential ports (§4, §10). A backend answers one password check with one of four
 * outcomes; the chain (chain.ts) turns the answers of the configured backends into one verdict.
 */

/**
 * Backends that keep their users in the store: whether the account is still as it was when the
 * password was checked (not disabled, removed or given a new password since). Login asks after
 * recording the token, so a login in flight across such a change is refused (§15).
 */
export type StillValid = () => Promise<boolean>;

/** What one backend says about a username and password. */
export type CredentialAnswer =
  /** The password is right; `subject` is the user's canonical name there (the token's `sub`). */
  | { readonly outcome: 'accepted'; readonly subject: string; readonly stillValid?: StillValid }
  /** The backend knows the user and refuses: wrong password, disabled, locked. `reason` is for the log only. */
  | { readonly outcome: 'rejected'; readonly reason: string }
  /** No such user there: the next backend is asked. */
  | { readonly outcome: 'unknown' }
  /** It could not be asked (timeout, refused connection, TLS failure, 5xx). `cause` is for the log only. */
  | { readonly outcome: 'unavailable'; readonly cause: unknown };

export type CredentialOutcome = CredentialAnswer['outcome'];

export const CREDENTIAL_OUTCOMES: readonly CredentialOutcome[] = ['accepted', 'rejected', 'unknown', 'unavailable'];

export interface CredentialBackend {
  /** `builtin`, `htpasswd`, `ldap` or `keystone`: the label in metrics and audit lines. */
  readonly name: string;
  /** One password check. Never sees an empty password; throws only for a failed store (StoreUnavailable). */
  check(username: string, password: string): Promise<CredentialAnswer>;
  /** A cheap "can it be asked right now" for the start-up warning; undefined when there is nothing to ask. */
  probe?(): Promise<void>;
  /** Releases connections and file watchers. */
  close?(): Promise<void>;
  /**
   * Optional: whether the backend has this user (disabled ones included), for logout_all and
   * `revoke --user` to refuse a name nobody knows (§15), and for logs to keep only a digest of
   * names that are no user's. Backends that cannot tell leave it out. Throws when it cannot be asked.
   */
  userExists?(username: string): Promise<boolean>;
}

/** The chain's decision; `backend` names the backend that decided (null: nobody knew the user). */
export type CredentialVerdict =
  | { readonly accepted: true; readonly subject: string; readonly backend: string; readonly stillValid?: StillValid }
  | { readonly accepted: false; readonly backend: string | null; readonly reason: string };

export interface CredentialVerifier {
  /** The backends' names, in the order they are asked. */
  readonly backends: readonly string[];
  /**
   * Asks the backends in order (§10). Throws CredentialBackendUnavailable when none accepted or
   * rejected and one could not be asked; never answers "refused" for an outage.
   */
  verify(username: string, password: string): Promise<CredentialVerdict>;
  /** Asks every backend that can be probed whether it is reachable; an error is reported, never thrown. */
  probe(report: (backend: string, error: unknown) => void): Promise<void>;
  /** Releases every backend's connections and watchers. */
  close(): Promise<void>;
}
