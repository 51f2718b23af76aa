import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDevice } from './device.js';

test('browser and operating system are named from the user agent', () => {
  assert.equal(
    describeDevice('Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'),
    'Firefox 133 on Ubuntu',
  );
  assert.equal(
    describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'),
    'Mobile Safari 17 on iOS 17.5',
  );
});

test('clients that are not browsers still get a name', () => {
  assert.equal(describeDevice(null), 'Unknown device');
  assert.equal(describeDevice(''), 'Unknown device');
  assert.equal(describeDevice('HTTPie/3.2.2'), 'HTTPie/3.2.2');
});
