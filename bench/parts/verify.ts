/**
 * Part 1 — verify throughput side by side: ats-auth against the ceiling (a), the ideal (b)
 * and the stacks users hand-roll (c), (d). Targets: ≥ 0.85 × (a), ≥ 0.9 × (b), ≥ 2 × max(c, d).
 */
import type { BenchContext } from '../lib/context.js';
import { atsContender, atsSessionContender, peerContender, sideBySide, verifySetup } from '../lib/contenders.js';
import { PEERS } from '../lib/peers.js';
import { profileVerify } from '../lib/profile.js';
import { fmt, type PartResult } from '../lib/report.js';

export async function verifyPart(ctx: BenchContext): Promise<PartResult> {
  const setup = await verifySetup();
  try {
    const contenders = [
      atsContender(setup.instance, setup.tokens),
      atsSessionContender(setup.instance, setup.tokens),
      ...(['bare', 'crypto', 'express', 'fastify'] as const).map((name) => peerContender(name, setup.tokens, setup.redisPrefix)),
    ];
    const best = await sideBySide(ctx, contenders, setup.tokens.good.token);
    const ats = best.get('ats')!;
    const rows = contenders.map((c) => {
      const r = best.get(c.name)!;
      return [c.label, fmt.rps(r.rps), fmt.ms(r.p50Ms), fmt.ms(r.p99Ms), fmt.ratio(ats.rps / r.rps), r.cpuUsPerRequest.toFixed(1), fmt.ratio(r.cpuUsPerRequest / ats.cpuUsPerRequest)];
    });
    const handRolled = Math.max(best.get('express')!.rps, best.get('fastify')!.rps);
    const vs = (name: 'bare' | 'crypto') => ats.rps / best.get(name)!.rps;
    const withSession = best.get('ats-session')!.rps / ats.rps;
    const notes = [
      `${ctx.options.connections} keep-alive connections, wrk -t1 pinned to another core than the server; best of ${ctx.options.reps} interleaved run(s) of ${ctx.options.duration} s each.`,
      'Server CPU µs/req is the server process\'s user+system CPU time over the timed run divided by the requests answered (least of the runs): it does not depend on how much of the shared machine the server got, so "by CPU" (capacity per core) is the steadier ratio. (c) and (d) do not count Redis\'s own CPU.',
      'ats-auth is timed twice: with a forged token without `sid` (the ratios above) and with the token a login hands out, whose `sid` makes each verify also check its session and note its last-seen time (SPEC §12).',
      `Every peer but (a) refused a tampered and a revoked token before it was timed; (c) and (d) ask Redis (MGET jti + user) on every request.`,
    ];
    if (ctx.options.profile) notes.push(...(await profileVerify(ctx, setup.instance, setup.tokens)));
    return {
      title: `verify: requests/s at ${ctx.options.connections} keep-alive connections`,
      headers: ['server', 'req/s', 'p50 ms', 'p99 ms', 'ats-auth ÷ this', 'server CPU µs/req', 'by CPU: ats-auth ÷ this'],
      rows,
      targets: [
        { label: `ats-auth ÷ ${PEERS.bare.label}`, measured: vs('bare'), goal: '≥ 0.85', met: vs('bare') >= 0.85 },
        { label: `ats-auth ÷ ${PEERS.crypto.label}`, measured: vs('crypto'), goal: '≥ 0.90', met: vs('crypto') >= 0.9 },
        { label: 'ats-auth: token of a login (sid) ÷ token without sid', measured: withSession, goal: '≥ 0.95', met: withSession >= 0.95 },
        { label: 'ats-auth ÷ max((c), (d))', measured: ats.rps / handRolled, goal: '≥ 2.00', met: ats.rps / handRolled >= 2 },
      ],
      notes,
    };
  } finally {
    await setup.close();
  }
}
