/** `ats-auth throttle list|clear`: see and lift failed-login throttles (§6). */
import type { Core } from '../main.js';
import { isoSeconds, table } from './format.js';
import { UsageError } from './usage.js';

const USAGE = 'usage: ats-auth throttle list | ats-auth throttle clear [--user <name>] [--address <addr>] | ats-auth throttle clear --all';

export async function throttleCommand(core: Core, args: string[], out: (text: string) => void): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'list' && rest.length === 0) {
    const entries = await core.throttle.list();
    const status = (e: { throttled: boolean; slowed: boolean }) =>
      [e.throttled ? 'throttled' : '', e.slowed ? 'slowed' : ''].filter(Boolean).join(',') || 'counting';
    out(
      table(
        ['USER', 'ADDRESS', 'FAILURES', 'LAST', 'STATUS'],
        entries.map((e) => [e.username, e.address || '-', String(e.failures), isoSeconds(e.lastMs), status(e)]),
      ),
    );
    return;
  }
  if (action === 'clear') {
    const scope = parseScope(rest);
    const cleared = await core.throttle.clear(scope);
    out(`cleared ${cleared} failed login${cleared === 1 ? '' : 's'}\n`);
    return;
  }
  throw new UsageError(USAGE);
}

function parseScope(args: string[]): { username?: string; address?: string } {
  if (args.length === 1 && args[0] === '--all') return {};
  const scope: { username?: string; address?: string } = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new UsageError(USAGE);
    if (flag === '--user' && scope.username === undefined) scope.username = value;
    else if (flag === '--address' && scope.address === undefined) scope.address = value;
    else throw new UsageError(USAGE);
  }
  if (scope.username === undefined && scope.address === undefined) throw new UsageError(USAGE);
  return scope;
}
