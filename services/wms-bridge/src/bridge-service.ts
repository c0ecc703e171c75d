import { provisionCatalogTopics, type ConsumerRunner, type ServiceRuntime } from '@odx/runtime';
import type { WmsBridgeConfig } from './config.js';
import { orderHandler } from './orders/order-handler.js';
import { OrderRecords } from './orders/order-records.js';
import { StageStore } from './webhooks/stage-store.js';
import { WebhookProcessor } from './webhooks/webhook-processor.js';
import { mountWebhookRoute } from './webhooks/webhook-route.js';
import { WmsClient } from './wms/wms-client.js';

export interface WmsBridge {
  client: WmsClient;
  consumer: ConsumerRunner;
  webhooks: WebhookProcessor;
}

/**
 * Wires the bridge into a runtime: the WMS client (one circuit), the orders
 * consumer (paused while the circuit is open) and the webhook route. Call
 * before `rt.listen()`, which adds the 404 and error handlers after it.
 */
export async function startWmsBridge(rt: ServiceRuntime, config: WmsBridgeConfig): Promise<WmsBridge> {
  if (config.provisionTopics) await provisionCatalogTopics(rt.admin);
  const client = new WmsClient({ ...config.wms, circuit: config.circuit });
  rt.lifecycle.register('wms-client', () => client.shutdown());
  rt.http.addReadinessCheck({
    name: 'wms-circuit',
    check: async () => {
      if (client.circuit.state === 'open') throw new Error('WMS circuit is open: calls to the WMS are failing');
    },
  });

  const stages = new StageStore(rt.db);
  const webhooks = new WebhookProcessor({
    secret: config.webhook.secret,
    toleranceSeconds: config.webhook.toleranceSeconds,
    producer: rt.producer,
    idempotency: rt.idempotency,
    stages,
    logger: rt.logger,
    mapping: { company: rt.config.company, warehouses: config.warehouses },
    topics: { shipments: config.topics.shipments, inventory: config.topics.inventory },
  });
  mountWebhookRoute(rt.http, webhooks);

  const consumer = rt.consumer({
    groupId: config.consumer.groupId,
    topics: [config.topics.orders],
    retryDelaysMs: config.consumer.retryDelaysMs,
    partitionConcurrency: config.consumer.partitionConcurrency,
    circuits: [client.circuit],
    handler: orderHandler({ client, records: new OrderRecords(rt.db), stages, warehouses: config.warehouses, logger: rt.logger }),
  });
  await consumer.start();
  return { client, consumer, webhooks };
}
