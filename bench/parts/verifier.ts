/**
 * Part — the `ats-auth/verifier` package (SPEC §14): in-process verifications per second against
 * jose.jwtVerify with the same key (goal ≥ 1 ×, thanks to the verified-token cache) and against
 * asking /user/verify over HTTP; propagation from a logout on instance A to refusal in a process
 * following instance B (PostgreSQL, as SPEC §3's bound); resident memory of a consumer holding
 * 1 M revocations (goal ≤ 150 MB).
 */
import { spawn } from 'node:child_process';
import { request, Agent } from 'node:http';
import { jwtVerify } from 'jose';
import { createVerifier, TokenInvalid, type Verifier } from 'ats-auth/verifier';
import { storeEnv } from '../../test/support/stores.js';
import { atsInstance, removeInstance, startAts, type AtsInstance } from '../lib/ats.js';
import type { ServerProcess } from '../lib/proc.js';
import type { BenchContext } from '../lib/context.js';
import { fmt, type PartResult } from '../lib/report.js';
import { insertTokenRevocations, seedSqlite } from '../lib/sqlite-seed.js';
import { BENCH_SECRET, forgeToken } from '../lib/tokens.js';

export async function verifierPart(ctx: BenchContext): Promise<PartResult> {
  const smoke = ctx.options.smoke;
  const seconds = Math.min(ctx.options.duration, 5);
  const db = await storeEnv('postgres');
  const instances: AtsInstance[] = [atsInstance(db.env), atsInstance(db.env)];
  const servers: ServerProcess[] = [];
  let verifier: Verifier | undefined;
  try {
    for (const instance of instances) servers.push(await startAts(instance, { timeoutMs: 60_000, name: `ats-auth ${servers.length ? 'B' : 'A'}` }));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    verifier = createVerifier({ url: b.url, secret: BENCH_SECRET });
    await verifier.ready();

    ctx.progress('verifier: in-process throughput');
    const token = forgeToken('bench').token;
    const v = verifier;
    const inProcess = await perSecond(seconds, async () => {
      for (let i = 0; i < 1000; i++) v.verify(token);
      return 1000;
    });
    const key = new TextEncoder().encode(BENCH_SECRET);
    const jose = await perSecond(seconds, async () => {
      for (let i = 0; i < 100; i++) await jwtVerify(token, key, { issuer: 'ats.auth', algorithms: ['HS256'] });
      return 100;
    });
    ctx.progress('verifier: /user/verify over HTTP (32 in flight, keep-alive)');
    const http = await httpVerifyPerSecond(b.url, token, seconds, 32);

    ctx.progress('verifier: propagation');
    const delays: number[] = [];
    for (let i = 0; i < (smoke ? 20 : 200); i++) {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      const revoked = forgeToken(`p${i}`).token;
      v.verify(revoked);
      const res = await fetch(`${a.url}/user/logout`, { method: 'POST', headers: { authorization: `Bearer ${revoked}` } });
      if (res.status !== 204) throw new Error(`logout answered ${res.status}`);
      const answered = performance.now();
      for (;;) {
        try {
          v.verify(revoked);
        } catch (error) {
          if (error instanceof TokenInvalid) break;
          throw error;
        }
        if (performance.now() - answered > 5000) throw new Error('not refused within 5 s');
        await new Promise((r) => setImmediate(r));
      }
      delays.push(performance.now() - answered);
    }
    delays.sort((x, y) => x - y);
    const pct = (p: number) => delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)]!;

    const count = smoke ? 100_000 : 1_000_000;
    ctx.progress(`verifier: memory of a consumer holding ${count.toLocaleString('en-US')} revocations`);
    const memory = await consumerMemory(count);

    const perMillion = (memory.rssMiB - memory.baselineMiB) * (1_000_000 / count);
    return {
      title: 'verifier: in-process verification (ats-auth/verifier)',
      headers: ['measure', 'value'],
      rows: [
        ['verifier.verify(), verifications/s', fmt.rps(inProcess)],
        ['jose.jwtVerify (same key and token), verifications/s', fmt.rps(jose)],
        ['GET /user/verify over HTTP from Node (32 in flight), verifications/s', fmt.rps(http)],
        [`propagation logout on A → refused in a process following B (PostgreSQL), ${delays.length} tries: p50 / p99 ms`, `${fmt.ms(pct(50))} / ${fmt.ms(pct(99))}`],
        [`consumer holding ${count.toLocaleString('en-US')} revocations: RSS / growth / heap used, MiB`, `${fmt.mib(memory.rssMiB)} / ${fmt.mib(memory.rssMiB - memory.baselineMiB)} / ${fmt.mib(memory.heapMiB)}`],
        ['time for that consumer to load the state, ms', fmt.rps(memory.loadMs)],
      ],
      targets: [
        { label: 'verifier ÷ jose.jwtVerify', measured: inProcess / jose, goal: '≥ 1.00', met: inProcess >= jose },
        { label: 'propagation p99', measured: pct(99), goal: '≤ 100 ms', met: pct(99) <= 100, unit: 'ms' },
        { label: 'consumer RSS growth per 1 M revocations', measured: perMillion, goal: '≤ 150 MB', met: perMillion <= 150, unit: 'MiB' },
      ],
      notes: [
        'The verifier remembers tokens it has verified (exact text, bounded), as /user/verify does; lifetime and revocation are checked on every call. jose.jwtVerify checks the HMAC every time.',
        'The HTTP figure is what a Node service pays per request when it asks the service instead (a single client process, so it is bounded by the client as much as by ats-auth).',
        'Memory is the consumer process\'s resident set after loading the state and a full GC, the growth over its RSS before creating the verifier; scaled to 1 M when fewer were loaded (smoke).',
        'The machine is shared with other busy work (other helpers\' builds and tests): absolute figures vary from run to run; the ratios are steadier.',
      ],
    };
  } finally {
    await verifier?.close();
    await Promise.all(servers.map((s) => s.stop()));
    for (const instance of instances) removeInstance(instance);
    await db.drop();
  }
}

/**
 * Calls `round` (which returns how many operations it did) for `seconds`; operations per second.
 * Yields to the event loop between rounds, as a server does between requests: the verifier reads
 * its stream there (a loop that never yields starves it, and it then fails closed, as it should).
 */
async function perSecond(seconds: number, round: () => Promise<number>): Promise<number> {
  const tick = () => new Promise((r) => setImmediate(r));
  const warm = performance.now() + 300;
  while (performance.now() < warm) {
    await round();
    await tick();
  }
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    done += await round();
    await tick();
  }
  return done / ((performance.now() - start) / 1000);
}

async function httpVerifyPerSecond(url: string, token: string, seconds: number, inFlight: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  const { hostname, port } = new URL(url);
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ hostname, port, path: '/user/verify', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`verify answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        await once();
        done++;
      }
    }),
  );
  agent.destroy();
  return done / ((performance.now() - start) / 1000);
}

/** Starts ats-auth on SQLite seeded with `count` revocations and a consumer process that loads them. */
async function consumerMemory(count: number): Promise<{ baselineMiB: number; rssMiB: number; heapMiB: number; loadMs: number }> {
  const instance = atsInstance();
  try {
    const expiresAtMs = Date.now() + 3_600_000;
    await seedSqlite(instance, (db) => insertTokenRevocations(db, count, (i) => forgeToken('x').jti.slice(0, 12) + i.toString(36), () => expiresAtMs));
    const server = await startAts(instance, { timeoutMs: 120_000 });
    try {
      const script = `
        import { createVerifier } from 'ats-auth/verifier';
        const mib = (n) => n / 1048576;
        global.gc(); const baseline = process.memoryUsage().rss;
        const started = performance.now();
        const v = createVerifier({ url: process.env.URL, secret: process.env.SECRET, staleMs: 60000 });
        await v.ready();
        const loadMs = performance.now() - started;
        for (let i = 0; i < 3; i++) { global.gc(); await new Promise((r) => setTimeout(r, 100)); }
        const m = process.memoryUsage();
        console.log(JSON.stringify({ baselineMiB: mib(baseline), rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), loadMs, held: v.status().revokedTokens }));
        await v.close();`;
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
          env: { ...process.env, URL: server.url, SECRET: BENCH_SECRET },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d));
        child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`consumer exited with ${code}`))));
      });
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as { baselineMiB: number; rssMiB: number; heapMiB: number; loadMs: number; held: number };
      if (result.held !== count) throw new Error(`the consumer holds ${result.held} revocations, not ${count}`);
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    removeInstance(instance);
  }
}
