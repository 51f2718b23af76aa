/**
 * Part 4, beside login: POST /user/refresh throughput (issue #12), measured like the login row —
 * same connections, same pinning. Refresh tokens are off by default (SPEC §12), so this runs on an
 * instance of its own with ATS_AUTH_REFRESH_TTL set. Every exchange spends the token it presents
 * (reuse after the grace window ends the session), so wrk cannot replay one body: its Lua script
 * keeps a pool of live refresh tokens, one per connection, takes one for each request and puts
 * back the new one each answer hands out. wrk asks for a connection's next request only after its
 * answer was read, so a connection always finds the token its last answer returned.
 */
import type { BenchContext } from '../lib/context.js';
import { atsCli, atsInstance, removeInstance, startAts } from '../lib/ats.js';
import { fmt } from '../lib/report.js';
import { wrk, type WrkResult } from '../lib/wrk.js';

const USER = 'bench-refresh';
const PASSWORD = 'correct horse battery staple';
/** Refresh tokens live an hour: none expires during a run. */
const REFRESH_TTL_SECONDS = 3600;

/**
 * Takes a live token for each request, keeps the one each answer returns. wrk calls request() once
 * before any connection opens, to count the requests it returns (pipelining), and never sends that
 * one: it gets no token, or a connection would go without.
 */
function refreshLua(tokens: string[]): string {
  return `
local tokens = { ${tokens.map((t) => JSON.stringify(t)).join(', ')} }
local probed = false
request = function()
  if not probed then
    probed = true
    return wrk.format(nil, nil, nil, '{"refresh_token":""}')
  end
  local token = table.remove(tokens) or ""
  return wrk.format(nil, nil, nil, '{"refresh_token":"' .. token .. '"}')
end
response = function(status, headers, body)
  local token = string.match(body, '"refresh_token":"([%w_%-]+)"')
  if token ~= nil then table.insert(tokens, token) end
end
`;
}

export async function refreshRows(ctx: BenchContext, connections: number): Promise<{ rows: string[][]; notes: string[] }> {
  const instance = atsInstance({ ATS_AUTH_THROTTLE_USER_ADDRESS_LIMIT: '0', ATS_AUTH_REFRESH_TTL: String(REFRESH_TTL_SECONDS) });
  const runs: WrkResult[] = [];
  const cpuMs: number[] = [];
  try {
    await atsCli(instance, ['user', 'add', USER], `${PASSWORD}\n`);
    const server = await startAts(instance);
    try {
      const url = `${server.url}/user/refresh`;
      for (let rep = 0; rep < ctx.options.reps; rep++) {
        // One session per connection, each with its own refresh token (a few logins: well under the session cap).
        const tokens = await Promise.all(Array.from({ length: connections }, () => loginForRefreshToken(server.url)));
        const cpuBefore = server.cpuSeconds();
        // A POST with a JSON content type; the body is the script's, per request.
        runs.push(await wrk({ url, connections, body: '{}', lua: refreshLua(tokens), durationS: ctx.options.duration }));
        cpuMs.push(((server.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, runs.at(-1)!.requests));
        ctx.progress(`refresh: ${runs.at(-1)!.rps.toFixed(1)}/s, ${cpuMs.at(-1)!.toFixed(2)} ms CPU each`);
      }
    } finally {
      await server.stop();
    }
  } finally {
    removeInstance(instance);
  }
  const best = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return {
    rows: [[`POST /user/refresh, ${connections} connections`, best.rps.toFixed(1), fmt.ms(best.p50Ms), fmt.ms(best.p99Ms), fmt.ms(Math.min(...cpuMs))]],
    notes: [
      `POST /user/refresh runs on an instance of its own with ATS_AUTH_REFRESH_TTL=${REFRESH_TTL_SECONDS} (refresh tokens are off by default): ${connections} sessions are logged in first, and wrk's Lua script sends each connection's latest refresh token, keeping the new one from every answer (each exchange spends the token presented and stores the new pair); any non-2xx answer would fail the run.`,
    ],
  };
}

async function loginForRefreshToken(url: string): Promise<string> {
  const res = await fetch(`${url}/user/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USER, password: PASSWORD }),
  });
  const body = (await res.json()) as { refresh_token?: unknown };
  if (res.status !== 200 || typeof body.refresh_token !== 'string') throw new Error(`login for a refresh token got ${res.status}`);
  return body.refresh_token;
}
