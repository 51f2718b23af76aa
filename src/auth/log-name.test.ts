import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNameForLog } from './log-name.js';

const known = async (name: string) => (name === 'marco' ? true : name === 'unsure' ? undefined : false);

test('a known user is logged by name; an unknown name (or one no backend can tell) only as a keyed digest', async () => {
  const key = Buffer.alloc(32, 7);
  const nameForLog = createNameForLog(known, key);
  assert.deepEqual(await nameForLog('marco'), { user: 'marco' });
  const typedPassword = await nameForLog('hunter2-correct-horse');
  assert.ok('userDigest' in typedPassword);
  assert.match(typedPassword.userDigest, /^[0-9a-f]{16}$/);
  assert.ok(!JSON.stringify(typedPassword).includes('hunter2'));
  assert.deepEqual(await nameForLog('hunter2-correct-horse'), typedPassword, 'the same name gives the same digest');
  assert.notDeepEqual(await nameForLog('hunter3-correct-horse'), typedPassword);
  assert.ok('userDigest' in (await nameForLog('unsure')), 'a backend that cannot tell: digest');
  const otherKey = createNameForLog(known, Buffer.alloc(32, 8));
  assert.notDeepEqual(await otherKey('hunter2-correct-horse'), typedPassword, 'keyed: not a plain hash anyone can recompute');
});

test('a lookup that fails (store down) logs the digest, never the name, and never throws', async () => {
  const nameForLog = createNameForLog(async () => {
    throw new Error('store down');
  });
  assert.ok('userDigest' in (await nameForLog('marco')));
});
