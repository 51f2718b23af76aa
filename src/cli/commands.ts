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

export async function sessionsCommand(core: Core, args: string[], out: Out): Promise<void> {
  if (args.length !== 1) throw new UsageError('usage: ats-auth sessions <name>');
  // Only this user's revocations are read, never the whole snapshot (millions of rows).
  const state = new RevocationState();
  for (const event of await core.store.revocations.revocationsOf(args[0]!, Date.now())) state.apply(event);
  const sessions = await core.userAdmin.sessions(args[0]!);
  out(
    table(
      ['JTI', 'ISSUED', 'EXPIRES', 'STATUS', 'CLIENT', 'USER-AGENT'],
      sessions.map((s) => [
        s.jti,
        isoSeconds(s.issuedAtMs),
        isoSeconds(s.expiresAtMs),
        state.isRevoked({ sub: s.user, revocationId: s.jti, iatMs: s.issuedAtMs }) ? 'revoked' : 'active',
        s.clientAddress ?? '-',
        s.userAgent ?? '-',
      ]),
    ),
  );
}

export async function revokeCommand(core: Core, args: string[], out: Out): Promise<void> {
  const [flag, value, ...rest] = args;
  if (value === undefined || rest.length > 0 || (flag !== '--jti' && flag !== '--user')) {
    throw new UsageError('usage: ats-auth revoke --jti <id> | --user <name>');
  }
  if (flag === '--user') {
    await core.logout.logoutAll(value, CLI_CLIENT, { mustBeKnown: true });
    return out(`all tokens of '${value}' issued up to now are revoked\n`);
  }
  const session = await core.store.sessions.findSession(value);
  if (session === null) throw new UsageError(`no session with jti '${value}' (expired sessions are purged)`);
  await core.logout.revokeSession(session, CLI_CLIENT);
  out(`token ${value} of '${session.user}' revoked\n`);
}
