import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPeerTrust } from './trusted-peers.js';

describe('createPeerTrust', () => {
  const loopback = createPeerTrust(['127.0.0.0/8', '::1/128']);

  test('the default list trusts every IPv4 loopback address and ::1, nothing else', () => {
    for (const peer of ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1']) assert.equal(loopback(peer), true, peer);
    for (const peer of ['128.0.0.1', '10.0.0.1', '::2', '2001:db8::1', '192.168.1.1']) assert.equal(loopback(peer), false, peer);
  });

  test('an IPv4 peer seen on a dual-stack socket (::ffff:a.b.c.d) matches the IPv4 rules', () => {
    assert.equal(loopback('::ffff:127.0.0.1'), true);
    assert.equal(loopback('::FFFF:127.0.0.1'), true);
    assert.equal(loopback('::ffff:10.0.0.1'), false);
    assert.equal(loopback('::ffff:7f00:1'), true, 'the hexadecimal spelling too');
  });

  test('a bare address is a single host; prefixes bound the range', () => {
    const trust = createPeerTrust(['10.1.2.3', '2001:db8::/32']);
    assert.equal(trust('10.1.2.3'), true);
    assert.equal(trust('10.1.2.4'), false);
    assert.equal(trust('2001:db8:ffff::1'), true);
    assert.equal(trust('2001:db9::1'), false);
  });

  test('a link-local peer with a zone index is matched by its address', () => {
    assert.equal(createPeerTrust(['fe80::/10'])('fe80::1%eth0'), true);
  });

  test('an empty list trusts no one; an unknown or garbage peer is never trusted', () => {
    const none = createPeerTrust([]);
    assert.equal(none('127.0.0.1'), false);
    assert.equal(none('::1'), false);
    assert.equal(loopback(undefined), false);
    assert.equal(loopback(''), false);
    assert.equal(loopback('not-an-address'), false);
  });
});
