/**
 * wrk (Debian's) as the load generator, pinned to the load core. A generated Lua script
 * prints the summary as one JSON line; non-2xx answers are counted so a run that measured
 * errors is never reported as throughput.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOAD_CORES, pinned } from './pinning.js';
import { run } from './proc.js';

export interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx/3xx answers plus socket errors. */
  errors: number;
}

export interface WrkRun {
  url: string;
  durationS: number;
  connections: number;
  headers?: Record<string, string>;
  /** A POST body (JSON); GET when absent. */
  body?: string;
  /** How many of the errors are expected (e.g. 401 on purpose); default none tolerated. */
  allowErrors?: boolean;
  /** Lua placed before the summary (after `body`'s settings): may define request() and response(). */
  lua?: string;
}

const REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"status":%d,"socket":%d,"p50":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

export async function wrk(spec: WrkRun): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ats-bench-wrk-'));
  try {
    let script = spec.lua === undefined ? REPORT : `${spec.lua}\n${REPORT}`;
    if (spec.body !== undefined) {
      script = `wrk.method = "POST"\nwrk.body = ${JSON.stringify(spec.body)}\nwrk.headers["Content-Type"] = "application/json"\n${script}`;
    }
    const file = join(dir, 'bench.lua');
    writeFileSync(file, script);
    const headerArgs = Object.entries(spec.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const [command, args] = pinned(LOAD_CORES, 'wrk', [
      '-t1',
      `-c${spec.connections}`,
      `-d${spec.durationS}s`,
      '--timeout',
      '5s',
      '-s',
      file,
      ...headerArgs,
      spec.url,
    ]);
    const out = await run(command, args, { PATH: process.env.PATH ?? '' });
    const line = out.stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
    if (out.code !== 0 || line === undefined) throw new Error(`wrk failed (${out.code}): ${out.stderr}${out.stdout}`);
    const raw = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, number>;
    const result: WrkResult = {
      requests: raw.requests!,
      rps: raw.requests! / (raw.duration_us! / 1e6),
      p50Ms: raw.p50! / 1000,
      p99Ms: raw.p99! / 1000,
      maxMs: raw.max! / 1000,
      errors: raw.status! + raw.socket!,
    };
    if (!spec.allowErrors && result.errors > 0) {
      throw new Error(`wrk saw ${result.errors} errors of ${result.requests} requests against ${spec.url}`);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
