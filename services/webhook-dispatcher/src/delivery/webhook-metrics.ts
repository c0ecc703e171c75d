import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The dispatcher's metrics, on the runtime's registry (served at /metrics). */
export interface WebhookMetrics {
  attempts: Counter<'subscription' | 'outcome'>;
  /** Event consumed (queued) to the receiver's 2xx, for first attempts of live events. */
  deliveryLatency: Histogram;
  attemptSeconds: Histogram;
  queued: Counter;
  duplicates: Counter;
  pending: Gauge<'subscription'>;
  disabled: Counter<'subscription' | 'reason'>;
}

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const registers = [registry];
  return {
    attempts: new Counter({
      name: 'odx_webhook_attempts_total',
      help: 'Delivery attempts by outcome (delivered, failed, gone)',
      labelNames: ['subscription', 'outcome'],
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'odx_webhook_queue_to_delivery_seconds',
      help: 'From the event consumed and queued to the 2xx of its first attempt (live events)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600],
      registers,
    }),
    attemptSeconds: new Histogram({
      name: 'odx_webhook_attempt_seconds',
      help: 'Duration of one HTTP attempt',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    }),
    queued: new Counter({
      name: 'odx_webhook_queued_total',
      help: 'Deliveries queued in MongoDB (events matched by a subscription, not seen before)',
      registers,
    }),
    duplicates: new Counter({
      name: 'odx_webhook_duplicates_total',
      help: 'Events already queued for a subscription (same event id), not queued again',
      registers,
    }),
    pending: new Gauge({
      name: 'odx_webhook_pending',
      help: 'Deliveries waiting in this instance per subscription (in memory; more may wait in MongoDB while spilled)',
      labelNames: ['subscription'],
      registers,
    }),
    disabled: new Counter({
      name: 'odx_webhook_subscriptions_disabled_total',
      help: 'Subscriptions the dispatcher disabled itself (reason: gone = HTTP 410, failing = retries exhausted)',
      labelNames: ['subscription', 'reason'],
      registers,
    }),
  };
}
