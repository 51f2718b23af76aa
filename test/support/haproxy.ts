/**
 * Runs the real HAProxy (Debian's package) in the foreground as a private process with
 * examples/haproxy/haproxy.cfg, only its addresses and the Lua path replaced; no pid file, no
 * socket, no logs outside the temp dir, never the system's HAProxy.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilServing, type GatewayPorts, type RunningGateway } from './gateway.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/haproxy/', import.meta.url));
const HAPROXY = '/usr/sbin/haproxy';

export function templateExample(ports: GatewayPorts, listenPort: number): string {
  let text = readFileSync(join(EXAMPLE_DIR, 'haproxy.cfg'), 'utf8');
  const replacements: [string, string][] = [
    ['lua-load /etc/haproxy/ats-auth.lua', `lua-load ${join(EXAMPLE_DIR, 'ats-auth.lua')}`],
    ['http://127.0.0.1:8081/user/verify', `http://127.0.0.1:${ports.atsAuth}/user/verify`],
    ['server ats_auth 127.0.0.1:8081', `server ats_auth 127.0.0.1:${ports.atsAuth}`],
    ['server app 127.0.0.1:8080', `server app 127.0.0.1:${ports.app}`],
    ['bind :80', `bind 127.0.0.1:${listenPort}`],
  ];
  for (const [from, to] of replacements) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`examples/haproxy/haproxy.cfg: expected '${from}' once, found ${count}`);
    text = text.replace(from, to);
  }
  return text;
}

export async function startHaproxy(ports: GatewayPorts): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'ats-auth-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(cfg, templateExample(ports, port));
    const check = spawnSync(HAPROXY, ['-c', '-q', '-f', cfg], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy -c failed:\n${check.stdout}${check.stderr}`);
    // -db: foreground, no daemon, messages on stderr.
    const child = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    if (await waitUntilServing(url, exited)) {
      return {
        url,
        log: () => output,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGUSR1'); // soft stop
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    await exited;
    if (attempt >= 3 || !/cannot bind|Address already in use/i.test(output)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`haproxy did not start:\n${output}`);
    }
  }
}
