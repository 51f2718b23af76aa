/** The admin commands (§8, §9): thin wrappers over the core services the HTTP routes use too. */
import type { Core } from '../main.js';
import { CLI_CLIENT } from '../auth/client.js';
import { RevocationState } from '../revocation/index.js';
import { isoSeconds, table } from './format.js';
import { readPassword } from './password-input.js';
import { UsageError } from './usage.js';

type Out = (text: string) => void;

export async function userCommand(core: Core, args: string[], out: Out): Promise<void> {
  const keepSessions = args[0] === 'passwd' && args.includes('--keep-sessions');
  const [action, name, ...rest] = keepSessions ? args.filter((arg) => arg !== '--keep-sessions') : args;
  if (action === 'list') {
    if (name !== undefined) throw new UsageError('user list takes no arguments');
    const users = await core.userAdmin.list();
    out(table(['NAME', 'STATUS', 'CREATED'], users.map((u) => [u.name, u.disabled ? 'disabled' : 'active', isoSeconds(u.createdAtMs)])));
    return;
  }
  if (name === undefined || rest.length > 0) throw new UsageError(`usage: ats-auth user ${action ?? '<add|passwd|disable|enable|remove|list>'} <name>`);
  switch (action) {
    case 'add':
      await core.userAdmin.add(name, await readPassword({ confirm: true }));
      return out(`user '${name}' added\n`);
    case 'passwd':
      await core.userAdmin.setPassword(name, await readPassword({ confirm: true }), { keepSessions });
      return out(`password of '${name}' changed; ${keepSessions ? 'their tokens still work' : 'their tokens are revoked'}\n`);
    case 'disable':
      await core.userAdmin.disable(name);
      return out(`user '${name}' disabled; their tokens are revoked\n`);
    case 'enable':
      await core.userAdmin.enable(name);
      return out(`user '${name}' enabled\n`);
    case 'remove':
      await core.userAdmin.remove(name);
      return out(`user '${name}' removed; their tokens are revoked\n`);
    default:
      throw new UsageError(`unknown user command '${action}' (add, passwd, disable, enable, remove, list)`);
  }
}

/** The user's live sessions (devices): ended and expired ones are not listed. Reads the store only. */
export async function sessionsCommand(core: Core, args: string[], out: Out): Promise<void> {
  if (args.length !== 1) throw new UsageError('usage: ats-auth sessions <name>');
  const sessions = await core.sessions.list(args[0]!, undefined);
  out(
    table(
      ['ID', 'CREATED', 'LAST-SEEN', 'ADDRESS', 'USER-AGENT'],
      sessions.map((s) => [s.id, isoSeconds(s.createdAtMs), isoSeconds(s.lastSeenAtMs), s.clientAddress ?? '-', s.userAgent ?? '-']),
    ),
  );
}

/**
 * The CLI follows no feed, so its state is empty: it loads the user's revocations from the store
 * first, so that the revoker's per-user bound counts them as a server would (revocation/revoker.ts).
 */
async function loadRevocationsOf(core: Core, user: string): Promise<void> {
  for (const event of await core.store.revocations.revocationsOf(user, Date.now())) core.state.apply(event);
}

export async function revokeCommand(core: Core, args: string[], out: Out): Promise<void> {
  const [flag, value, ...rest] = args;
  if (value === undefined || rest.length > 0 || (flag !== '--jti' && flag !== '--user' && flag !== '--session')) {
    throw new UsageError('usage: ats-auth revoke --jti <id> | --session <id> | --user <name>');
  }
  if (flag === '--user') {
    await core.logout.logoutAll(value, CLI_CLIENT, { mustBeKnown: true });
    return out(`all tokens of '${value}' issued up to now are revoked\n`);
  }
  if (flag === '--session') {
    const found = await core.sessions.find(value);
    if (found !== null) await loadRevocationsOf(core, found.user);
    const session = await core.logout.endSession(value, CLI_CLIENT);
    if (session === null) throw new UsageError(`no session with id '${value}' (expired and ended sessions are purged)`);
    return out(`session ${value} of '${session.user}' ended; its tokens are revoked\n`);
  }
  const token = await core.store.sessions.findToken(value);
  if (token === null) throw new UsageError(`no session with jti '${value}' (expired sessions are purged)`);
  await loadRevocationsOf(core, token.user);
  await core.logout.revokeToken(token, CLI_CLIENT);
  out(`token ${value} of '${token.user}' revoked\n`);
}
