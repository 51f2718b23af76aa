import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedRedirect } from './redirect.js';

const hosts = new Set(['app.example.test', 'localhost']);

test('an http(s) URL on an allowed host, any port, is followed', () => {
  assert.equal(allowedRedirect('https://app.example.test/dash?x=1#top', hosts), 'https://app.example.test/dash?x=1#top');
  assert.equal(allowedRedirect('http://localhost:8080/', hosts), 'http://localhost:8080/');
  assert.equal(allowedRedirect('HTTP://APP.example.test/a', hosts), 'http://app.example.test/a');
});

test('open-redirect shapes are refused', () => {
  for (const rd of [
    'https://evil.test/',
    '//evil.test/',
    '/\\evil.test',
    '\\\\evil.test',
    'https:\\\\evil.test',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,x',
    'https://app.example.test@evil.test/',
    'https://user:pw@app.example.test/',
    'https://evil.test#@app.example.test/',
    'https://app.example.test.evil.test/',
    ' https://app.example.test/',
    'https://app.example.test/\n',
    'http:/app.example.test/',
    'ftp://app.example.test/',
    '/relative/path',
    '',
    'x'.repeat(3000),
  ]) {
    assert.equal(allowedRedirect(rd, hosts), undefined, rd);
  }
  assert.equal(allowedRedirect(['https://app.example.test/'], hosts), undefined);
  assert.equal(allowedRedirect(undefined, hosts), undefined);
});
