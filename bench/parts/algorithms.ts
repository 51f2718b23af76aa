/**
 * Part 6 — signing algorithms side by side (§11): verify requests/s (one token, so the
 * verified-token cache answers after the first check) and login requests/s (each login signs
 * a fresh token with the stored key) for HS256, EdDSA, ES256 and RS256, each on a fresh server.
 * Target: verify with EdDSA within 10 % of HS256.
 */
import type { BenchContext } from '../lib/context.js';
import { atsCli, atsInstance, removeInstance, startAts } from '../lib/ats.js';
import { fmt, type PartResult } from '../lib/report.js';
import { wrk, type WrkResult } from '../lib/wrk.js';

const ALGS = ['HS256', 'EdDSA', 'ES256', 'RS256'] as const;
type Alg = (typeof ALGS)[number];
const USER = 'bench-alg';
const PASSWORD = 'correct horse battery staple';
const LOGIN_CONNECTIONS = 8;

export async function algorithmsPart(ctx: BenchContext): Promise<PartResult> {
  const verify = new Map<Alg, WrkResult[]>(ALGS.map((a) => [a, []]));
  const login = new Map<Alg, WrkResult[]>(ALGS.map((a) => [a, []]));
  const instances = new Map(ALGS.map((alg) => [alg, atsInstance({ ATS_AUTH_JWT_ALG: alg, ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0' })]));
  try {
    for (const instance of instances.values()) await atsCli(instance, ['user', 'add', USER], `${PASSWORD}\n`);
    // Interleaved: each repetition runs every algorithm once, so a busy spell hurts all alike.
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      for (const alg of ALGS) {
        const server = await startAts(instances.get(alg)!);
        try {
          const body = JSON.stringify({ username: USER, password: PASSWORD });
          const res = await fetch(`${server.url}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          if (res.status !== 200) throw new Error(`${alg}: login got ${res.status}`);
          const { token } = (await res.json()) as { token: string };
          const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string };
          if (header.alg !== alg) throw new Error(`${alg}: the token is ${header.alg}`);
          const probe = { url: `${server.url}/user/verify`, headers: { authorization: `Bearer ${token}` } };
          await wrk({ ...probe, connections: ctx.options.connections, durationS: 1 });
          verify.get(alg)!.push(await wrk({ ...probe, connections: ctx.options.connections, durationS: ctx.options.duration }));
          login.get(alg)!.push(
            await wrk({ url: `${server.url}/user/login`, connections: LOGIN_CONNECTIONS, body, durationS: ctx.options.duration }),
          );
          ctx.progress(`${alg}: verify ${fmt.rps(verify.get(alg)!.at(-1)!.rps)}/s, login ${login.get(alg)!.at(-1)!.rps.toFixed(1)}/s`);
        } finally {
          await server.stop();
        }
      }
    }
    const best = (runs: WrkResult[]) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const hsVerify = best(verify.get('HS256')!).rps;
    const hsLogin = best(login.get('HS256')!).rps;
    const rows = ALGS.map((alg) => {
      const v = best(verify.get(alg)!);
      const l = best(login.get(alg)!);
      return [alg, fmt.rps(v.rps), fmt.ms(v.p99Ms), fmt.ratio(v.rps / hsVerify), l.rps.toFixed(1), fmt.ms(l.p99Ms), fmt.ratio(l.rps / hsLogin)];
    });
    const edRatio = best(verify.get('EdDSA')!).rps / hsVerify;
    return {
      title: 'signing algorithms: verify and login requests/s side by side',
      headers: ['ATS_AUTH_JWT_ALG', 'verify req/s', 'verify p99 ms', 'verify ÷ HS256', 'login req/s', 'login p99 ms', 'login ÷ HS256'],
      rows,
      targets: [{ label: 'verify EdDSA ÷ HS256', measured: edRatio, goal: '≥ 0.90', met: edRatio >= 0.9 }],
      notes: [
        `verify: ${ctx.options.connections} keep-alive connections, one token (the verified-token cache answers after its first check); login: ${LOGIN_CONNECTIONS} connections, one user, argon2id per request.`,
        `Best of ${ctx.options.reps} interleaved run(s) of ${ctx.options.duration} s per algorithm, each on a fresh server with its own store.`,
      ],
    };
  } finally {
    for (const instance of instances.values()) removeInstance(instance);
  }
}
