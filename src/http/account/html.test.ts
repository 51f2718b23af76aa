import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html } from './html.js';

test('every character that can end text or an attribute value is escaped', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&\`</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
});

test('interpolated strings are text, nested html is markup, lists are joined', () => {
  const name = '<script>alert(1)</script>';
  const page = html`<p title="${name}">${name}</p>${[html`<b>${'a&b'}</b>`, 'c<d']}${null}${false}${undefined}${3}`;
  assert.equal(
    page.toString(),
    '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p><b>a&amp;b</b>c&lt;d3',
  );
});

test('an object that only looks like Html is escaped', () => {
  const fake = { toString: () => '<i>x</i>' } as unknown as string;
  assert.equal(html`${fake}`.toString(), '&lt;i&gt;x&lt;/i&gt;');
});
