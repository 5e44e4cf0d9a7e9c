import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestMetrics, LoginMetrics } from '../ingest/index.js';

/** The Prometheus registry of one node and the metrics citybrain reports. */
export interface NodeMetrics {
  registry: Registry;
  ingest: IngestMetrics;
  logins: LoginMetrics;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  alertsRaised: Counter;
  /** Registers a gauge read at scrape time. */
  gauge(name: string, help: string, read: () => number): void;
}

/** Creates the metrics of a node (no global registry: each node owns its own). */
export function createMetrics(): NodeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'citybrain_' });
  const registers = [registry];
  const accepted = new Counter({
    name: 'citybrain_ingest_observations_total',
    help: 'Observations accepted and durable, by source',
    labelNames: ['source'] as const,
    registers,
  });
  const rejected = new Counter({
    name: 'citybrain_ingest_rejected_total',
    help: 'Messages refused and dead-lettered, by source and reason',
    labelNames: ['source', 'reason'] as const,
    registers,
  });
  const throttled = new Counter({
    name: 'citybrain_ingest_logins_throttled_total',
    help: 'Device logins refused unchecked after too many failures, by source and what was blocked',
    labelNames: ['source', 'by'] as const,
    registers,
  });
  const commitSeconds = new Histogram({
    name: 'citybrain_ingest_commit_seconds',
    help: 'Duration of one durable ingest commit',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers,
  });
  const batchSize = new Histogram({
    name: 'citybrain_ingest_batch_observations',
    help: 'Observations per durable ingest commit',
    buckets: [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000],
    registers,
  });
  const latency = new Histogram({
    name: 'citybrain_ingest_latency_seconds',
    help: 'From receipt of a message to its durable commit',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'citybrain_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const alertsRaised = new Counter({
    name: 'citybrain_alerts_raised_total',
    help: 'Alerts raised by rules',
    registers,
  });
  return {
    registry,
    httpDuration,
    alertsRaised,
    ingest: {
      accepted: (source, n) => accepted.inc({ source }, n),
      rejected: (source, reason) => rejected.inc({ source, reason }),
      committed: (n, seconds) => {
        commitSeconds.observe(seconds);
        batchSize.observe(n);
      },
      latency: (seconds) => latency.observe(seconds),
    },
    logins: { throttled: (source, by) => throttled.inc({ source, by }) },
    gauge: (name, help, read) =>
      void new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      }),
  };
}
