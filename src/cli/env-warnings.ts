/** A misspelt ATS_AUTH_* variable would leave a default in force silently: name it at start. */
import type { Logger } from 'pino';
import { unknownEnvironment, type Env } from '../config/index.js';

export function warnUnknownEnvironment(logger: Pick<Logger, 'warn'>, env: Env = process.env): void {
  for (const { name, closest } of unknownEnvironment(env)) {
    logger.warn({ variable: name, closest }, `unknown environment variable ${name} is ignored; did you mean ${closest}?`);
  }
}
