/** Configuration: one schema, loaded and validated once at start. */
export { loadConfig, unknownEnvironment, type Env } from './load.js';
export { MAX_CLOCK_LEEWAY_SECONDS, type Config } from './schema.js';
export { secretProblem, signingKidProblems } from './secret-rules.js';
