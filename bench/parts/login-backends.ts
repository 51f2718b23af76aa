/**
 * Part 4, second half: login throughput through each credential backend (SPEC §10), measured
 * like the builtin row — same connections, same pinning — so it reads beside raw argon2id.
 * htpasswd: a bcrypt cost-5 line (htpasswd -B's default) (bcryptjs, pure JavaScript, on the event loop); ldap: a
 * private slapd (search + bind per login); keystone: Debian's Keystone under uwsgi with one
 * process and one thread (bcrypt rounds 4), only outside smoke mode and when it is installed,
 * since setting it up costs a minute or more.
 */
import bcrypt from 'bcryptjs';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keystone } from '../../test/support/keystone.js';
import { BASE_DN, SERVICE_DN, SERVICE_PASSWORD, Slapd } from '../../test/support/slapd.js';
import type { BenchContext } from '../lib/context.js';
import { atsInstance, removeInstance, startAts } from '../lib/ats.js';
import { fmt } from '../lib/report.js';
import { wrk } from '../lib/wrk.js';

const USER = 'bench-backend';
const PASSWORD = 'correct horse battery staple';

type Row = string[];

export async function backendRows(ctx: BenchContext, connections: number): Promise<{ rows: Row[]; notes: string[] }> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const measure = async (label: string, env: Record<string, string>) => {
    const instance = atsInstance({ ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0', ...env });
    try {
      const server = await startAts(instance);
      try {
        const url = `${server.url}/user/login`;
        const body = JSON.stringify({ username: USER, password: PASSWORD });
        const check = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        if (check.status !== 200) throw new Error(`${label}: login got ${check.status}`);
        const cpuBefore = server.cpuSeconds();
        const result = await wrk({ url, connections, body, durationS: ctx.options.duration });
        const cpuMs = ((server.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, result.requests);
        ctx.progress(`login through ${label}: ${result.rps.toFixed(1)}/s`);
        rows.push([`POST /user/login through ${label}, ${connections} connections`, result.rps.toFixed(1), fmt.ms(result.p50Ms), fmt.ms(result.p99Ms), cpuMs.toFixed(1)]);
      } finally {
        await server.stop();
      }
    } finally {
      removeInstance(instance);
    }
  };

  const htpasswd = atsInstance();
  try {
    const file = join(htpasswd.dataDir, 'users.htpasswd');
    writeFileSync(file, `${USER}:${bcrypt.hashSync(PASSWORD, 5).replace(/^\$2b\$/, '$2y$')}\n`);
    await measure("htpasswd (bcrypt cost 5, htpasswd -B's default)", { ATS_AUTH_CREDENTIALS: 'htpasswd', ATS_AUTH_HTPASSWD_FILE: file });
  } finally {
    removeInstance(htpasswd);
  }

  const slapd = await Slapd.create([{ cn: 'Bench', uid: [USER], password: PASSWORD }]);
  try {
    await measure('ldap (slapd: search + bind)', {
      ATS_AUTH_CREDENTIALS: 'ldap',
      ATS_AUTH_LDAP_URL: slapd.ldapUrl,
      ATS_AUTH_LDAP_BIND_DN: SERVICE_DN,
      ATS_AUTH_LDAP_BIND_PASSWORD: SERVICE_PASSWORD,
      ATS_AUTH_LDAP_BASE_DN: BASE_DN,
    });
  } finally {
    await slapd.destroy();
  }
  notes.push('The ldap row includes slapd itself on this machine (slappasswd SSHA hashes); the directory is not pinned.');

  const haveKeystone = spawnSync('sh', ['-c', 'command -v keystone-manage && command -v uwsgi']).status === 0;
  if (ctx.options.smoke || !haveKeystone) {
    notes.push(`keystone: not measured (${ctx.options.smoke ? 'smoke mode' : 'the keystone package is not installed'}).`);
  } else {
    const keystone = await Keystone.create();
    try {
      await keystone.populate('bench', { [USER]: PASSWORD }, {});
      await measure('keystone (uwsgi, 1 process, 1 thread)', { ATS_AUTH_CREDENTIALS: 'keystone', ATS_AUTH_KEYSTONE_URL: keystone.url });
    } finally {
      await keystone.destroy();
    }
    notes.push('The keystone row is bound by Keystone itself: one uwsgi process and thread (SQLite), bcrypt rounds 4.');
  }
  return { rows, notes };
}
