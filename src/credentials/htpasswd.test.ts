import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { InvalidConfig } from '../errors.js';
import { createHtpasswdBackend, type HtpasswdBackend } from './htpasswd.js';
import { createPasswordHasher } from './password-hash.js';

const hasher = createPasswordHasher({ threads: 2, nice: 0 });
after(() => hasher.close());


/** Adds or replaces a user with Debian's `htpasswd -B` (password on stdin, never argv). */
function htpasswd(file: string, user: string, password: string, extra: string[] = []): void {
  const result = spawnSync('htpasswd', ['-B', '-C', '5', '-i', ...extra, file, user], { input: `${password}\n`, encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error(`htpasswd (apache2-utils) failed: ${result.error?.message ?? result.stderr}`);
}

function capture() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, logger: { info: at('info'), warn: at('warn') } as unknown as Pick<Logger, 'info' | 'warn'> };
}

describe('htpasswd backend', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ats-auth-htpasswd-'));
  const file = join(dir, 'users.htpasswd');
  const log = capture();
  let backend: HtpasswdBackend;

  before(async () => {
    htpasswd(file, 'marco', 'pässwörd', ['-c']);
    htpasswd(file, 'Ann', 'secret one');
    appendFileSync(file, `argo:${await hasher.hash('argon pass')}\n`);
    backend = await createHtpasswdBackend({ file, hasher, logger: log.logger });
  });
  after(async () => {
    await backend.close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  test('htpasswd -B writes $2y$ bcrypt lines, accepted with the right password', async () => {
    assert.match(readFileSync(file, 'utf8'), /^marco:\$2y\$05\$/m);
    assert.deepEqual(await backend.check('marco', 'pässwörd'), { outcome: 'accepted', subject: 'marco' });
    assert.deepEqual(await backend.check('Ann', 'secret one'), { outcome: 'accepted', subject: 'Ann' });
  });

  test('an argon2id line is accepted', async () => {
    assert.deepEqual(await backend.check('argo', 'argon pass'), { outcome: 'accepted', subject: 'argo' });
    assert.equal((await backend.check('argo', 'argon pas')).outcome, 'rejected');
  });

  test('wrong password: rejected; unknown user: unknown; names are exact (htpasswd is case-sensitive)', async () => {
    assert.equal((await backend.check('marco', 'passwörd')).outcome, 'rejected');
    assert.deepEqual(await backend.check('nobody', 'pässwörd'), { outcome: 'unknown' });
    assert.deepEqual(await backend.check('MARCO', 'pässwörd'), { outcome: 'unknown' });
  });

  test('a user added by htpasswd in place is seen by the next check, without a restart', async () => {
    htpasswd(file, 'late', 'late pass');
    assert.equal((await backend.check('late', 'late pass')).outcome, 'accepted');
  });

  test('an atomic replace (write elsewhere, rename over) is seen, and a removed user is gone', async () => {
    const next = join(dir, 'users.next');
    writeFileSync(next, readFileSync(file, 'utf8').replace(/^late:.*\n/m, ''));
    htpasswd(next, 'swapped', 'swap pass');
    renameSync(next, file);
    assert.equal((await backend.check('swapped', 'swap pass')).outcome, 'accepted');
    assert.equal((await backend.check('late', 'late pass')).outcome, 'unknown');
  });

  test('a broken new version keeps the last good one and says why, with the line number', async () => {
    const good = readFileSync(file, 'utf8');
    const next = join(dir, 'users.next');
    writeFileSync(next, `${good}weak:$apr1$abc$defghijklmnopqrstuvw01\n`);
    renameSync(next, file);
    assert.equal((await backend.check('marco', 'pässwörd')).outcome, 'accepted', 'the last good version still answers');
    const warning = log.lines.find((l) => l.level === 'warn');
    const lineNumber = good.split('\n').length;
    assert.ok(warning, 'a warning was logged');
    assert.match(String(warning.fields.problems), new RegExp(`line ${lineNumber}: weak scheme \\$apr1\\$`));
    assert.doesNotMatch(JSON.stringify(warning), /defghijkl/, 'the hash is not quoted');
    writeFileSync(file, good);
    await backend.refresh();
  });

  test('the directory watcher reloads without a login, and a file that vanishes keeps the last version', async () => {
    const before = log.lines.filter((l) => l.msg === 'htpasswd file reloaded').length;
    htpasswd(file, 'watched', 'watch pass');
    for (let i = 0; i < 100 && log.lines.filter((l) => l.msg === 'htpasswd file reloaded').length === before; i++) await sleep(20);
    assert.ok(log.lines.filter((l) => l.msg === 'htpasswd file reloaded').length > before, 'the watcher reloaded the file by itself');
    const saved = readFileSync(file, 'utf8');
    rmSync(file);
    assert.equal((await backend.check('watched', 'watch pass')).outcome, 'accepted');
    writeFileSync(file, saved);
  });

  test('weak schemes are refused at start, each with its line number, and no hash is quoted', async () => {
    const weak = join(dir, 'weak.htpasswd');
    const lines = [
      '# comment',
      `ok:${readFileSync(file, 'utf8').match(/^marco:(.*)$/m)![1]}`,
      'md5:$apr1$Xy1pT0aB$CcxLbTx0B7jv6D0nTSxN00',
      'sha:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=',
      'des:abJnggxhB/yWI',
      'plain:hunter2',
      '',
      'argon2i:$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    ];
    writeFileSync(weak, `${lines.join('\n')}\n`);
    const error = await createHtpasswdBackend({ file: weak, hasher, logger: log.logger }).then(
      () => assert.fail('a weak file must refuse the start'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InvalidConfig, 'an InvalidConfig');
    assert.deepEqual(
      error.problems.map((p) => p.replace(/^ATS_AUTH_HTPASSWD_FILE: '[^']+' /, '').replace(/:.*/, '')),
      ['line 3', 'line 4', 'line 5', 'line 6', 'line 8'],
    );
    assert.match(error.problems[0]!, /^ATS_AUTH_HTPASSWD_FILE: '.*weak\.htpasswd' line 3: weak scheme \$apr1\$/);
    assert.doesNotMatch(error.message, /hunter2|CcxLbTx0B7|qUqP5cy/);
  });

  test('a missing file refuses the start naming the setting', async () => {
    await assert.rejects(createHtpasswdBackend({ file: join(dir, 'none'), hasher, logger: log.logger }), (e: unknown) => {
      assert.ok(e instanceof InvalidConfig);
      assert.match(e.problems[0]!, /^ATS_AUTH_HTPASSWD_FILE: cannot read '.*none' \(ENOENT\)$/);
      return true;
    });
  });
});
