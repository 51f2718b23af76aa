import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { createPasswordHasher } from './password-hash.js';

/** The nice value of each thread of this process (Linux /proc). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
}

test('argon2id hashes verify; bcrypt (htpasswd -B) lines verify; an unreadable hash matches nothing', async () => {
  const hasher = createPasswordHasher({ threads: 2, nice: 0 });
  try {
    const hash = await hasher.hash('pässword');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await hasher.verify(hash, 'pässword'), true);
    assert.equal(await hasher.verify(hash, 'password'), false);
    const bcryptLine = bcrypt.hashSync('bcrypt pass', 5).replace(/^\$2b\$/, '$2y$');
    assert.equal(await hasher.verify(bcryptLine, 'bcrypt pass'), true);
    assert.equal(await hasher.verify(bcryptLine, 'bcrypt pas'), false);
    assert.equal(await hasher.verify('not a hash', 'x'), false);
  } finally {
    await hasher.close();
  }
});

test('the hashing threads run at the configured lower priority; the event loop keeps its own', async () => {
  const before = threadNices().filter((n) => n === 7).length;
  const hasher = createPasswordHasher({ threads: 3, nice: 7 });
  try {
    // More jobs than threads at once: every thread starts, and the queue drains in full.
    const hashes = await Promise.all(Array.from({ length: 5 }, (_, i) => hasher.hash(`p${i}`)));
    assert.equal(new Set(hashes).size, 5);
    assert.equal(threadNices().filter((n) => n === 7).length - before, 3, 'three threads at nice 7');
    assert.equal(threadNices()[0], 0, 'the main thread is untouched');
  } finally {
    await hasher.close();
  }
});

test('after close, queued and new jobs are refused rather than left pending', async () => {
  const hasher = createPasswordHasher({ threads: 1, nice: 0 });
  const running = hasher.hash('a').then(
    () => 'hashed',
    () => 'refused',
  );
  const queued = assert.rejects(hasher.hash('b'), /closed/);
  await hasher.close();
  await queued;
  await assert.rejects(hasher.hash('c'), /closed/);
  assert.ok(['hashed', 'refused'].includes(await running), 'the job in progress settles too');
});
