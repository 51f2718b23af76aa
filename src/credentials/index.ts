/** Credentials: the backend port, the chain of §10, its backends and password hashing. */
export type { CredentialAnswer, CredentialBackend, CredentialOutcome, CredentialVerdict, CredentialVerifier } from './port.js';
export { CREDENTIAL_OUTCOMES } from './port.js';
export { createCredentials } from './backends.js';
export { createCredentialChain, type CredentialObserver } from './chain.js';
export { knownUserAcross, type KnownUser } from './known-user.js';
export { ARGON2_PARAMS, createPasswordHasher, type PasswordHasher } from './password-hash.js';
