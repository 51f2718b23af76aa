/** JSON logs through pino. Secrets never reach a log: the fields that could carry one are redacted. */
import { pino, type Logger, type DestinationStream } from 'pino';

const REDACT = [
  'password',
  'token',
  'secret',
  '*.password',
  '*.token',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'ats-auth' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
