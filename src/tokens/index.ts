/** Tokens: the signing key, issuing and verifying JWTs. */
export { loadKeySet, type KeySet, type SigningKey } from './keys.js';
export { createTokenIssuer, type IssuedToken, type TokenIssuer } from './issuer.js';
export { createTokenVerifier, digestId, MAX_TOKEN_BYTES, maxTokenLifetimeMs, type TokenVerifier, type VerifiedClaims } from './verifier.js';
export { createKeyManager, type KeyManager } from './key-pairs/manager.js';
export { createSealer } from './key-pairs/seal.js';
export { KeyPairSigners } from './key-pairs/signing.js';
