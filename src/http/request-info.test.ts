import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import { clientInfo } from './request-info.js';

/** SPEC §15 (issue 16): a port in a trusted forwarded address must not make a new throttle address. */
test('a port in a forwarded address is ignored', () => {
  const addressOf = (forwarded: string) =>
    clientInfo({ socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-forwarded-for': forwarded } } as unknown as FastifyRequest, () => true)
      .address;
  assert.equal(addressOf('1.2.3.4:5678'), '1.2.3.4');
  assert.equal(addressOf('9.9.9.9, 1.2.3.4:443'), '1.2.3.4');
  assert.equal(addressOf('[2001:db8::1]:443'), '2001:db8::1');
  assert.equal(addressOf('[2001:db8::1]'), '2001:db8::1');
  assert.equal(addressOf('2001:db8::1'), '2001:db8::1');
  assert.equal(addressOf('1.2.3.4'), '1.2.3.4');
});
