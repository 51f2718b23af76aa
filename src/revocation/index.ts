/** Revocation: in-memory state, the revoker (persist → apply) and the change feed follower. */
export { RevocationState, type RevocationCheck } from './state.js';
export { createRevoker, type Revoker } from './revoker.js';
export { RevocationFeed } from './feed.js';
export { startPurger } from './purger.js';
export { startCheckpoints } from './checkpointer.js';
