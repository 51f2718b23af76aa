/**
 * Metrics under `serve --workers N`. Each worker counts in its own registry, and a scrape lands
 * on whichever worker accepts the connection; served as is, counters would jump between
 * workers' values and Prometheus would see resets. So a worker answers /metrics by asking the
 * primary, which gathers every worker's registry over the cluster IPC channel and aggregates
 * them (prom-client's AggregatorRegistry): counters and histograms summed, gauges by their own
 * rule (max for the revocation-state gauges, which every worker holds alike).
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { MetricsText } from '../http/routes/metrics.js';

const ASK = 'ats-auth:metrics?';
const ANSWER = 'ats-auth:metrics';
/** prom-client gives up on a worker after 5 s; the asking worker waits a little longer. */
const ANSWER_TIMEOUT_MS = 6000;

type Answer = { type: typeof ANSWER; id: number; text?: string; error?: string };

/** In the primary: answers each worker's request with the whole group's metrics. */
export function serveGroupMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id!, ...answer } satisfies Answer);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: String(error) }),
    );
  });
}

/** In a worker: offers `registry` to the primary's aggregation and serves the group's metrics. */
export function groupMetrics(registry: Registry): MetricsText {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that hands this worker's registry over.
  new AggregatorRegistry();
  let nextId = 0;
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  process.on('message', (message: Answer) => {
    if (message?.type !== ANSWER) return;
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.text !== undefined) waiting.resolve(message.text);
    else waiting.reject(new Error(`metrics aggregation failed: ${message.error}`));
  });
  return {
    contentType: registry.contentType,
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the primary did not answer with the metrics in time'));
        }, ANSWER_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        process.send!({ type: ASK, id });
      }),
  };
}
