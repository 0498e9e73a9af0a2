/**
 * Prometheus metrics (prom-client) behind the small Metrics hook (./types.ts). One registry
 * per server (tests run several servers in one process). Gauges that need the store (its
 * size, the queue depth) are read when /metrics is scraped, through `sources`.
 *
 * Names follow Prometheus conventions: letterbox_<thing>_total for counters, _seconds for
 * durations, _bytes for sizes. Node's default process metrics (memory, CPU, event-loop
 * lag: nodejs_eventloop_lag_seconds and its percentiles) come from collectDefaultMetrics.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { commandHistogram } from './command-histogram.js';
import type { Metrics } from './types.js';

export interface MetricsSources {
  /** bytes the store takes on disk (or in memory), null when unknown */
  storeBytes(): Promise<number | null>;
  /** messages waiting in the outbound queue */
  queueDepth(): Promise<number>;
}

export interface MetricsRegistry extends Metrics {
  readonly registry: Registry;
  /** the exposition text */
  scrape(): Promise<{ contentType: string; body: string }>;
  /** open connections per protocol, for the status page */
  openConnections(): Record<string, number>;
}

export function createMetrics(sources: MetricsSources, opts: { defaultMetrics?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const open = new Map<string, number>();
  const connections = new Counter({ name: 'letterbox_connections_total', help: 'Connections accepted, per protocol', labelNames: ['protocol'], registers: [registry] });
  new Gauge({
    name: 'letterbox_connections_open',
    help: 'Connections open now, per protocol',
    labelNames: ['protocol'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [protocol, n] of open) this.set({ protocol }, n);
    },
  });
  const logins = new Counter({ name: 'letterbox_logins_total', help: 'Login attempts, per protocol and outcome (ok, failed, throttled)', labelNames: ['protocol', 'outcome'], registers: [registry] });
  // observed per command: counted in plain cells, handed to prom-client on scrape (./command-histogram.ts)
  const commands = commandHistogram(
    registry,
    'letterbox_command_duration_seconds',
    'Commands handled, per protocol, command and status, with their latency',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const messages = new Counter({ name: 'letterbox_messages_total', help: 'Messages received, delivered, queued, deferred and bounced', labelNames: ['event'], registers: [registry] });
  new Gauge({
    name: 'letterbox_store_bytes',
    help: 'Size of the mail store',
    registers: [registry],
    async collect() {
      const n = await sources.storeBytes().catch(() => null);
      if (n !== null) this.set(n);
    },
  });
  new Gauge({
    name: 'letterbox_queue_depth',
    help: 'Messages waiting in the outbound queue',
    registers: [registry],
    async collect() {
      this.set(await sources.queueDepth().catch(() => 0));
    },
  });

  return {
    registry,
    connection(protocol) {
      connections.inc({ protocol });
      open.set(protocol, (open.get(protocol) ?? 0) + 1);
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        open.set(protocol, (open.get(protocol) ?? 1) - 1);
      };
    },
    login(protocol, outcome) {
      logins.inc({ protocol, outcome });
    },
    command(protocol, command, status, seconds) {
      commands.observe(protocol, command, status, seconds);
    },
    message(event, count = 1) {
      if (count > 0) messages.inc({ event }, count);
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    openConnections: () => Object.fromEntries(open),
  };
}
