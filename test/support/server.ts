/**
 * Black-box harness: runs the real `ats-auth` binary (built into dist/) as a child process on
 * a free loopback port with its own data directory, and the real CLI against the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/ats-auth.js', import.meta.url));
/** How long a test waits for `serve` to say it listens. */
const START_TIMEOUT_MS = 45_000;

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface ServerOptions {
  /** Extra environment, e.g. ATS_AUTH_TOKEN_TTL. */
  env?: Record<string, string>;
  /** Reuse a data directory (to test restarts); a fresh one otherwise. */
  dataDir?: string;
  args?: string[];
}

export class TestServer {
  readonly logs: string[] = [];
  /** Set once the test asked it to stop: an exit before that is the service's own doing. */
  stopping = false;
  #exit: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly env: Record<string, string>,
    readonly url: string,
    exit: Promise<number | null>,
  ) {
    this.#exit = exit;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Runs the CLI against this server's data directory and configuration. */
  cli(args: string[], stdin?: string) {
    return runCli(args, { env: this.env, stdin });
  }

  async addUser(name: string, password: string): Promise<void> {
    const result = await this.cli(['user', 'add', name], `${password}\n`);
    if (result.code !== 0) throw new Error(`user add failed: ${result.stderr}`);
  }

  async login(username: string, password: string): Promise<string> {
    const res = await fetch(`${this.url}/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  }

  verify(token: string | undefined, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    return fetch(`${this.url}/user/verify`, { ...init, headers });
  }

  post(path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, { method: 'POST', ...init });
  }

  /** SIGTERM and wait; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.#exit;
  }

  exited(): Promise<number | null> {
    return this.#exit;
  }
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'ats-auth-test-'));
}

export function baseEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    ATS_AUTH_DATA_DIR: dataDir,
    ATS_AUTH_JWT_SECRET: TEST_SECRET,
    ATS_AUTH_HOST: '127.0.0.1',
    ATS_AUTH_PORT: '0',
    ATS_AUTH_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Starts `ats-auth serve` and resolves once it logs that it is listening. */
export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? freshDataDir();
  const env = baseEnv(dataDir, options.env);
  const child = spawn(process.execPath, [BIN, 'serve', ...(options.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: Node's start alone takes over 10 s on this shared 2-core machine under load.
    const timer = setTimeout(() => {
      // A server that comes up after the test gave up would keep the test process alive.
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${logs.join('\n')}`));
    }, START_TIMEOUT_MS);
    const onLine = (line: string) => {
      logs.push(line);
      // "127.0.0.1:PORT", or for IPv6 "::1:PORT" (the port is after the last colon) or "[::1]:PORT".
      const match = /"address":\["\[?([\da-fA-F.:]+?)\]?:(\d+)"/.exec(line);
      if (match && line.includes('ats-auth listening')) {
        clearTimeout(timer);
        const host = match[1]!.includes(':') ? `[${match[1]}]` : match[1];
        resolve(`http://${host}:${match[2]}`);
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, onLine);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  const server = new TestServer(child, dataDir, env, url, exit);
  server.logs.push(...logs);
  lines(child.stdout!, (line) => server.logs.push(line));
  lines(child.stderr!, (line) => server.logs.push(line));
  void exit.then((code) => {
    // A service that exits unasked fails the test with a bare "fetch failed": say why, where CI shows it.
    if (!server.stopping && child.signalCode === null) {
      process.stderr.write(`ats-auth at ${url} exited (${code}) unasked; its last log lines:\n${server.logs.slice(-30).join('\n')}\n`);
    }
  });
  return server;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env: Record<string, string>; stdin?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
    }
  });
}
