import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The receiver's Prometheus metrics; one registry per process so tests can build several apps. */
export function createReceiverMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    events: new Counter({
      name: 'ringg_webhook_events_total',
      help: 'Webhook deliveries by event type and outcome',
      labelNames: ['event_type', 'outcome'] as const,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'ringg_webhook_rejected_total',
      help: 'Webhook requests rejected before reaching Temporal, by HTTP status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    schemaIssues: new Counter({
      name: 'ringg_webhook_schema_issues_total',
      help: 'Accepted deliveries whose payload did not match its typed schema (or had an unknown event_type)',
      labelNames: ['event_type'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'ringg_webhook_duration_seconds',
      help: 'Time from request start to answer for webhook deliveries',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    spoolDepth: new Gauge({
      name: 'ringg_spool_depth',
      help: 'Events waiting in the outage spool',
      registers: [registry],
    }),
    spoolBytes: new Gauge({
      name: 'ringg_spool_bytes',
      help: 'Bytes held by the outage spool',
      registers: [registry],
    }),
    spoolOldestAge: new Gauge({
      name: 'ringg_spool_oldest_age_seconds',
      help: 'Age of the oldest event waiting in the outage spool (0 when empty)',
      registers: [registry],
    }),
  };
}

export type ReceiverMetrics = ReturnType<typeof createReceiverMetrics>;
