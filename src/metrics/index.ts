/** Prometheus metrics: the registry and the counting decorators the composition root applies. */
export { createMetrics, credentialObserver, requestObserver, type Metrics, type MetricSources } from './registry.js';
export { instrumentLogin, instrumentLogout, instrumentRefresh, verifyOutcomes } from './instrument.js';
