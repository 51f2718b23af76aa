import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from './lru-cache.js';

test('an entry in constant use is never evicted, however many others pass through', () => {
  const cache = new LruCache<string, number>(100);
  cache.set('hot', 0);
  for (let i = 0; i < 10_000; i++) {
    cache.set(`cold-${i}`, i);
    assert.equal(cache.get('hot'), 0, `evicted after ${i} others`);
  }
  assert.equal(cache.size, 100, 'bounded');
});

test('the least recently used entry goes first; set refreshes too', () => {
  const cache = new LruCache<string, number>(3);
  cache.set('a', 1);
  cache.set('b', 2);
  cache.set('c', 3);
  cache.get('a');
  cache.set('d', 4); // evicts b, the least recently used
  assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => cache.has(k)), [true, false, true, true]);
  cache.set('c', 30);
  cache.set('e', 5); // evicts a
  assert.deepEqual(['a', 'c', 'd', 'e'].map((k) => cache.has(k)), [false, true, true, true]);
  assert.equal(cache.get('c'), 30);
});

test('the newest entry is answered from its key, and still ages like any other', () => {
  const cache = new LruCache<string, number>(2);
  assert.equal(cache.get('a'), undefined);
  cache.set('a', 1);
  assert.equal(cache.get(['a'].join('')), 1, 'an equal key, not the same string object');
  cache.set('b', 2);
  cache.set('c', 3); // evicts a: the newest is c now
  assert.equal(cache.get('a'), undefined);
  assert.equal(cache.get('c'), 3);
  cache.set('c', 30);
  assert.equal(cache.get('c'), 30, 'set replaces the newest value');
  cache.get('b');
  cache.set('d', 4); // evicts c, no longer the newest once b was hit
  assert.deepEqual(['b', 'c', 'd'].map((k) => cache.has(k)), [true, false, true]);
});
