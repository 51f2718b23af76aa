/**
 * A private OpenLDAP slapd for tests (Debian's slapd, RECIPES.md): own slapd.conf and mdb
 * database in a temp dir, entries loaded with slapadd, a CA and server certificate made with
 * openssl, listening on free loopback ports (ldap:// with StartTLS, and ldaps://), run in the
 * foreground as a child so it can be stopped and started again on the same ports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const BASE_DN = 'dc=example,dc=org';
export const SERVICE_DN = `cn=reader,ou=system,${BASE_DN}`;
export const SERVICE_PASSWORD = 'reader-secret';

export interface LdapUser {
  /** The entry's RDN value (cn) and its uid values. */
  cn: string;
  uid: string[];
  password: string;
  ou?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} is not installed (Debian: slapd ldap-utils openssl): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export class Slapd {
  readonly dir: string;
  readonly caFile: string;
  ldapPort = 0;
  ldapsPort = 0;
  #child: ChildProcess | undefined;
  #exit: Promise<void> | undefined;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'ats-auth-slapd-'));
    this.caFile = join(this.dir, 'ca.crt');
  }

  get ldapUrl(): string {
    return `ldap://127.0.0.1:${this.ldapPort}`;
  }

  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  /** Writes certificates, slapd.conf and the database with these users, then starts slapd. */
  static async create(users: LdapUser[]): Promise<Slapd> {
    const slapd = new Slapd();
    slapd.#certificates();
    slapd.#configure(users);
    [slapd.ldapPort, slapd.ldapsPort] = [await freePort(), await freePort()];
    await slapd.start();
    return slapd;
  }

  #certificates(): void {
    const d = this.dir;
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    run('openssl', ['req', '-x509', ...ec, '-keyout', `${d}/ca.key`, '-out', this.caFile, '-days', '2', '-subj', '/CN=ats-auth test CA']);
    run('openssl', ['req', ...ec, '-keyout', `${d}/server.key`, '-out', `${d}/server.csr`, '-subj', '/CN=127.0.0.1']);
    writeFileSync(`${d}/san.ext`, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run('openssl', ['x509', '-req', '-in', `${d}/server.csr`, '-CA', this.caFile, '-CAkey', `${d}/ca.key`, '-CAcreateserial',
      '-out', `${d}/server.crt`, '-days', '2', '-extfile', `${d}/san.ext`]);
  }

  #configure(users: LdapUser[]): void {
    const d = this.dir;
    mkdirSync(`${d}/db`);
    const schemas = ['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include /etc/ldap/schema/${s}.schema`).join('\n');
    writeFileSync(
      `${d}/slapd.conf`,
      `${schemas}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${d}/slapd.pid
TLSCACertificateFile ${this.caFile}
TLSCertificateFile ${d}/server.crt
TLSCertificateKeyFile ${d}/server.key
database mdb
suffix "${BASE_DN}"
rootdn "cn=admin,${BASE_DN}"
directory ${d}/db
access to attrs=userPassword by anonymous auth by self read by * none
access to * by dn.exact="${SERVICE_DN}" read by self read by * none
`,
    );
    const hash = (password: string) => run('slappasswd', ['-s', password]).trim();
    const entries = [
      `dn: ${BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
      `dn: ou=system,${BASE_DN}\nobjectClass: organizationalUnit\nou: system`,
      `dn: ou=people,${BASE_DN}\nobjectClass: organizationalUnit\nou: people`,
      `dn: ou=other,${BASE_DN}\nobjectClass: organizationalUnit\nou: other`,
      `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${hash(SERVICE_PASSWORD)}`,
      ...users.map(
        (u) =>
          `dn: cn=${u.cn},ou=${u.ou ?? 'people'},${BASE_DN}\nobjectClass: inetOrgPerson\ncn: ${u.cn}\nsn: ${u.cn}\n` +
          u.uid.map((uid) => `uid:: ${Buffer.from(uid).toString('base64')}\n`).join('') +
          `userPassword: ${hash(u.password)}`,
      ),
    ];
    writeFileSync(`${d}/base.ldif`, `${entries.join('\n\n')}\n`);
    run('slapadd', ['-f', `${d}/slapd.conf`, '-l', `${d}/base.ldif`]);
  }

  async start(): Promise<void> {
    const urls = `${this.ldapUrl}/ ${this.ldapsUrl}/`;
    const child = spawn('slapd', ['-f', `${this.dir}/slapd.conf`, '-h', urls, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
      if ((await listening(this.ldapPort)) && (await listening(this.ldapsPort))) return;
      await sleep(25);
    }
    throw new Error(`slapd did not listen: ${stderr}`);
  }

  /** Stops slapd and waits until it has exited (its ports are closed). */
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
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
