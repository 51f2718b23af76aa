/**
 * Server processes under test: spawned pinned to a core, ready once they log a line with
 * "listening" and 127.0.0.1:PORT (ats-auth's startup log and the peers' banner both do).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pinned } from './pinning.js';

/** USER_HZ: /proc/PID/stat counts CPU time in these ticks (100 on every Linux we run on). */
const CLOCK_TICKS = 100;

export interface Launch {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cores: string;
  /** Extra time to wait for the ready line (large data loads). */
  timeoutMs?: number;
}

export class ServerProcess {
  readonly logs: string[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly url: string,
    /** From spawn to the ready line, in ms. */
    readonly startupMs: number,
    private readonly exit: Promise<number | null>,
  ) {}

  /** Resident memory now and its high-water mark, in MiB (Linux). */
  memory(): { rssMiB: number; peakMiB: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  }

  /** CPU seconds (user + system, all threads) the process has used so far (Linux). */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(timer);
  }
}

export async function launch(spec: Launch): Promise<ServerProcess> {
  const [command, args] = pinned(spec.cores, spec.command, spec.args);
  const started = performance.now();
  const child = spawn(command, args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs: string[] = [];
  let readyAt = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.name} did not start:\n${logs.slice(-20).join('\n')}`));
    }, spec.timeoutMs ?? 20_000);
    const onLine = (line: string) => {
      logs.push(line);
      const match = /listening.*?(127\.0\.0\.1):(\d+)/.exec(line);
      if (match && readyAt === 0) {
        readyAt = performance.now();
        clearTimeout(timer);
        resolve(`http://${match[1]}:${match[2]}`);
      }
    };
    eachLine(child.stdout!, onLine);
    eachLine(child.stderr!, onLine);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new ExitedEarly(spec.name, code, logs));
    });
  });
  const server = new ServerProcess(spec.name, child, url, readyAt - started, exit);
  server.logs.push(...logs);
  eachLine(child.stdout!, (line) => server.logs.push(line));
  eachLine(child.stderr!, (line) => server.logs.push(line));
  return server;
}

export class ExitedEarly extends Error {
  constructor(
    readonly processName: string,
    readonly code: number | null,
    readonly logs: string[],
  ) {
    super(`${processName} exited with ${code} before listening:\n${logs.slice(-20).join('\n')}`);
  }
}

/** Runs a process to completion and returns its output (for CLI calls). */
export function run(command: string, args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
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
