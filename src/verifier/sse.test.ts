import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser, SseProtocolError } from './sse.js';

test('LF, CRLF and CR line ends, split anywhere across chunks, give the same events', () => {
  const body = ': comment\nretry: 1000\nid: 7\nevent: token\ndata: {"a":1}\ndata: second line\n\nevent: ready\ndata:x\n\ndata: no event name\n\n';
  const expected = [
    { event: 'token', data: '{"a":1}\nsecond line', id: '7' },
    { event: 'ready', data: 'x', id: undefined },
    { event: 'message', data: 'no event name', id: undefined },
  ];
  for (const eol of ['\n', '\r\n', '\r']) {
    const text = body.replaceAll('\n', eol);
    for (const size of [1, 2, 3, 7, text.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      assert.deepEqual(events, expected, `eol ${JSON.stringify(eol)}, chunks of ${size}`);
    }
  }
});

test('an event cut off before its blank line is not dispatched', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('event: token\ndata: {"seq":1'), []);
  assert.deepEqual(parser.push('}\n'), []);
});

test('lines and events are bounded', () => {
  assert.throws(() => new SseParser(100).push('x'.repeat(101)), SseProtocolError);
  const parser = new SseParser(100);
  assert.throws(() => {
    for (let i = 0; i < 20; i++) parser.push('data: 0123456789\n');
  }, SseProtocolError);
});
