/**
 * A private OpenStack Keystone for tests (Debian's keystone package, RECIPES.md): SQLite,
 * fernet tokens, password_hash_rounds = 4 set before any user exists, served by uwsgi with
 * exactly one process and one thread (with more, SQLite locks and logins answer 500).
 * Set up once per test file (keystone-manage costs seconds a call).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './slapd.js';

const PACKAGES = ['keystone', 'uwsgi', 'uwsgi-plugin-python3'];
const ADMIN_PASSWORD = 'keystone-admin-pass';

const installed = () => spawnSync('sh', ['-c', 'command -v keystone-manage && command -v uwsgi && test -e /usr/lib/uwsgi/plugins/python3_plugin.so']).status === 0;

/**
 * Undefined when Keystone is there (installing it if needed, as .ci/run does); otherwise why
 * the tests must be skipped: only when the packages cannot be installed.
 */
export function keystoneUnavailableReason(): string | undefined {
  if (installed()) return undefined;
  const result = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  });
  if (installed()) return undefined;
  return `Keystone tests skipped: the Debian packages ${PACKAGES.join(', ')} are not installed and cannot be installed here (${(result.error?.message ?? result.stderr ?? '').trim().split('\n').at(-1)})`;
}

function manage(conf: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('keystone-manage', ['--config-file', conf, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`keystone-manage ${args[0]} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

export class Keystone {
  readonly dir = mkdtempSync(join(tmpdir(), 'ats-auth-keystone-'));
  port = 0;
  #child: ChildProcess | undefined;
  #exit: Promise<void> | undefined;

  get url(): string {
    return `http://127.0.0.1:${this.port}/v3`;
  }

  get conf(): string {
    return join(this.dir, 'keystone.conf');
  }

  static async create(): Promise<Keystone> {
    const keystone = new Keystone();
    const d = keystone.dir;
    keystone.port = await freePort();
    for (const sub of ['fernet-keys', 'fernet-receipts', 'credential-keys']) mkdirSync(join(d, sub));
    writeFileSync(
      keystone.conf,
      `[DEFAULT]
use_stderr = true
[database]
connection = sqlite:///${d}/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = ${d}/fernet-keys
[fernet_receipts]
key_repository = ${d}/fernet-receipts
[credential]
key_repository = ${d}/credential-keys
[identity]
password_hash_rounds = 4
`,
    );
    const owner = ['--keystone-user', 'root', '--keystone-group', 'root'];
    await Promise.all([
      manage(keystone.conf, ['db_sync']),
      manage(keystone.conf, ['fernet_setup', ...owner]),
      manage(keystone.conf, ['credential_setup', ...owner]),
    ]);
    await manage(keystone.conf, [
      'bootstrap',
      '--bootstrap-password',
      ADMIN_PASSWORD,
      '--bootstrap-public-url',
      `${keystone.url}/`,
      '--bootstrap-region-id',
      'RegionOne',
    ]);
    await keystone.start();
    return keystone;
  }

  async start(): Promise<void> {
    const child = spawn(
      'uwsgi',
      ['--plugin', 'python3', '--http-socket', `127.0.0.1:${this.port}`, '--wsgi-file', '/usr/bin/keystone-wsgi-public',
        '--env', `OS_KEYSTONE_CONFIG_FILES=${this.conf}`, '--master', '--processes', '1', '--threads', '1', '--die-on-term'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`uwsgi exited: ${stderr}`);
      try {
        if ((await fetch(this.url)).status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`Keystone did not answer: ${stderr}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await this.#exit;
    this.#child = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #admin(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers['x-auth-token'] = token;
    const res = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`Keystone ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  }

  async adminToken(): Promise<string> {
    const user = { name: 'admin', domain: { name: 'Default' }, password: ADMIN_PASSWORD };
    const scope = { project: { name: 'admin', domain: { name: 'Default' } } };
    const res = await this.#admin('POST', '/auth/tokens', { auth: { identity: { methods: ['password'], password: { user } }, scope } });
    return res.headers.get('x-subject-token')!;
  }

  /** A project with these members (given the `member` role), and users outside it. */
  async populate(project: string, members: Record<string, string>, others: Record<string, string>): Promise<void> {
    const token = await this.adminToken();
    const projectId = ((await (await this.#admin('POST', '/projects', { project: { name: project, domain_id: 'default' } }, token)).json()) as {
      project: { id: string };
    }).project.id;
    const roles = (await (await this.#admin('GET', '/roles?name=member', undefined, token)).json()) as { roles: { id: string }[] };
    const roleId = roles.roles[0]!.id;
    for (const [name, password] of Object.entries({ ...members, ...others })) {
      const created = (await (await this.#admin('POST', '/users', { user: { name, password, domain_id: 'default' } }, token)).json()) as {
        user: { id: string };
      };
      if (name in members) await this.#admin('PUT', `/projects/${projectId}/users/${created.user.id}/roles/${roleId}`, undefined, token);
    }
  }
}
