import type { ServiceRuntime } from '@odx/runtime';
import { AuditLog } from './audit/audit-log.js';
import type { WebhookDispatcherConfig } from './config.js';
import { AttemptWriter } from './delivery/attempt-writer.js';
import { DeliveryCommit } from './delivery/delivery-commit.js';
import { DeliveryStore, Sequence } from './delivery/delivery-store.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { deliveriesFor } from './delivery/event-intake.js';
import { HttpSender } from './delivery/http-sender.js';
import { createWebhookMetrics } from './delivery/webhook-metrics.js';
import { mountRoutes } from './http/routes.js';
import { SubscriptionRegistry } from './subscriptions/subscription-registry.js';
import { SubscriptionService } from './subscriptions/subscription-service.js';
import { SubscriptionStore } from './subscriptions/subscription-store.js';
import { webhookDispatcherSubscriptions } from './subscriptions.js';

export interface WebhookDispatcher {
  subscriptions: SubscriptionService;
  registry: SubscriptionRegistry;
  dispatcher: Dispatcher;
  deliveries: DeliveryStore;
  audit: AuditLog;
}

/**
 * Wires the dispatcher onto a service runtime (whose `authenticate` must be the
 * bearer-token check): the admin API, the lanes, and the consumer that queues
 * a delivery per matching subscription. Closed with the runtime: the consumer
 * first (its last window queued and committed), then the lanes.
 */
export async function startWebhookDispatcher(rt: ServiceRuntime, config: WebhookDispatcherConfig): Promise<WebhookDispatcher> {
  const { delivery } = config;
  const metrics = createWebhookMetrics(rt.metrics.registry);
  const audit = new AuditLog(rt.db);
  const store = new SubscriptionStore(rt.db);
  const registry = new SubscriptionRegistry(store);
  const deliveries = new DeliveryStore(rt.db);
  const sender = new HttpSender({ timeoutMs: delivery.timeoutMs, allowPrivate: delivery.allowPrivateTargets });
  const attempts = new AttemptWriter(deliveries, rt.logger);
  const seq = new Sequence();
  let dispatcher: Dispatcher | undefined;
  const commit = new DeliveryCommit(
    rt.db,
    deliveries,
    rt.logger,
    (staged) => dispatcher?.handOver(staged, true),
    (fresh, duplicates) => {
      if (duplicates > 0) metrics.duplicates.inc(duplicates);
      metrics.queued.inc(fresh.length);
      dispatcher?.handOver(fresh);
    },
  );
  dispatcher = new Dispatcher({
    instanceId: rt.config.instanceId,
    groupId: config.consumer.groupId,
    store: deliveries,
    registry,
    sender,
    attempts,
    audit,
    cluster: rt.cluster,
    logger: rt.logger,
    metrics,
    stagedMin: () => commit.stagedMin(),
    retryScheduleMs: delivery.retryScheduleMs,
    concurrency: delivery.concurrency,
    memoryItems: delivery.memoryItems,
    leaseMs: delivery.leaseMs,
    pollMs: delivery.pollMs,
    watermarkMarginMs: delivery.watermarkMarginMs,
    retentionMs: delivery.retentionMs,
  });
  const subscriptions = new SubscriptionService({
    store,
    registry,
    deliveries,
    audit,
    sender,
    cluster: rt.cluster,
    serde: rt.serde,
    seq,
    topics: config.consumer.topics,
    readerGroupPrefix: `${config.consumer.groupId}-recover`,
    allowPrivateTargets: delivery.allowPrivateTargets,
    retentionMs: delivery.retentionMs,
    recoverMax: config.recoverMax,
    handOver: (docs) => dispatcher.handOver(docs),
  });
  mountRoutes(rt.http.api, { subscriptions, audit });

  await registry.ready();
  await dispatcher.start();
  // Registered before the consumer, so closed after it (the lifecycle closes in reverse order).
  rt.lifecycle.register('webhook-lanes', () => dispatcher.close());
  rt.lifecycle.register('webhook-http', () => sender.close());
  const sweep = setInterval(
    () => void deliveries.sweep().catch((err: unknown) => rt.logger.warn('webhook log sweep failed', { err })),
    3_600_000,
  );
  sweep.unref();
  rt.lifecycle.register('webhook-sweeper', () => clearInterval(sweep));

  const consumer = rt.consumer({
    ...webhookDispatcherSubscriptions(config).deliveries,
    partitionConcurrency: config.consumer.partitionConcurrency,
    completion: 'batch',
    idempotency: commit,
    handler: async (event) => {
      const subs = registry.matching({ eventType: event.eventType, key: event.key, payload: event.payload });
      if (subs.length === 0) return;
      const docs = deliveriesFor(
        {
          eventId: event.eventId,
          eventType: event.eventType,
          fullName: event.fullName,
          topic: event.topic,
          key: event.key,
          headers: event.headers,
          payload: event.payload,
          partition: event.receivedFrom.partition,
          offset: event.receivedFrom.offset,
        },
        subs,
        { seq, retentionMs: delivery.retentionMs },
      );
      commit.stage(event.eventId, docs);
    },
  });
  await consumer.start();
  return { subscriptions, registry, dispatcher, deliveries, audit };
}
