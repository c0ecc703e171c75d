import { provisionCatalogTopics, type CatchUpRunner, type RunningConsumer, type ServiceRuntime } from '@odx/runtime';
import { startWmsCatchUp } from './catchup/order-catch-up.js';
import type { WmsBridgeConfig } from './config.js';
import { InboundRecords } from './inbound/inbound-records.js';
import { levelHandler } from './inventory/level-handler.js';
import { LevelStore } from './inventory/level-store.js';
import { mountReconciliationRoute } from './inventory/reconciliation-route.js';
import { Reconciler } from './inventory/reconciler.js';
import { handledEventTypes, orderHandler } from './orders/order-handler.js';
import { ORDER_STATE_COLLECTIONS, OrderRecords } from './orders/order-records.js';
import { startStateSweeper } from './state/state-sweeper.js';
import { STAGE_COLLECTION, StageStore } from './webhooks/stage-store.js';
import { wmsBridgeSubscriptions } from './subscriptions.js';
import { WebhookProcessor } from './webhooks/webhook-processor.js';
import { mountWebhookRoute } from './webhooks/webhook-route.js';
import type { ListedOrder } from './wms/order-page.js';
import { WmsClient } from './wms/wms-client.js';

export interface WmsBridge {
  client: WmsClient;
  /** Releases work to the WMS (orders, and shipments in FulfillmentRequested mode; expected receipts of POs and returns). */
  consumer: RunningConsumer;
  /** Keeps Odoo's inventory levels for reconciliation. */
  levels: RunningConsumer;
  webhooks: WebhookProcessor;
  reconciler: Reconciler;
  /** Catch-up for lost webhooks: the WMS's changed orders, on a schedule and on POST /v1/catch-up. */
  catchUp: CatchUpRunner<ListedOrder>;
  /** One sweep of expired state now; resolves to the documents deleted. */
  sweep(): Promise<number>;
  /** Stops the loops (catch-up and reconciliation schedules, consumers); the runtime's shutdown does the same. */
  stop(): Promise<void>;
}

/**
 * Wires the bridge into a runtime: the WMS client (one circuit), the release
 * consumer (paused while the circuit is open), the inventory-level consumer,
 * the webhook, catch-up and reconciliation routes, the catch-up and
 * reconciliation schedules and the state sweeper. Call before
 * `rt.listen()`, which adds the 404 and error handlers after them.
 */
export async function startWmsBridge(rt: ServiceRuntime, config: WmsBridgeConfig): Promise<WmsBridge> {
  if (config.provisionTopics) await provisionCatalogTopics(rt.cluster);
  const client = new WmsClient({ ...config.wms, circuit: config.circuit });
  rt.lifecycle.register('wms-client', () => client.shutdown());
  rt.http.addReadinessCheck({
    name: 'wms-circuit',
    check: async () => {
      if (client.circuit.state === 'open') throw new Error('WMS circuit is open: calls to the WMS are failing');
    },
  });

  const stages = new StageStore(rt.db);
  const inbound = new InboundRecords(rt.db);
  const webhooks = new WebhookProcessor({
    secret: config.webhook.secret,
    toleranceSeconds: config.webhook.toleranceSeconds,
    producer: rt.producer,
    idempotency: rt.idempotency,
    stages,
    logger: rt.logger,
    mapping: { company: rt.config.company, warehouses: config.warehouses },
    topics: {
      shipments: config.topics.shipments,
      inventory: config.topics.inventory,
      purchasing: config.topics.purchasing,
      returns: config.topics.returns,
    },
    inbound,
  });
  mountWebhookRoute(rt.http, webhooks);
  const catchUp = startWmsCatchUp({
    rt,
    client,
    publisher: webhooks.stagePublisher,
    records: new OrderRecords(rt.db),
    groupId: config.consumer.groupId,
    options: config.catchUp,
  });

  const levelStore = new LevelStore(rt.db);
  const reconciler = new Reconciler({
    client,
    levels: levelStore,
    producer: rt.producer,
    logger: rt.logger,
    warehouses: config.warehouses,
    company: rt.config.company,
    topic: config.topics.inventory,
    tolerance: config.reconciliation.tolerance,
    intervalMs: config.reconciliation.intervalMs,
  });
  mountReconciliationRoute(rt.http, reconciler);

  const handler = orderHandler({
    client,
    records: new OrderRecords(rt.db),
    stages,
    warehouses: config.warehouses,
    logger: rt.logger,
    releaseOn: config.releaseOn,
    inbound,
    producer: rt.producer,
    ordersTopic: config.topics.orders,
    company: rt.config.company,
  });
  // odx.shipments.v1 carries the bridges' own events: the runner skips every type
  // the handler does not act on before any idempotency claim.
  const subscriptions = wmsBridgeSubscriptions(config);
  const consumer = rt.consumer({
    ...subscriptions.release,
    retryDelaysMs: config.consumer.retryDelaysMs,
    partitionConcurrency: config.consumer.partitionConcurrency,
    circuits: [client.circuit],
    eventTypes: [...handledEventTypes(config.releaseOn)],
    handler,
  });
  const levels = rt.consumer({
    ...subscriptions.levels,
    retryDelaysMs: config.consumer.retryDelaysMs,
    partitionConcurrency: config.consumer.partitionConcurrency,
    // Inserts keyed by event id are idempotent themselves; no claims for a topic mostly of other events.
    idempotency: false,
    handler: levelHandler(levelStore, rt.logger),
  });
  await consumer.start();
  await levels.start();

  reconciler.start();
  rt.lifecycle.register('reconciler', () => reconciler.stop());
  const sweep = startStateSweeper(
    {
      db: rt.db,
      collections: [...ORDER_STATE_COLLECTIONS, STAGE_COLLECTION],
      retentionMs: config.state.retentionMs,
      intervalMs: config.state.sweepIntervalMs,
      extra: [(now) => levelStore.sweepSuperseded(now)],
      logger: rt.logger,
    },
    rt.lifecycle.signal,
  );

  let stopping: Promise<void> | undefined;
  return {
    client,
    consumer,
    levels,
    webhooks,
    reconciler,
    catchUp,
    sweep,
    stop: () =>
      (stopping ??= (async () => {
        await catchUp.stop();
        await reconciler.stop();
        await consumer.close();
        await levels.close();
      })()),
  };
}
