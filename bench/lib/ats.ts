/** ats-auth itself under test: the real binary from dist/, its CLI, a temp data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_CORES } from './pinning.js';
import { launch, run, type ServerProcess } from './proc.js';
import { BENCH_SECRET, ISSUER, TTL_SECONDS } from './tokens.js';

export const BIN = fileURLToPath(new URL('../../bin/ats-auth.js', import.meta.url));

export interface AtsInstance {
  dataDir: string;
  env: Record<string, string>;
}

export function atsInstance(extraEnv: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'ats-bench-'))): AtsInstance {
  return {
    dataDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ATS_AUTH_DATA_DIR: dataDir,
      ATS_AUTH_JWT_SECRET: BENCH_SECRET,
      ATS_AUTH_ISSUER: ISSUER,
      ATS_AUTH_TOKEN_TTL: String(TTL_SECONDS),
      ATS_AUTH_HOST: '127.0.0.1',
      ATS_AUTH_PORT: '0',
      ATS_AUTH_LOG_LEVEL: 'info',
      ...extraEnv,
    },
  };
}

export function startAts(
  instance: AtsInstance,
  options: { args?: string[]; cores?: string; nodeFlags?: string[]; timeoutMs?: number; name?: string } = {},
): Promise<ServerProcess> {
  return launch({
    name: options.name ?? 'ats-auth',
    command: process.execPath,
    args: [...(options.nodeFlags ?? []), BIN, 'serve', ...(options.args ?? [])],
    env: instance.env,
    cores: options.cores ?? SERVER_CORES,
    timeoutMs: options.timeoutMs,
  });
}

export async function atsCli(instance: AtsInstance, args: string[], stdin = ''): Promise<string> {
  const out = await run(process.execPath, [BIN, ...args], instance.env, stdin);
  if (out.code !== 0) throw new Error(`ats-auth ${args.join(' ')} failed (${out.code}): ${out.stderr}`);
  return out.stdout;
}

export function removeInstance(instance: AtsInstance): void {
  rmSync(instance.dataDir, { recursive: true, force: true });
}

/** POST with an optional bearer token or gateway user; returns the status. */
export async function post(url: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<number> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}
