/**
 * `ats-auth/verifier` as a package: reachable through package.json `exports` with types, and its
 * runtime import graph holds nothing of the server's store, HTTP or CLI and no native module.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('exports ./verifier with JavaScript and declarations', async () => {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
  const entry = pkg.exports['./verifier']!;
  assert.ok(existsSync(resolve(ROOT, entry.default)), entry.default);
  assert.ok(existsSync(resolve(ROOT, entry.types)), entry.types);
  const mod = (await import('ats-auth/verifier')) as Record<string, unknown>;
  for (const name of ['createVerifier', 'expressMiddleware', 'fastifyPlugin', 'TokenInvalid', 'FeedStale']) assert.equal(typeof mod[name], 'function', name);
});

test('imports nothing from store/, http/ or cli/, and only pure-JavaScript packages', () => {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  walk(resolve(ROOT, 'dist/verifier/index.js'));
  const files = [...seen].map((f) => relative(resolve(ROOT, 'dist'), f));
  const forbidden = files.filter((f) => /^(store|http|cli)\//.test(f) || f === 'main.js');
  assert.deepEqual(forbidden, [], `reached ${files.join(', ')}`);
  assert.deepEqual([...packages].sort(), ['fast-jwt'], 'fast-jwt is plain JavaScript');
});
