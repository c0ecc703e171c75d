import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics every ODX service exposes on /metrics. */
export interface RuntimeMetrics {
  registry: Registry;
  messagesConsumed: Counter<'topic' | 'group' | 'outcome'>;
  messageProcessingSeconds: Histogram<'topic' | 'group'>;
  messagesProduced: Counter<'topic'>;
  produceSeconds: Histogram<'topic'>;
  retriesRouted: Counter<'topic' | 'group' | 'target'>;
  dlqRouted: Counter<'topic' | 'group' | 'error_class'>;
  consumerLag: Gauge<'topic' | 'partition' | 'group'>;
  circuitState: Gauge<'circuit'>;
  consumerRebalances: Counter<'group'>;
  consumerCrashes: Counter<'group' | 'restart'>;
  readinessCheck: Gauge<'check'>;
  httpRequestSeconds: Histogram<'method' | 'route' | 'status'>;
  idempotencyOutcomes: Counter<'consumer' | 'outcome'>;
  webhookDeliveries: Counter<'route' | 'outcome'>;
}

/** Creates a registry with process metrics and the runtime's metric families. */
export function createRuntimeMetrics(serviceName: string, options: { defaultMetrics?: boolean } = {}): RuntimeMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: serviceName });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'odx_' });
  const registers = [registry];
  return {
    registry,
    messagesConsumed: new Counter({
      name: 'odx_messages_consumed_total',
      help: 'Messages handled by consumer runners, by outcome (ok, duplicate, retry, dlq)',
      labelNames: ['topic', 'group', 'outcome'],
      registers,
    }),
    messageProcessingSeconds: new Histogram({
      name: 'odx_message_processing_seconds',
      help: 'Time to handle one message, decode to commit-ready',
      labelNames: ['topic', 'group'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    messagesProduced: new Counter({
      name: 'odx_messages_produced_total',
      help: 'Events acknowledged by Kafka',
      labelNames: ['topic'],
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'odx_produce_seconds',
      help: 'Time from send to Kafka acknowledgement, per batch',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    retriesRouted: new Counter({
      name: 'odx_retry_routed_total',
      help: 'Messages sent to a retry topic',
      labelNames: ['topic', 'group', 'target'],
      registers,
    }),
    dlqRouted: new Counter({
      name: 'odx_dlq_routed_total',
      help: 'Messages sent to a dead-letter topic',
      labelNames: ['topic', 'group', 'error_class'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'odx_consumer_lag',
      help: "High watermark minus the group's committed offset, per partition this member holds (sampled every 15 s)",
      labelNames: ['topic', 'partition', 'group'],
      registers,
    }),
    circuitState: new Gauge({
      name: 'odx_circuit_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['circuit'],
      registers,
    }),
    consumerRebalances: new Counter({
      name: 'odx_consumer_rebalances_total',
      help: 'Times a consumer runner (re)joined its group: each is a rebalance it took part in',
      labelNames: ['group'],
      registers,
    }),
    consumerCrashes: new Counter({
      name: 'odx_consumer_crashes_total',
      help: 'Consumer crashes, by whether the client restarts itself (true) or the consumer is gone (false)',
      labelNames: ['group', 'restart'],
      registers,
    }),
    readinessCheck: new Gauge({
      name: 'odx_readiness_check_ok',
      help: 'Each /readyz check (kafka, mongo, schema-registry, consumer:<group>, ...): 1 passed, 0 failed, as of the last /readyz or /metrics request',
      labelNames: ['check'],
      registers,
    }),
    httpRequestSeconds: new Histogram({
      name: 'odx_http_request_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    idempotencyOutcomes: new Counter({
      name: 'odx_idempotency_claims_total',
      help: 'Idempotency claims by outcome (acquired, duplicate, taken-over, busy)',
      labelNames: ['consumer', 'outcome'],
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'odx_webhook_deliveries_total',
      help: 'Webhook deliveries received, by outcome (accepted, rejected: bad signature or body, failed: retry asked of the sender)',
      labelNames: ['route', 'outcome'],
      registers,
    }),
  };
}
