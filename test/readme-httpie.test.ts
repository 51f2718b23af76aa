/**
 * The README's httpie walk-through, run as written: the commands come from the ```sh blocks of
 * the walkthrough section, run by a shell with Debian's real `http` against a real server, in a
 * temporary HOME (so the ~/.httpie setup is real and isolated). Each output block shown after
 * a command must equal what that command printed, modulo tokens and dates.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { removeDir, startServer } from './support/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * What a terminal shows (headers and body, JSON indented; colours aside). Without a terminal
 * httpie prints only the body and, as standard input is not a terminal, would read it as the
 * request body: --ignore-stdin.
 */
const HTTPIE_TERMINAL_FLAGS = '--ignore-stdin --print=hb --pretty=format';

interface Block {
  lang: string;
  text: string;
}

function walkthroughBlocks(readme: string): Block[] {
  const start = readme.indexOf('<!-- walkthrough:start -->');
  const end = readme.indexOf('<!-- walkthrough:end -->');
  assert.ok(start >= 0 && end > start, 'README.md has a walkthrough section');
  const blocks: Block[] = [];
  for (const match of readme.slice(start, end).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    blocks.push({ lang: match[1]!, text: match[2]! });
  }
  return blocks;
}

function normalise(output: string): string {
  return output
    .replace(/\r\n/g, '\n')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/^Date: .*$/gm, 'Date: <date>')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

function sh(command: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the README httpie walk-through runs as written and prints what the README shows', async () => {
  const blocks = walkthroughBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const commands = blocks.filter((b) => b.lang === 'sh').flatMap((b) => b.text.split('\n'));
  assert.ok(commands.includes('npm start'));
  assert.ok(commands.some((c) => c.startsWith('http POST :8081/user/logout_all')));

  // As in the README: no signing secret configured, so the server generates one.
  const server = await startServer({ env: { ATS_AUTH_JWT_SECRET: '' } });
  const home = mkdtempSync(join(tmpdir(), 'ats-auth-home-'));
  const env = { PATH: process.env.PATH ?? '', HOME: home, ATS_AUTH_DATA_DIR: server.dataDir, ATS_AUTH_LOG_LEVEL: 'warn', npm_config_update_notifier: 'false' };
  try {
    assert.ok(server.logs.some((l) => l.includes('generated a new one')), 'the README says the first start generates a secret');
    let token: string | undefined;
    let httpCalls = 0;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i]!;
      if (block.lang !== 'sh') continue;
      let last = '';
      for (const line of block.text.split('\n').filter((l) => l.trim() !== '')) {
        if (line === 'npm start') continue; // the test's own server plays this part, on a free port
        let command = line.replaceAll(':8081', `:${server.port}`);
        if (command.startsWith('http ')) {
          httpCalls++;
          if (command.includes('<token>')) {
            assert.ok(token, `a token before: ${line}`);
            command = command.replaceAll('<token>', token);
          }
          command = command.replace(/^http /, `http ${HTTPIE_TERMINAL_FLAGS} `);
        }
        const result = await sh(command, env);
        assert.equal(result.code, 0, `${line}\n${result.stdout}${result.stderr}`);
        last = result.stdout;
        const issued = /"token": "([^"]+)"/.exec(result.stdout);
        if (issued) token = issued[1];
      }
      const shown = blocks[i + 1];
      if (shown && shown.lang !== 'sh') assert.equal(normalise(last), normalise(shown.text), `output of: ${block.text}`);
    }
    assert.ok(httpCalls >= 6, 'login, verify, logout, verify, logout_all, verify');
    // The seed's config file was read: the default session was written.
    assert.ok(existsSync(join(home, '.httpie', 'sessions', `localhost_${server.port}`, 'default.json')), 'httpie used the default session');
  } finally {
    await server.stop();
    removeDir(server.dataDir);
    removeDir(home);
  }
});
