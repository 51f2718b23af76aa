/** GET /metrics: a real scrape moves with the traffic the test sends. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { STORES, storeEnv, type StoreHandle } from './support/stores.js';
import { removeDir, startServer, type TestServer } from './support/server.js';

type Samples = Map<string, number>;

/** Prometheus text → "name{labels}" → value. */
async function scrape(url: string): Promise<Samples> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const samples: Samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const delta = (before: Samples, after: Samples, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

for (const kind of STORES) {
  describe(`metrics (${kind})`, () => {
    let store: StoreHandle;
    let server: TestServer;
    before(async () => {
      store = await storeEnv(kind);
      server = await startServer({ env: store.env });
      await server.addUser('alice', 'correct horse battery');
    });
    after(async () => {
      await server.stop();
      removeDir(server.dataDir);
      await store.drop();
    });

    test('counters, gauges and histograms follow logins, verifies and logouts', async () => {
      const start = await scrape(`${server.url}/metrics`);
      // Every outcome is exported from the start, so rate() works before the first event.
      for (const outcome of ['ok', 'bad_credentials', 'throttled', 'error']) {
        assert.ok(start.has(`ats_auth_logins_total{outcome="${outcome}"}`), outcome);
      }

      const token = await server.login('alice', 'correct horse battery');
      const second = await server.login('alice', 'correct horse battery');
      const bad = await server.post('/user/login', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'wrong password' }),
      });
      assert.equal(bad.status, 401);
      for (let i = 0; i < 3; i++) assert.equal((await server.verify(token)).status, 200);
      assert.equal((await server.verify(undefined)).status, 401);
      assert.equal((await server.verify('not.a.jwt')).status, 401);
      assert.equal((await fetch(`${server.url}/user/verify?raw=url`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.equal((await server.post('/user/logout', { headers: { authorization: `Bearer ${token}` } })).status, 204);
      assert.equal((await server.verify(token)).status, 401);
      // Logout of a token with a sid ends its session (SPEC §12): one ended session, no jti entry.
      const afterLogout = await scrape(`${server.url}/metrics`);
      assert.equal(afterLogout.get('ats_auth_revoked_tokens'), 0);
      assert.equal(afterLogout.get('ats_auth_ended_sessions'), 1);
      assert.equal((await server.post('/user/logout_all', { headers: { authorization: `Bearer ${second}` } })).status, 204);
      assert.equal((await fetch(`${server.url}/no/such/path/12345`)).status, 404);

      const end = await scrape(`${server.url}/metrics`);
      const d = (key: string) => delta(start, end, key);
      assert.equal(d('ats_auth_logins_total{outcome="ok"}'), 2);
      assert.equal(d('ats_auth_logins_total{outcome="bad_credentials"}'), 1);
      assert.equal(d('ats_auth_logins_total{outcome="error"}'), 0);
      assert.equal(d('ats_auth_sessions_issued_total'), 2);
      assert.equal(d('ats_auth_verifies_total{outcome="ok"}'), 4);
      assert.equal(d('ats_auth_verifies_total{outcome="invalid"}'), 2);
      assert.equal(d('ats_auth_verifies_total{outcome="revoked"}'), 1);
      assert.equal(d('ats_auth_logouts_total'), 1);
      assert.equal(d('ats_auth_logout_alls_total'), 1);
      // logout_all's not-before covers the ended session, so the state keeps only the not-before.
      assert.equal(end.get('ats_auth_revoked_tokens'), 0);
      assert.equal(end.get('ats_auth_ended_sessions'), 0);
      assert.equal(end.get('ats_auth_not_before_entries'), 1);
      const lag = end.get('ats_auth_feed_lag_seconds');
      assert.ok(lag !== undefined && lag >= 0 && lag < 5, `feed lag ${lag}`);

      // Durations by route pattern: the query string and unknown paths never become labels.
      assert.equal(d('ats_auth_http_request_duration_seconds_count{route="/user/verify",status_code="200"}'), 4);
      assert.equal(d('ats_auth_http_request_duration_seconds_count{route="/user/verify",status_code="401"}'), 3);
      assert.equal(d('ats_auth_http_request_duration_seconds_count{route="/user/login",status_code="200"}'), 2);
      assert.equal(d('ats_auth_http_request_duration_seconds_count{route="unmatched",status_code="404"}'), 1);
      assert.ok(![...end.keys()].some((key) => key.includes('raw=url') || key.includes('12345')));

      // The default process metrics.
      assert.ok(end.has('process_cpu_user_seconds_total'));
      assert.ok(end.has('nodejs_heap_size_used_bytes'));
    });
  });
}

describe('metrics on a port of their own (ATS_AUTH_METRICS_PORT)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ env: { ATS_AUTH_METRICS_PORT: '0' } });
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  test('served there and not on the main port', async () => {
    const line = server.logs.find((l) => l.includes('ats-auth listening'))!;
    const metricsAddress = (JSON.parse(line) as { metricsAddress: string[] }).metricsAddress[0]!;
    assert.notEqual(metricsAddress, new URL(server.url).host);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
    assert.equal((await server.verify(undefined)).status, 401);
    const samples = await scrape(`http://${metricsAddress}/metrics`);
    assert.equal(samples.get('ats_auth_verifies_total{outcome="invalid"}'), 1);
  });
});
