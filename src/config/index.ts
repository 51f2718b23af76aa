/** Configuration: one schema, loaded and validated once at start. */
export { loadConfig, unknownEnvironment, type Env } from './load.js';
export { parseCidr, parseJwtKeys, type Cidr, type Config, MAX_CLOCK_LEEWAY_SECONDS } from './schema.js';
export { namedKeyProblems, secretProblem } from './secret-rules.js';
