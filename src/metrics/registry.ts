/**
 * The service's Prometheus metrics on a registry of its own (no global default registry):
 * counters for each outcome pre-bound to their label values, so the hot paths only call inc();
 * gauges read the revocation state and the feed at scrape time; plus the default process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { counterSeries, histogramSeries, type HistogramSeries } from './series.js';

export const LOGIN_OUTCOMES = ['ok', 'bad_credentials', 'throttled', 'error'] as const;
export const VERIFY_OUTCOMES = ['ok', 'invalid', 'revoked', 'stale', 'error'] as const;

export const REFRESH_OUTCOMES = ['ok', 'invalid', 'reused', 'throttled', 'disabled', 'error'] as const;
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];
export type VerifyOutcome = (typeof VERIFY_OUTCOMES)[number];

/** Sub-millisecond verify up to multi-second logins on a slow store. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface MetricSources {
  revokedTokenCount(): number;
  notBeforeCount(): number;
  /** Ended sessions still refused from memory; optional for callers that have none. */
  endedSessionCount?(): number;
  feedLagMs(): number;
  /** Open GET /user/revocations streams. */
  streamConsumers?(): number;
}

interface Increment {
  inc(): void;
}

export interface Metrics {
  readonly registry: Registry;
  readonly logins: Readonly<Record<LoginOutcome, Increment>>;
  readonly verifies: Readonly<Record<VerifyOutcome, Increment>>;
  /** /user/refresh by outcome; `reused` is a spent refresh token presented after the grace window (session ended). */
  readonly refreshes: Readonly<Record<RefreshOutcome, Increment>>;
  readonly logouts: Increment;
  readonly logoutAlls: Increment;
  readonly sessionsIssued: Increment;
  /** Revocation stream consumers dropped for not reading. */
  readonly streamDrops: Increment;
  /** Request duration in seconds by route pattern and status code. */
  readonly requestDuration: Histogram<'route' | 'status_code'>;
  /** Credential backend answers (§10) by backend and outcome. */
  readonly credentialChecks: Counter<'backend' | 'outcome'>;
  /** How long each backend took to answer, in seconds. */
  readonly credentialDuration: Histogram<'backend'>;
  /** 1 while the backend's last answer (or start-up probe) reached it, 0 after an outage. */
  readonly credentialBackendUp: Gauge<'backend'>;
}

export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const logins = new Counter({
    name: 'ats_auth_logins_total',
    help: 'Login attempts that reached the credential check, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const verifies = new Counter({
    name: 'ats_auth_verifies_total',
    help: 'Token verifications (/user/verify), by outcome.',
    labelNames: ['outcome'],
    registers,
  });

  new Gauge({
    name: 'ats_auth_revoked_tokens',
    // Under --workers every worker holds the same state: the group's value is the largest.
    aggregator: 'max',
    help: 'Revoked, unexpired tokens held in memory.',
    registers,
    collect() {
      this.set(sources.revokedTokenCount());
    },
  });
  new Gauge({
    name: 'ats_auth_not_before_entries',
    aggregator: 'max',
    help: 'Users with a logout_all "not before" instant still in force.',
    registers,
    collect() {
      this.set(sources.notBeforeCount());
    },
  });
  const refreshes = new Counter({
    name: 'ats_auth_refreshes_total',
    help: 'Refresh token exchanges (/user/refresh), by outcome; reused = a spent token after the grace window, its session ended.',
    labelNames: ['outcome'],
    registers,
  });
  new Gauge({
    name: 'ats_auth_ended_sessions',
    help: 'Ended sessions whose tokens may not have expired yet, held in memory.',
    registers,
    collect() {
      this.set(sources.endedSessionCount?.() ?? 0);
    },
  });
  new Gauge({
    name: 'ats_auth_feed_lag_seconds',
    aggregator: 'max',
    help: 'Seconds since the revocation feed last read the store successfully.',
    registers,
    collect() {
      this.set(sources.feedLagMs() / 1000);
    },
  });

  new Gauge({
    name: 'ats_auth_stream_consumers',
    help: 'Open revocation streams (GET /user/revocations).',
    registers,
    collect() {
      this.set(sources.streamConsumers?.() ?? 0);
    },
  });

  return {
    registry,
    logins: bindAll(logins, LOGIN_OUTCOMES),
    verifies: bindAll(verifies, VERIFY_OUTCOMES),
    refreshes: bindAll(refreshes, REFRESH_OUTCOMES),
    logouts: new Counter({ name: 'ats_auth_logouts_total', help: 'Tokens revoked by /user/logout.', registers }),
    logoutAlls: new Counter({
      name: 'ats_auth_logout_alls_total',
      help: 'Users logged out everywhere by /user/logout_all.',
      registers,
    }),
    sessionsIssued: new Counter({ name: 'ats_auth_sessions_issued_total', help: 'Sessions started (successful logins).', registers }),
    streamDrops: new Counter({
      name: 'ats_auth_stream_dropped_total',
      help: 'Revocation stream consumers dropped because they stopped reading.',
      registers,
    }),
    requestDuration: new Histogram({
      name: 'ats_auth_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status code.',
      labelNames: ['route', 'status_code'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    credentialChecks: new Counter({
      name: 'ats_auth_credential_checks_total',
      help: 'Password checks by credential backend and outcome (accepted, rejected, unknown, unavailable).',
      labelNames: ['backend', 'outcome'],
      registers,
    }),
    credentialDuration: new Histogram({
      name: 'ats_auth_credential_check_duration_seconds',
      help: 'How long each credential backend took to answer a password check.',
      labelNames: ['backend'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    credentialBackendUp: new Gauge({
      name: 'ats_auth_credential_backend_up',
      help: '1 when the credential backend last answered (or its start-up probe reached it), 0 when it could not be asked.',
      labelNames: ['backend'],
      registers,
    }),
  };
}

/** Feeds the credential chain's answers into the metrics; children are bound once per label set. */
export function credentialObserver(metrics: Pick<Metrics, 'credentialChecks' | 'credentialDuration' | 'credentialBackendUp'>) {
  const children = new Map<string, { inc(): void }>();
  return (backend: string, outcome: string, seconds: number): void => {
    const key = `${backend}\0${outcome}`;
    let child = children.get(key);
    if (child === undefined) children.set(key, (child = metrics.credentialChecks.labels(backend, outcome)));
    child.inc();
    metrics.credentialDuration.labels(backend).observe(seconds);
    metrics.credentialBackendUp.labels(backend).set(outcome === 'unavailable' ? 0 : 1);
  };
}

/** One series per label value, bound once (series.ts); every value is exported as 0 from the start. */
function bindAll<T extends string>(counter: Counter<'outcome'>, outcomes: readonly T[]): Record<T, Increment> {
  const bound = {} as Record<T, Increment>;
  for (const outcome of outcomes) bound[outcome] = counterSeries(counter, { outcome });
  return bound;
}

/** Records a request duration; a series is bound once per (route, status) and reused (series.ts). */
export function requestObserver(metrics: Pick<Metrics, 'requestDuration'>) {
  const byRoute = new Map<string, Map<number, HistogramSeries>>();
  // The last pair's series: under verify load nearly every request is the same pair.
  let lastRoute: string | undefined;
  let lastStatus = 0;
  let lastSeries: HistogramSeries | undefined;
  return (route: string, statusCode: number, seconds: number): void => {
    if (route === lastRoute && statusCode === lastStatus) return lastSeries!.observe(seconds);
    let byStatus = byRoute.get(route);
    if (byStatus === undefined) byRoute.set(route, (byStatus = new Map()));
    let series = byStatus.get(statusCode);
    if (series === undefined) {
      byStatus.set(statusCode, (series = histogramSeries(metrics.requestDuration, { route, status_code: String(statusCode) })));
    }
    lastRoute = route;
    lastStatus = statusCode;
    lastSeries = series;
    series.observe(seconds);
  };
}
