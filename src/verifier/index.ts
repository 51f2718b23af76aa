/**
 * `ats-auth/verifier` (SPEC §14): verify ats-auth tokens in process, as fast as a bare JOSE
 * check, and still refuse revoked ones within the service's bound. Plain JavaScript, no native
 * dependency; imports nothing of the service's store, HTTP server or CLI. See docs/verifier.md.
 */
export { createVerifier, type Verifier, type VerifierOptions, type VerifiedToken, type VerifierStatus } from './verifier.js';
export { expressMiddleware, fastifyPlugin, type AuthenticatedRequest } from './middleware.js';
export { AppError, FeedStale, TokenInvalid } from '../errors.js';
