/**
 * Part — verify latency during a flood of bad logins (issue #16): every failed login is counted
 * in the throttle's table, and on SQLite that write runs on the event loop, so the flood must
 * not show up in verify's p99 (target ≤ 3 × idle). The flood is many guessers at once, as from
 * many addresses: the limits are off so every guess reaches the password check (hashed on the
 * thread pool, at the rate argon2id allows) and is counted; none is answered 429 early.
 */
import type { BenchContext } from '../lib/context.js';
import { atsCli, atsInstance, removeInstance, startAts } from '../lib/ats.js';
import { fmt, type PartResult } from '../lib/report.js';
import { forgeToken } from '../lib/tokens.js';
import { PROBE_CONNECTIONS, probeIdleThenBeside } from '../lib/verify-probe.js';
import type { WrkResult } from '../lib/wrk.js';

const USER = 'bench-flood';
/** Guesses in flight at once: twice libuv's default pool of 4, so hashing never waits for work. */
const FLOOD_CONNECTIONS = 8;
const LIMITS_OFF = {
  ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0',
  ATS_AUTH_THROTTLE_ADDRESS_LIMIT: '0',
  ATS_AUTH_THROTTLE_USER_LIMIT: '0',
  ATS_AUTH_THROTTLE_USER_CAP: '0',
};

export async function loginFloodPart(ctx: BenchContext): Promise<PartResult> {
  const duration = ctx.options.duration;
  const instance = atsInstance(LIMITS_OFF);
  const idle: WrkResult[] = [];
  const during: WrkResult[] = [];
  const floods: WrkResult[] = [];
  try {
    await atsCli(instance, ['user', 'add', USER], 'the right password\n');
    const token = forgeToken(USER).token;
    for (let rep = 0; rep < ctx.options.reps; rep++) {
      const server = await startAts(instance);
      try {
        const flood = {
          url: `${server.url}/user/login`,
          connections: FLOOD_CONNECTIONS,
          body: JSON.stringify({ username: USER, password: 'a wrong guess' }),
          allowErrors: true,
        };
        const runs = await probeIdleThenBeside(server.url, token, flood, duration);
        idle.push(runs.idle);
        during.push(runs.during);
        floods.push(runs.load);
        if (runs.load.errors !== runs.load.requests) throw new Error(`the flood got ${runs.load.requests - runs.load.errors} logins through`);
        ctx.progress(`verify p99 idle ${runs.idle.p99Ms} ms, during ${runs.load.rps.toFixed(0)} bad logins/s ${runs.during.p99Ms} ms`);
      } finally {
        await server.stop();
      }
    }
    const best = (runs: WrkResult[]) => runs.reduce((a, b) => (b.p99Ms < a.p99Ms ? b : a));
    const idleP99 = best(idle).p99Ms;
    const floodP99 = best(during).p99Ms;
    const attack = floods.reduce((a, b) => (b.rps > a.rps ? b : a));
    return {
      title: 'bad-login flood: verify latency during a flood of wrong passwords (SQLite)',
      headers: ['measure', 'per second', 'p50 ms', 'p99 ms'],
      rows: [
        [`verify, ${PROBE_CONNECTIONS} connections, idle`, fmt.rps(best(idle).rps), fmt.ms(best(idle).p50Ms), fmt.ms(idleP99)],
        [`POST /user/login with a wrong password, ${FLOOD_CONNECTIONS} connections (401)`, fmt.rps(attack.rps), fmt.ms(attack.p50Ms), fmt.ms(attack.p99Ms)],
        [`verify, ${PROBE_CONNECTIONS} connections, during the flood`, fmt.rps(best(during).rps), fmt.ms(best(during).p50Ms), fmt.ms(floodP99)],
      ],
      targets: [{ label: 'verify p99 flood ÷ idle', measured: floodP99 / idleP99, goal: '≤ 3.00', met: floodP99 / idleP99 <= 3 }],
      notes: [
        'Throttle limits off, so every guess is hashed (argon2id on the thread pool) and counted in login_failures; SQLite counts them on a connection with synchronous=NORMAL (no fsync per failure).',
        'Each attempt is a new HTTP request on a kept-alive connection; the server is pinned as in the other parts.',
      ],
    };
  } finally {
    removeInstance(instance);
  }
}
