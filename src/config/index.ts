/** Configuration: one schema, loaded and validated once at start. */
export { loadConfig, unknownEnvironment, type Env } from './load.js';
export { type Config } from './schema.js';
export { secretProblem, signingKidProblems } from './secret-rules.js';
