/**
 * Part 4 — login: throughput against the raw throughput of the same argon2id verify and
 * parameters on the same core (target ≥ 0.9), and verify p99 during a login storm against
 * idle (target ≤ 3, issue #15: hashing runs on low-priority threads and must not starve the event
 * loop), with login throughput during the storm reported beside it; refresh-token throughput
 * (issue #12, login-refresh.ts) and each credential backend (login-backends.ts) beside login.
 */
import { fileURLToPath } from 'node:url';
import type { BenchContext } from '../lib/context.js';
import { atsCli, atsInstance, removeInstance, startAts } from '../lib/ats.js';
import { pinned, SERVER_CORES } from '../lib/pinning.js';
import { run } from '../lib/proc.js';
import { fmt, type PartResult } from '../lib/report.js';
import { forgeToken } from '../lib/tokens.js';
import { PROBE_CONNECTIONS, probeIdleThenBeside } from '../lib/verify-probe.js';
import { wrk, type WrkResult } from '../lib/wrk.js';
import { backendRows } from './login-backends.js';
import { refreshRows } from './login-refresh.js';

const USER = 'bench-login';
const PASSWORD = 'correct horse battery staple';
/** In flight at once: twice libuv's default pool of 4, so the pool never waits for work. */
const LOGIN_CONNECTIONS = 8;

export async function loginPart(ctx: BenchContext): Promise<PartResult> {
  const duration = ctx.options.duration;
  const raws: number[] = [];
  const rawCpuMs: number[] = [];
  const logins: WrkResult[] = [];
  const loginCpuMs: number[] = [];
  const idle: WrkResult[] = [];
  const storm: WrkResult[] = [];
  const stormLogins: WrkResult[] = [];
  // One client address logs one user in from 8 connections at once: the throttle counts each
  // attempt until it succeeds, so a burst above its per-(user, address) limit would get 429.
  // Login cost, not throttling, is measured here.
  const instance = atsInstance({ ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0' });
  try {
    await atsCli(instance, ['user', 'add', USER], `${PASSWORD}\n`);
    const token = forgeToken(USER).token;
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      const raw = await rawArgon2(duration);
      raws.push(raw.opsPerSecond);
      rawCpuMs.push(raw.cpuMsPerOp);
      ctx.progress(`raw argon2id verify: ${raw.opsPerSecond.toFixed(1)}/s, ${raw.cpuMsPerOp.toFixed(1)} ms CPU each`);
      const server = await startAts(instance);
      try {
        const loginLoad = {
          url: `${server.url}/user/login`,
          connections: LOGIN_CONNECTIONS,
          body: JSON.stringify({ username: USER, password: PASSWORD }),
        };
        const check = await fetch(loginLoad.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: loginLoad.body });
        if (check.status !== 200) throw new Error(`login got ${check.status}`);
        const cpuBefore = server.cpuSeconds();
        logins.push(await wrk({ ...loginLoad, durationS: duration }));
        loginCpuMs.push(((server.cpuSeconds() - cpuBefore) * 1000) / logins.at(-1)!.requests);
        ctx.progress(`login: ${logins.at(-1)!.rps.toFixed(1)}/s, ${loginCpuMs.at(-1)!.toFixed(1)} ms CPU each`);
        const runs = await probeIdleThenBeside(server.url, token, loginLoad, duration);
        idle.push(runs.idle);
        storm.push(runs.during);
        stormLogins.push(runs.load);
        ctx.progress(`verify p99 idle ${runs.idle.p99Ms} ms, during the login storm ${runs.during.p99Ms} ms`);
      } finally {
        await server.stop();
      }
    }
    const raw = Math.max(...raws);
    const login = logins.reduce((a, b) => (b.rps > a.rps ? b : a));
    const idleP99 = Math.min(...idle.map((r) => r.p99Ms));
    const stormP99 = Math.min(...storm.map((r) => r.p99Ms));
    const best = (runs: WrkResult[]) => runs.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    const refresh = await refreshRows(ctx, LOGIN_CONNECTIONS);
    const backends = await backendRows(ctx, LOGIN_CONNECTIONS);
    return {
      title: 'login: throughput vs raw argon2id, and verify latency during a login storm',
      headers: ['measure', 'per second', 'p50 ms', 'p99 ms', 'CPU ms each'],
      rows: [
        ['raw argon2id verify (ARGON2_PARAMS), same core', raw.toFixed(1), '', '', Math.min(...rawCpuMs).toFixed(1)],
        [`POST /user/login, ${LOGIN_CONNECTIONS} connections`, login.rps.toFixed(1), fmt.ms(login.p50Ms), fmt.ms(login.p99Ms), Math.min(...loginCpuMs).toFixed(1)],
        ...refresh.rows,
        ...backends.rows,
        [`verify, ${PROBE_CONNECTIONS} connections, idle`, fmt.rps(best(idle).rps), fmt.ms(best(idle).p50Ms), fmt.ms(idleP99), ''],
        [`verify, ${PROBE_CONNECTIONS} connections, during the login storm`, fmt.rps(best(storm).rps), fmt.ms(best(storm).p50Ms), fmt.ms(stormP99), ''],
        [`POST /user/login during the storm (while verify runs flat out)`, Math.max(...stormLogins.map((r) => r.rps)).toFixed(1), '', '', ''],
      ],
      targets: [
        { label: 'login ÷ raw argon2id', measured: login.rps / raw, goal: '≥ 0.90', met: login.rps / raw >= 0.9 },
        { label: 'verify p99 storm ÷ idle', measured: stormP99 / idleP99, goal: '≤ 3.00', met: stormP99 / idleP99 <= 3 },
      ],
      notes: [
        `By CPU per operation (steadier on a shared machine): raw ÷ login = ${fmt.ratio(Math.min(...rawCpuMs) / Math.min(...loginCpuMs))}.`,
        `Server and the raw hashing process are pinned to the same core (${SERVER_CORES}), thread pool included; wrk runs on another.`,
        'ats-auth hashes on its own threads (ATS_AUTH_HASH_THREADS: the cores it may use less one, so 1 here) at nice +10 (ATS_AUTH_HASH_NICE); the raw process on libuv\'s pool of 4 at normal priority.',
        'Each login also signs a token and stores its session row (one fsync).',
        ...refresh.notes,
        ...backends.notes,
      ],
    };
  } finally {
    removeInstance(instance);
  }
}

async function rawArgon2(seconds: number): Promise<{ opsPerSecond: number; cpuMsPerOp: number }> {
  const script = fileURLToPath(new URL('../lib/argon2-raw.ts', import.meta.url));
  const [command, args] = pinned(SERVER_CORES, process.execPath, ['--import', 'tsx', script, String(seconds), String(LOGIN_CONNECTIONS)]);
  const out = await run(command, args, { PATH: process.env.PATH ?? '' });
  if (out.code !== 0) throw new Error(`raw argon2 run failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { opsPerSecond: number; cpuMsPerOp: number };
}
