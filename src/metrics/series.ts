/**
 * Hot-path writers for one labelled series of a prom-client counter or histogram. prom-client's
 * own bound children (`labels(...)`) validate the labels, build the series' key string and, for a
 * histogram, allocate a closure on every call: about 100 ns per counter increment and 350 ns per
 * histogram observation, paid on every verify. These find the series' record once and update it
 * in place, exactly as prom-client's inc() and observe() would (same sum, count and buckets, so
 * the exposition, the cluster aggregation and every scrape are unchanged).
 *
 * prom-client (15.x) keeps each series as a plain record in the metric's `hashMap`: { value,
 * labels } for a counter, { labels, sum, count, bucketValues } for a histogram, bucketValues keyed
 * by upper bound. A record that prom-client replaced or dropped (reset(), remove()) is found or
 * created again on the next write. series.test.ts checks the records against prom-client's own
 * API, so an upgrade that changes them fails there, not silently.
 */
import type { Counter, Histogram } from 'prom-client';

type Labels = Record<string, string>;
interface CounterRecord {
  value: number;
  labels: Labels;
}
interface HistogramRecord {
  labels: Labels;
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}
/** The part of prom-client's metrics these writers rely on (not in its type declarations). */
interface Internals<R> {
  hashMap: Record<string, R>;
  upperBounds?: number[];
}

export interface CounterSeries {
  inc(): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

/** The key of the record holding exactly these labels, or undefined. */
function findKey(hashMap: Record<string, { labels: Labels }>, labels: Labels): string | undefined {
  const names = Object.keys(labels);
  for (const key in hashMap) {
    const recorded = hashMap[key]!.labels;
    if (Object.keys(recorded).length === names.length && names.every((name) => recorded[name] === labels[name])) return key;
  }
  return undefined;
}

/** One counter series; created (at 0, as inc(0) would) if absent. */
export function counterSeries<T extends string>(counter: Counter<T>, labels: Record<T, string>): CounterSeries {
  const metric = counter as unknown as Internals<CounterRecord>;
  let key = '';
  let record: CounterRecord | undefined;
  const bind = (): CounterRecord => {
    const found = findKey(metric.hashMap, labels);
    if (found === undefined) counter.inc(labels as never, 0);
    key = found ?? findKey(metric.hashMap, labels)!;
    return (record = metric.hashMap[key]!);
  };
  bind();
  return {
    inc() {
      const current = metric.hashMap[key] === record ? record! : bind();
      current.value += 1;
    },
  };
}

/**
 * One histogram series, created on its first observation (as prom-client does: a label pair
 * never observed is not exported).
 */
export function histogramSeries<T extends string>(histogram: Histogram<T>, labels: Record<T, string>): HistogramSeries {
  const metric = histogram as unknown as Internals<HistogramRecord>;
  const bounds = metric.upperBounds!;
  // prom-client indexes buckets by the bound itself, i.e. by its string form.
  const bucketKeys = bounds.map(String);
  let key = '';
  let record: HistogramRecord | undefined;
  const bind = (): HistogramRecord => {
    const found = findKey(metric.hashMap, labels);
    if (found === undefined) histogram.zero(labels as never);
    key = found ?? findKey(metric.hashMap, labels)!;
    return (record = metric.hashMap[key]!);
  };
  return {
    observe(value) {
      if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
      const current = record !== undefined && metric.hashMap[key] === record ? record : bind();
      current.sum += value;
      current.count += 1;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]!) {
          current.bucketValues[bucketKeys[i]!]! += 1;
          return;
        }
      }
    },
  };
}
