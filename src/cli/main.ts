/** `ats-auth <command>`: parses argv, loads the config once, runs the command, returns the exit code. */
import { loadConfig } from '../config/index.js';
import { AppError, InvalidConfig, StoreUnavailable } from '../errors.js';
import { createLogger } from '../log.js';
import { createCore, type Core } from '../main.js';
import { revokeCommand, sessionsCommand, userCommand } from './commands.js';
import { warnUnknownEnvironment } from './env-warnings.js';
import { keysCommand } from './keys-command.js';
import { serveCommand } from './serve.js';
import { throttleCommand } from './throttle-command.js';
import { HELP, UsageError } from './usage.js';
import { version } from '../version.js';

const out = (text: string) => void process.stdout.write(text);

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      if (command === undefined) {
        process.stderr.write(HELP);
        return 2;
      }
      out(HELP);
      return 0;
    }
    if (command === '--version' || command === 'version') {
      out(`${version()}\n`);
      return 0;
    }
    const config = loadConfig();
    if (command === 'serve') return await serveCommand(config, args);

    // Admin commands log only warnings, to stderr, so their stdout stays clean for scripts.
    const logger = createLogger(config.logLevel === 'silent' ? 'silent' : 'warn', process.stderr as never);
    warnUnknownEnvironment(logger);
    const core = await createCore(config, logger);
    try {
      await runAdmin(command, args, core);
      return 0;
    } finally {
      await core.close();
    }
  } catch (error) {
    return report(error);
  }
}

async function runAdmin(command: string, args: string[], core: Core) {
  switch (command) {
    case 'user':
      return userCommand(core, args, out);
    case 'sessions':
      return sessionsCommand(core, args, out);
    case 'revoke':
      return revokeCommand(core, args, out);
    case 'throttle':
      return throttleCommand(core, args, out);
    case 'keys':
      return keysCommand(core, args, out);
    case 'migrate':
      if (args.length > 0) throw new UsageError('migrate takes no arguments');
      // createCore has applied them; say where.
      return out(`migrations applied (${core.store.kind}: ${core.store.location})\n`);
    default:
      throw new UsageError(`unknown command '${command}' (try: ats-auth help)`);
  }
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`ats-auth: ${error.message}\n`);
    return 2;
  }
  if (error instanceof InvalidConfig) {
    process.stderr.write(`ats-auth: ${error.message}\n`);
    return 78; // EX_CONFIG
  }
  if (error instanceof StoreUnavailable) {
    // Say why (refused, unknown database, authentication failed); driver messages carry no password.
    const cause = (error.cause as Error | undefined)?.message;
    process.stderr.write(`ats-auth: ${error.message}${cause ? ` (${cause})` : ''}\n`);
    return 1;
  }
  if (error instanceof AppError) {
    process.stderr.write(`ats-auth: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`ats-auth: ${(error as Error)?.message ?? String(error)}\n`);
  return 1;
}
