/**
 * `user add` on a real terminal (tmux): the password is asked twice and never echoed (§8).
 * A terminal cannot be faked with pipes, so this drives the CLI inside tmux as a person would.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { BIN, startServer, type TestServer } from './support/server.js';

const SOCKET = `ats-auth-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

async function screenShows(text: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-t', 'cli');
    if (screen.includes(text)) return screen;
    if (Date.now() > deadline) throw new Error(`screen never showed '${text}':\n${screen}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
  await server.stop();
});

function startCli(args: string): void {
  const env = Object.entries(server.env).map(([k, v]) => `${k}='${v}'`).join(' ');
  tmux('new-session', '-d', '-s', 'cli', '-x', '150', '-y', '20', `env ${env} ${process.execPath} ${BIN} ${args}; sleep 30`);
}

test('user add prompts twice without echo, and the password works', async () => {
  startCli('user add tty');
  await screenShows('Password:');
  tmux('send-keys', '-t', 'cli', 'tty-passw0rd-typed', 'Enter');
  await screenShows('Repeat password:');
  tmux('send-keys', '-t', 'cli', 'tty-passw0rd-typed', 'Enter');
  const screen = await screenShows("user 'tty' added");
  assert.ok(!screen.includes('tty-passw0rd-typed'), `the password was echoed:\n${screen}`);
  assert.ok(await server.login('tty', 'tty-passw0rd-typed'));
  tmux('kill-session', '-t', 'cli');
});

test('a mistyped repeat is refused and nothing is stored', async () => {
  startCli('user add typo');
  await screenShows('Password:');
  tmux('send-keys', '-t', 'cli', 'first-passw0rd', 'Enter');
  await screenShows('Repeat password:');
  tmux('send-keys', '-t', 'cli', 'other-passw0rd', 'Enter');
  await screenShows('ats-auth: the passwords do not match');
  const list = await server.cli(['user', 'list']);
  assert.ok(!list.stdout.includes('typo'));
  tmux('kill-session', '-t', 'cli');
});
