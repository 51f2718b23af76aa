/** /readyz reports 503 and which dependency failed (a dead store cannot be staged black-box on SQLite). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { healthRoutes, type Readiness } from './health.js';

async function readyz(readiness: Readiness) {
  const app = Fastify();
  await app.register(healthRoutes, { readiness });
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  await app.close();
  return { status: res.statusCode, body: res.json() };
}

test('store unreachable → 503 not_ready, store unreachable', async () => {
  const res = await readyz({ pingStore: () => Promise.reject(new Error('down')), feedIsCurrent: () => true });
  assert.deepEqual(res, { status: 503, body: { status: 'not_ready', store: 'unreachable', feed: 'current' } });
});

test('feed stale → 503 not_ready, feed stale', async () => {
  const res = await readyz({ pingStore: () => Promise.resolve(), feedIsCurrent: () => false });
  assert.deepEqual(res, { status: 503, body: { status: 'not_ready', store: 'ok', feed: 'stale' } });
});

test('both fine → 200 ready', async () => {
  const res = await readyz({ pingStore: () => Promise.resolve(), feedIsCurrent: () => true });
  assert.deepEqual(res, { status: 200, body: { status: 'ready', store: 'ok', feed: 'current' } });
});
