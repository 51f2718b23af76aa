/**
 * Runs the real nginx (Debian's package) as a private process: its own main config, pid, logs
 * and temp paths under a temp dir, an unprivileged loopback port, never the system's nginx.
 * The server config is examples/nginx/ats-auth.conf with only ports replaced, so the shipped
 * example is what the tests prove.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilServing, type GatewayPorts, type RunningGateway } from './gateway.js';

export const NGINX_EXAMPLE = fileURLToPath(new URL('../../examples/nginx/ats-auth.conf', import.meta.url));
const NGINX = '/usr/sbin/nginx';

export const NGINX_WEB_APP_EXAMPLE = fileURLToPath(new URL('../../examples/nginx/web-app.conf', import.meta.url));

/** The example with its ports replaced; each replaced text must occur exactly once. */
export function templateExample(ports: GatewayPorts, listenPort: number, example = NGINX_EXAMPLE): string {
  let text = readFileSync(example, 'utf8');
  const replacements: [string, string][] = [
    ['server 127.0.0.1:8081;', `server 127.0.0.1:${ports.atsAuth};`],
    ['server 127.0.0.1:8080;', `server 127.0.0.1:${ports.app};`],
    ['listen 80;', `listen 127.0.0.1:${listenPort};`],
  ];
  for (const [from, to] of replacements) {
    const count = text.split(from).length - 1;
    if (count !== 1) throw new Error(`${example}: expected '${from}' once, found ${count}`);
    text = text.replace(from, to);
  }
  return text;
}

function mainConfig(dir: string): string {
  return `# test scaffolding only: process, paths and logs; the server block is the example
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 128; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/ats-auth.conf;
}
`;
}

/** `listenPort` fixes the port (the caller needed it earlier); otherwise a free one is probed. */
export async function startNginx(
  ports: GatewayPorts,
  options: { example?: string; listenPort?: number } = {},
): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'ats-auth-nginx-'));
  // As root, nginx's workers run as nobody and must reach the temp paths.
  chmodSync(dir, 0o755);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, mainConfig(dir));
  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  // Another process may take the probed port before nginx binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = options.listenPort ?? (await freePort());
    writeFileSync(join(dir, 'ats-auth.conf'), templateExample(ports, port, options.example));
    const check = spawnSync(NGINX, ['-t', '-q', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);
    const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `http://127.0.0.1:${port}`;
    if (await waitUntilServing(url, exited)) {
      return {
        url,
        log: errorLog,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    await exited;
    if (attempt >= 3 || options.listenPort !== undefined || !/Address already in use/.test(stderr + errorLog())) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start:\n${stderr}\n${errorLog()}`);
    }
  }
}
