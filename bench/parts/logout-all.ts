/**
 * Part 3 — logout_all cost for users holding 1, 1,000 and 100,000 tokens (session rows): it
 * writes one not-before row whatever the count, so it must be flat (slowest/fastest ≤ 2).
 * Calls alternate between the users so the machine's noise hits all of them alike.
 */
import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../lib/context.js';
import { atsInstance, post, removeInstance, startAts } from '../lib/ats.js';
import { fmt, type PartResult } from '../lib/report.js';
import { insertSessions, seedSqlite } from '../lib/sqlite-seed.js';
import { percentile } from '../lib/stats.js';
import { forgeToken, TTL_SECONDS } from '../lib/tokens.js';

export async function logoutAllPart(ctx: BenchContext): Promise<PartResult> {
  const sizes = ctx.options.smoke ? [1, 100, 1_000] : [1, 1_000, 100_000];
  const calls = ctx.options.smoke ? 20 : 200;
  const instance = atsInstance();
  const issuedAtMs = Date.now() - 60_000;
  const user = (size: number) => `holder-of-${size}`;
  try {
    await seedSqlite(instance, (db) => {
      for (const size of sizes) insertSessions(db, user(size), size, issuedAtMs, issuedAtMs + TTL_SECONDS * 1000);
    });
    const server = await startAts(instance, { timeoutMs: 60_000 });
    const latencies = new Map<number, number[]>(sizes.map((s) => [s, []]));
    try {
      // A token of the biggest holder, issued before the calls, must be refused after them.
      const before = forgeToken(user(sizes.at(-1)!), Math.floor(issuedAtMs / 1000));
      for (let i = 0; i < calls; i++) {
        for (const size of i % 2 === 0 ? sizes : [...sizes].reverse()) {
          const started = performance.now();
          // Loopback is a trusted gateway by default, so X-Auth-UserId names the user.
          const status = await post(server.url, '/user/logout_all', { 'x-auth-userid': user(size) });
          latencies.get(size)!.push(performance.now() - started);
          if (status !== 204) throw new Error(`logout_all for ${user(size)} got ${status}`);
        }
      }
      const res = await fetch(`${server.url}/user/verify`, { headers: { authorization: `Bearer ${before.token}` } });
      if (res.status !== 401) throw new Error(`a token issued before logout_all got ${res.status}, not 401`);
    } finally {
      await server.stop();
    }
    const p50s = sizes.map((s) => percentile(latencies.get(s)!, 50));
    const flatness = Math.max(...p50s) / Math.min(...p50s);
    ctx.progress(`logout_all p50 by tokens held: ${sizes.map((s, i) => `${s}: ${p50s[i]!.toFixed(2)} ms`).join(', ')}`);
    return {
      title: 'logout_all: latency by the number of tokens the user holds',
      headers: ['tokens held (session rows)', 'calls', 'p50 ms', 'p99 ms', 'mean ms'],
      rows: sizes.map((s) => {
        const l = latencies.get(s)!;
        return [s.toLocaleString('en-US'), String(l.length), fmt.ms(percentile(l, 50)), fmt.ms(percentile(l, 99)), fmt.ms(l.reduce((a, b) => a + b, 0) / l.length)];
      }),
      targets: [{ label: 'slowest p50 ÷ fastest p50', measured: flatness, goal: '≤ 2.00', met: flatness <= 2 }],
      notes: [
        'Sequential calls over keep-alive, alternating users; each call stores one durable not-before row (synchronous=FULL, so an fsync dominates).',
      ],
    };
  } finally {
    removeInstance(instance);
  }
}
