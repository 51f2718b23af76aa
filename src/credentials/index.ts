/** Credentials: the verifier port, its backends and password hashing. */
export type { CredentialVerifier, VerifiedIdentity } from './port.js';
export { createBuiltinVerifier } from './builtin.js';
export { chainVerifiers } from './chain.js';
export { knownUserAcross, type KnownUser } from './known-user.js';
export { argon2Hasher, ARGON2_PARAMS, type PasswordHasher } from './password-hash.js';
