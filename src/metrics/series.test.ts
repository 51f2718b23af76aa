/** The hot-path series writers export exactly what prom-client's own inc() and observe() would. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { counterSeries, histogramSeries } from './series.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const VALUES = [0, 0.0001, 0.0005, 0.0007, 0.003, 0.05, 1, 4.99, 5, 7, 100];

function pair() {
  const reference = new Registry();
  const fast = new Registry();
  const histogram = (registry: Registry) =>
    new Histogram({ name: 'd', help: 'h', labelNames: ['route', 'status_code'], buckets: BUCKETS, registers: [registry] });
  const counter = (registry: Registry) => new Counter({ name: 'c', help: 'h', labelNames: ['outcome'], registers: [registry] });
  return {
    reference: { registry: reference, histogram: histogram(reference), counter: counter(reference) },
    fast: { registry: fast, histogram: histogram(fast), counter: counter(fast) },
  };
}

test('histogram series: same buckets, sum and count as observe(); unobserved pairs are not exported', async () => {
  const { reference, fast } = pair();
  const verify = histogramSeries(fast.histogram, { route: '/user/verify', status_code: '200' });
  const login = histogramSeries(fast.histogram, { route: '/user/login', status_code: '401' });
  histogramSeries(fast.histogram, { route: '/never', status_code: '200' });
  for (const value of VALUES) {
    reference.histogram.labels('/user/verify', '200').observe(value);
    verify.observe(value);
  }
  reference.histogram.labels('/user/login', '401').observe(0.2);
  login.observe(0.2);
  assert.equal(await fast.registry.metrics(), await reference.registry.metrics());
  assert.doesNotMatch(await fast.registry.metrics(), /never/);
  assert.throws(() => verify.observe(Number.NaN), TypeError);
});

test('histogram series: observations after reset() start again from zero, as observe() does', async () => {
  const { reference, fast } = pair();
  const verify = histogramSeries(fast.histogram, { route: '/user/verify', status_code: '200' });
  verify.observe(0.3);
  reference.histogram.labels('/user/verify', '200').observe(0.3);
  reference.histogram.reset();
  fast.histogram.reset();
  verify.observe(0.002);
  reference.histogram.labels('/user/verify', '200').observe(0.002);
  assert.equal(await fast.registry.metrics(), await reference.registry.metrics());
});

test('counter series: exported at 0 from the start, one per inc(), again after reset()', async () => {
  const { reference, fast } = pair();
  const ok = counterSeries(fast.counter, { outcome: 'ok' });
  counterSeries(fast.counter, { outcome: 'invalid' });
  reference.counter.labels('ok').inc(0);
  reference.counter.labels('invalid').inc(0);
  assert.equal(await fast.registry.metrics(), await reference.registry.metrics());
  for (let i = 0; i < 3; i++) {
    ok.inc();
    reference.counter.labels('ok').inc();
  }
  assert.equal(await fast.registry.metrics(), await reference.registry.metrics());
  fast.counter.reset();
  reference.counter.reset();
  ok.inc();
  reference.counter.labels('ok').inc();
  assert.equal(await fast.registry.metrics(), await reference.registry.metrics());
});
