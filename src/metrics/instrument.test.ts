/** Login outcomes are classified by error code, so the throttle's 429 counts as 'throttled'. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidCredentials, StoreUnavailable, Throttled } from '../errors.js';
import type { Issued } from '../sessions/index.js';
import { instrumentLogin } from './instrument.js';
import { createMetrics } from './registry.js';

const client = { address: '127.0.0.1', userAgent: null };

async function loginOutcomes(failures: Error[]) {
  const metrics = createMetrics({ revokedTokenCount: () => 0, notBeforeCount: () => 0, feedLagMs: () => 0 });
  let call = 0;
  const login = instrumentLogin(async () => {
    const failure = failures[call++];
    if (failure) throw failure;
    return { token: 't', jti: 'j', sid: 's', subject: 'alice', issuedAtMs: 0, expiresAtMs: 1, refreshToken: undefined, expiresInSeconds: 1 } as Issued;
  }, metrics);
  for (let i = 0; i <= failures.length; i++) await login({ username: 'alice', password: 'pw' }, client).catch(() => {});
  const json = await metrics.registry.getSingleMetric('ats_auth_logins_total')!.get();
  const issued = (await metrics.registry.getSingleMetric('ats_auth_sessions_issued_total')!.get()).values[0]!.value;
  return { issued, ...Object.fromEntries(json.values.map((v) => [v.labels.outcome, v.value])) };
}

test('login outcomes: ok, bad_credentials, throttled, error', async () => {
  const counts = await loginOutcomes([new InvalidCredentials(), new Throttled(30), new StoreUnavailable(new Error('x')), new Throttled(1)]);
  assert.deepEqual(counts, { issued: 1, ok: 1, bad_credentials: 1, throttled: 2, error: 1 });
});
