/**
 * letterbox_command_duration_seconds: a histogram observed once per command of every
 * protocol, so its observe() is on the hot path. prom-client's Histogram.observe() validates
 * and hashes the label object and allocates per call; here a command adds into a plain cell
 * (found through one Map per label, keyed by the label values) and prom-client reads the
 * cells only when /metrics is scraped. The exposition is the one prom-client's Histogram
 * writes: cumulative _bucket lines (le, then +Inf), _sum and _count per label set.
 */
import type { Registry } from 'prom-client';

interface Cell {
  labels: { protocol: string; command: string; status: string };
  /** observations per bucket (not cumulative); the last one is above the largest bound */
  buckets: Float64Array;
  sum: number;
  count: number;
}

export interface CommandHistogram {
  observe(protocol: string, command: string, status: string, seconds: number): void;
}

export function commandHistogram(registry: Registry, name: string, help: string, bounds: readonly number[]): CommandHistogram {
  const cells = new Map<string, Map<string, Map<string, Cell>>>();
  /** every cell, in the order first seen (the exposition's order) */
  let all: Cell[] = [];
  const values = (): object[] => {
    const out: object[] = [];
    for (const c of all) {
      let acc = 0;
      for (let i = 0; i < bounds.length; i++) {
        acc += c.buckets[i]!;
        out.push({ labels: { le: bounds[i] }, sharedLabels: c.labels, value: acc, metricName: `${name}_bucket` });
      }
      out.push({ labels: { le: '+Inf' }, sharedLabels: c.labels, value: c.count, metricName: `${name}_bucket` });
      out.push({ labels: {}, sharedLabels: c.labels, value: c.sum, metricName: `${name}_sum` });
      out.push({ labels: {}, sharedLabels: c.labels, value: c.count, metricName: `${name}_count` });
    }
    return out;
  };
  // what Registry asks of a metric (prom-client's own metrics have the same shape)
  registry.registerMetric({
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    getForPromString: async () => ({ name, help, type: 'histogram', values: values(), aggregator: 'sum' }),
    get: async () => ({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: values().map((v) => {
        const { labels, sharedLabels, ...rest } = v as { labels: object; sharedLabels: object };
        return { ...rest, labels: { ...labels, ...sharedLabels } };
      }),
    }),
    reset: () => {
      cells.clear();
      all = [];
    },
  } as unknown as Parameters<Registry['registerMetric']>[0]);

  return {
    observe(protocol, command, status, seconds) {
      if (!Number.isFinite(seconds)) return;
      let byCommand = cells.get(protocol);
      if (!byCommand) cells.set(protocol, (byCommand = new Map()));
      let byStatus = byCommand.get(command);
      if (!byStatus) byCommand.set(command, (byStatus = new Map()));
      let cell = byStatus.get(status);
      if (!cell) {
        cell = { labels: { protocol, command, status }, buckets: new Float64Array(bounds.length + 1), sum: 0, count: 0 };
        byStatus.set(status, cell);
        all.push(cell);
      }
      let i = 0;
      while (i < bounds.length && seconds > bounds[i]!) i++;
      cell.buckets[i] = cell.buckets[i]! + 1;
      cell.sum += seconds;
      cell.count++;
    },
  };
}
