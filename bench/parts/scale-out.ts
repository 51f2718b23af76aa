/**
 * Part 5 — scale-out: verify throughput with `serve --workers 2` against 1, and revocation
 * propagation between two instances sharing PostgreSQL (p50/p99 over ≥ 1,000 revocations,
 * target p99 ≤ 100 ms). Each half detects whether ats-auth has the feature yet and reports
 * "skipped" with the reason when it does not.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../lib/context.js';
import { atsInstance, post, removeInstance, startAts, type AtsInstance } from '../lib/ats.js';
import { checkVerify } from '../lib/check.js';
import { sideBySide, verifyTokens, type Contender, type VerifyTokens } from '../lib/contenders.js';
import { ALL_CORES } from '../lib/pinning.js';
import { ExitedEarly, run, type ServerProcess } from '../lib/proc.js';
import { fmt, type PartResult } from '../lib/report.js';
import { percentile } from '../lib/stats.js';
import { forgeToken } from '../lib/tokens.js';

/** The PostgreSQL server the propagation half creates its throw-away database on. */
const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export async function scaleOutParts(ctx: BenchContext): Promise<PartResult[]> {
  return [await workersPart(ctx), await propagationPart(ctx)];
}

async function workersPart(ctx: BenchContext): Promise<PartResult> {
  const title = 'scale-out: verify with serve --workers 2 vs 1';
  const instance = atsInstance();
  try {
    const missing = await featureMissing(() => startAts(instance, { args: ['--workers', '2'], cores: ALL_CORES }));
    if (missing) return skipped(title, `needs --workers (${missing})`);
    const tokens = verifyTokens();
    const contenders = [1, 2].map((n) => workersContender(instance, tokens, n));
    const best = await sideBySide(ctx, contenders, tokens.good.token);
    const [one, two] = [best.get('workers-1')!, best.get('workers-2')!];
    return {
      title,
      headers: ['server', 'req/s', 'p50 ms', 'p99 ms'],
      rows: [
        ['ats-auth serve --workers 1', fmt.rps(one.rps), fmt.ms(one.p50Ms), fmt.ms(one.p99Ms)],
        ['ats-auth serve --workers 2', fmt.rps(two.rps), fmt.ms(two.p50Ms), fmt.ms(two.p99Ms)],
      ],
      targets: [{ label: 'req/s --workers 2 ÷ --workers 1', measured: two.rps / one.rps, goal: 'report (> 1)', met: two.rps > one.rps }],
      notes: [`Both pinned to cores ${ALL_CORES}; wrk shares the last of them, so on a 2-core machine the second worker competes with the load generator.`],
    };
  } finally {
    removeInstance(instance);
  }
}

function workersContender(instance: AtsInstance, tokens: VerifyTokens, workers: number): Contender {
  return {
    name: `workers-${workers}`,
    label: `ats-auth --workers ${workers}`,
    async start() {
      const server = await startAts(instance, { args: ['--workers', String(workers)], cores: ALL_CORES });
      await sleep(1000); // the first worker's log line comes before the others listen
      return server;
    },
    async check(server) {
      const status = await post(server.url, '/user/logout', { authorization: `Bearer ${tokens.revoked.token}` });
      if (status !== 204) throw new Error(`logout of the revoked token got ${status}`);
      await sleep(500); // other workers learn it through the feed
      for (let i = 0; i < 4; i++) await checkVerify(`--workers ${workers}`, server.url, { good: tokens.good, bad: tokens.bad, revoked: tokens.revoked.token });
    },
  };
}

async function propagationPart(ctx: BenchContext): Promise<PartResult> {
  const title = 'scale-out: revocation propagation between two instances on PostgreSQL';
  const database = `ats_bench_${randomBytes(4).toString('hex')}`;
  const created = await run('psql', [`${PG_BASE}/postgres`, '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${database}`], { PATH: process.env.PATH ?? '' });
  if (created.code !== 0) return skipped(title, `cannot create a PostgreSQL database at ${PG_BASE}: ${created.stderr.trim()}`);
  const env = { ATS_AUTH_DATABASE_URL: `${PG_BASE}/${database}` };
  const a = atsInstance(env);
  const b = atsInstance(env);
  const servers: ServerProcess[] = [];
  try {
    const missing = await featureMissing(async () => {
      const server = await startAts(a, { cores: ALL_CORES, name: 'ats-auth A' });
      servers.push(server);
      return server;
    }, true);
    if (missing) return skipped(title, `needs PostgreSQL support (${missing})`);
    servers.push(await startAts(b, { cores: ALL_CORES, name: 'ats-auth B' }));
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const count = ctx.options.smoke ? 20 : 1000;
    const delays: number[] = [];
    let lost = 0;
    for (let i = 0; i < count; i++) {
      const token = forgeToken('propagation-user').token;
      const auth = { authorization: `Bearer ${token}` };
      if ((await verifyStatus(second.url, auth)) !== 200) throw new Error('instance B refused a fresh token');
      const status = await post(first.url, '/user/logout', auth);
      const revokedAt = performance.now();
      if (status !== 204) throw new Error(`logout on A got ${status}`);
      let delay = Infinity;
      while (performance.now() - revokedAt < 5000) {
        if ((await verifyStatus(second.url, auth)) === 401) {
          delay = performance.now() - revokedAt;
          break;
        }
      }
      if (delay === Infinity) lost++;
      delays.push(delay);
    }
    const p99 = percentile(delays, 99);
    ctx.progress(`propagation p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${count}`);
    return {
      title,
      headers: ['revocations', 'p50 ms', 'p99 ms', 'max ms', 'not seen within 5 s'],
      rows: [[String(count), fmt.ms(percentile(delays, 50)), fmt.ms(p99), fmt.ms(Math.max(...delays)), String(lost)]],
      targets: [{ label: 'propagation p99', measured: p99, goal: '≤ 100 ms', met: p99 <= 100, unit: 'ms' }],
      notes: ['Delay from instance A answering 204 to logout until instance B first answers 401 for that token (B polled back to back).'],
    };
  } finally {
    for (const server of servers) await server.stop();
    removeInstance(a);
    removeInstance(b);
    await run('psql', [`${PG_BASE}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`], { PATH: process.env.PATH ?? '' });
  }
}

/**
 * Starts a server to see whether a feature exists: undefined when it runs (it is stopped
 * unless `keep`), else the one-line reason ats-auth gave when it exited.
 */
async function featureMissing(start: () => Promise<ServerProcess>, keep = false): Promise<string | undefined> {
  try {
    const server = await start();
    if (!keep) await server.stop();
    return undefined;
  } catch (error) {
    if (!(error instanceof ExitedEarly)) throw error;
    const said = error.logs.filter((l) => l.trim() !== '').at(-1) ?? '';
    return `ats-auth exited with ${error.code}: ${said.trim()}`;
  }
}

async function verifyStatus(url: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${url}/user/verify`, { headers });
  await res.arrayBuffer();
  return res.status;
}

function skipped(title: string, reason: string): PartResult {
  return { title, headers: [], rows: [], targets: [], notes: [], skipped: reason };
}
