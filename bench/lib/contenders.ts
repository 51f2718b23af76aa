/**
 * The verify contenders side by side: ats-auth and the peers (a)–(d). Each is started, checked
 * (good token 200, bad and revoked 401), warmed up and timed; repetitions are interleaved so
 * the machine's noise spreads over all of them, and each contender's best run counts.
 */
import { randomBytes } from 'node:crypto';
import type { BenchContext } from './context.js';
import { atsCli, atsInstance, post, removeInstance, startAts, type AtsInstance } from './ats.js';
import { checkVerify } from './check.js';
import { PEERS, seedRedis, startPeer, type PeerName } from './peers.js';
import type { ServerProcess } from './proc.js';
import { forgeToken, tamper, type BenchToken } from './tokens.js';
import { wrk, type WrkResult } from './wrk.js';

/** 'ats', a peer's name, or any other distinct key (e.g. 'workers-2'). */
export type ContenderName = string;

export interface VerifyTokens {
  good: BenchToken;
  revoked: BenchToken;
  bad: string;
}

export function verifyTokens(sub = 'bench-user'): VerifyTokens {
  const good = forgeToken(sub);
  return { good, revoked: forgeToken(sub), bad: tamper(good.token) };
}

export interface Contender {
  name: ContenderName;
  label: string;
  start(): Promise<ServerProcess>;
  /** Puts the revoked token into the contender's revocation state; checks correctness. */
  check(server: ServerProcess): Promise<void>;
  /** The token to time with, when not the part's (known after check). */
  token?(): string;
}

export function atsContender(instance: AtsInstance, tokens: VerifyTokens, label = 'ats-auth', nodeFlags: string[] = []): Contender {
  return {
    name: 'ats',
    label,
    start: () => startAts(instance, { nodeFlags }),
    async check(server) {
      const status = await post(server.url, '/user/logout', { authorization: `Bearer ${tokens.revoked.token}` });
      if (status !== 204) throw new Error(`ats-auth: logout of the revoked token got ${status}`);
      await checkVerify(label, server.url, { good: tokens.good, bad: tokens.bad, revoked: tokens.revoked.token });
    },
  };
}

/**
 * ats-auth verifying what a login hands out: a token with a `sid`, so each verify also checks
 * the session and notes its last-seen time (SPEC §12), the work forged tokens without `sid` skip.
 */
export function atsSessionContender(instance: AtsInstance, tokens: VerifyTokens): Contender {
  const plain = atsContender(instance, tokens, 'ats-auth, token of a login (sid)');
  const user = 'bench-session';
  const password = randomBytes(12).toString('base64url');
  let token: string | undefined;
  return {
    ...plain,
    name: 'ats-session',
    async check(server) {
      await plain.check(server);
      if (token !== undefined) return;
      await atsCli(instance, ['user', 'add', user], `${password}\n`);
      const res = await fetch(`${server.url}/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user, password }),
      });
      if (res.status !== 200) throw new Error(`ats-auth: login for the session token got ${res.status}`);
      token = ((await res.json()) as { token: string }).token;
      if (!JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid) throw new Error('ats-auth: the login token has no sid');
      await checkVerify('ats-auth, token of a login', server.url, { good: { token, sub: user }, bad: tokens.bad, revoked: tokens.revoked.token });
    },
    token: () => token!,
  };
}

export function peerContender(name: PeerName, tokens: VerifyTokens, redisPrefix: string): Contender {
  return {
    name,
    label: PEERS[name].label,
    start: () => startPeer(name, tokens.revoked, redisPrefix),
    async check(server) {
      // (a) is the ceiling: it does no work, so there is nothing to refuse.
      if (PEERS[name].checked) await checkVerify(PEERS[name].label, server.url, { good: tokens.good, bad: tokens.bad, revoked: tokens.revoked.token });
    },
  };
}

/** Starts, checks, warms up and times one contender. */
export interface VerifyRun extends WrkResult {
  /** Server CPU time per answered request, in µs: the noise-robust measure on a shared machine. */
  cpuUsPerRequest: number;
  /** The server's resident-memory high-water mark after the timed run, in MiB. */
  peakMiB: number;
}

export async function timeVerify(ctx: BenchContext, contender: Contender, token: string, connections = ctx.options.connections): Promise<VerifyRun> {
  const server = await contender.start();
  try {
    await contender.check(server);
    const load = { url: `${server.url}/user/verify`, connections, headers: { authorization: `Bearer ${token}` } };
    await wrk({ ...load, durationS: ctx.options.smoke ? 1 : 2 });
    const cpuBefore = server.cpuSeconds();
    const timed = await wrk({ ...load, durationS: ctx.options.duration });
    const result = { ...timed, cpuUsPerRequest: ((server.cpuSeconds() - cpuBefore) * 1e6) / timed.requests, peakMiB: server.memory().peakMiB };
    ctx.progress(
      `${contender.label}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req`,
    );
    return result;
  } finally {
    await server.stop();
  }
}

/** Runs every contender `reps` times, interleaved; returns each one's best run by throughput. */
export async function sideBySide(ctx: BenchContext, contenders: Contender[], token: string): Promise<Map<ContenderName, VerifyRun>> {
  const best = new Map<ContenderName, VerifyRun>();
  for (let rep = 0; rep < ctx.options.reps; rep++) {
    // Alternate the order so no contender always runs right after the same neighbour.
    const order = rep % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of order) {
      const result = await timeVerify(ctx, contender, contender.token?.() ?? token);
      const known = best.get(contender.name);
      if (known === undefined) best.set(contender.name, result);
      // Noise only ever slows a run down: keep the best throughput and, separately, the least CPU per request.
      else best.set(contender.name, { ...(result.rps > known.rps ? result : known), cpuUsPerRequest: Math.min(known.cpuUsPerRequest, result.cpuUsPerRequest) });
    }
  }
  return best;
}

/** Everything part 1 needs, cleaned up by close(). */
export async function verifySetup(): Promise<{ instance: AtsInstance; tokens: VerifyTokens; redisPrefix: string; close(): Promise<void> }> {
  const tokens = verifyTokens();
  const redisPrefix = `ats-bench:${randomBytes(6).toString('hex')}:`;
  const redis = await seedRedis(redisPrefix, tokens.revoked);
  const instance = atsInstance();
  return {
    instance,
    tokens,
    redisPrefix,
    async close() {
      await redis.remove();
      removeInstance(instance);
    },
  };
}
