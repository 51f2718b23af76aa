/**
 * A client generated from docs/openapi.json, as a user of the API would make one: openapi-typescript
 * writes the types into a temporary directory (nothing generated is committed), tsc checks the
 * walk (test/fixtures/generated-client/walk.ts) against them, and the walk runs against the real
 * server: login, verify, logout, logout_all (Bearer and gateway), the probes and metrics.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { removeDir, startServer, type TestServer } from './support/server.js';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

function run(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

// Generous: generation and tsc take seconds of CPU, much longer on a loaded machine; a hang fails.
describe('a client generated from docs/openapi.json (openapi-typescript + openapi-fetch)', { timeout: 240_000 }, () => {
  let dir: string;
  let server: TestServer;
  const user = { username: 'client-walker', password: 'correct horse battery staple' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ats-auth-client-'));
    // The walk imports openapi-fetch: resolve it from the project's dependencies.
    symlinkSync(root('node_modules'), join(dir, 'node_modules'), 'dir');
    server = await startServer();
    await server.addUser(user.username, user.password);
  });

  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dataDir);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('generates the types offline, and the walk type-checks against them', async () => {
    const generated = await run(
      ['--import', root('test/support/deny-network.mjs'), root('node_modules/openapi-typescript/bin/cli.js'), root('docs/openapi.json'), '--output', join(dir, 'api.d.ts')],
      dir,
    );
    assert.doesNotMatch(generated.stderr, /NETWORK-ATTEMPT/, 'the generator tried to reach the network');
    copyFileSync(root('test/fixtures/generated-client/walk.ts'), join(dir, 'walk.ts'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
        files: ['walk.ts', 'api.d.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await run([root('node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], dir);
  });

  test('walks login, verify, logout, logout_all and the other endpoints against the server', async () => {
    const { walk } = (await import(pathToFileURL(join(dir, 'walk.ts')).href)) as {
      walk(baseUrl: string, user: { username: string; password: string }): Promise<string[]>;
    };
    const called = new Set(await walk(server.url, user));
    const expected = [
      'POST /user/login',
      'POST /user/logout',
      'POST /user/logout_all',
      ...['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => `${m} /user/verify`),
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ];
    assert.deepEqual(expected.filter((op) => !called.has(op)), [], 'operations the walk did not call');
  });
});
