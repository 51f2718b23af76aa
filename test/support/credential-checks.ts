/**
 * What every credential backend must give (issue #10, "Done when"): a login through it gets a
 * token that verify, logout and logout_all treat exactly like a builtin user's.
 */
import assert from 'node:assert/strict';
import { eventually } from './fresh-http.js';
import type { TestServer } from './server.js';

export async function assertTokenLifecycle(server: TestServer, username: string, password: string, subject: string): Promise<void> {
  const first = await server.login(username, password);
  const verified = await server.verify(first);
  assert.equal(verified.status, 200, 'the token verifies');
  assert.equal(verified.headers.get('x-auth-userid'), subject, 'the canonical name is the subject');

  assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${first}` } })).status, 204);
  assert.equal((await server.verify(first)).status, 401, 'logout revokes it');

  const second = await server.login(username, password);
  const third = await server.login(username, password);
  assert.equal((await server.post('/user/logout_all', { headers: { authorization: `Bearer ${second}` } })).status, 204);
  assert.equal((await server.verify(second)).status, 401, 'logout_all revokes every token of the subject');
  assert.equal((await server.verify(third)).status, 401, 'logout_all revokes every token of the subject');

  const fourth = await server.login(username, password);
  assert.equal((await server.verify(fourth)).status, 200, 'a login after logout_all works');
  const byHeader = await server.post('/user/logout_all', { headers: { 'x-auth-userid': subject } });
  assert.equal(byHeader.status, 204, 'logout_all by the trusted gateway header naming the subject');
  assert.equal((await server.verify(fourth)).status, 401);
}

/** POST /user/login with a JSON body; the raw response. */
export function loginRequest(server: TestServer, username: string, password: string): Promise<Response> {
  return server.post('/user/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

/** The audit lines of one event kind, parsed, once at least `atLeast` have arrived (logs reach the pipe a little later). */
export async function auditLines(server: TestServer, event: string, atLeast = 1): Promise<Record<string, unknown>[]> {
  const matching = () =>
    server.logs.filter((line) => line.includes(`"event":"${event}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);
  await eventually(`${atLeast} '${event}' audit line(s)`, async () => matching().length >= atLeast);
  return matching();
}

/** One sample of a Prometheus text exposition, or 0 when absent. */
export async function metricValue(server: TestServer, sample: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
