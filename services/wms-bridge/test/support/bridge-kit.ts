import { randomUUID } from 'node:crypto';
import {
  collectTopic,
  createServiceRuntime,
  dlqTopicName,
  ensureTopics,
  type CollectedMessage,
  type ServiceRuntime,
  type TopicCollector,
} from '@odx/runtime';
import { TEST_JWT_SECRET } from '@odx/runtime/testing';
import type { OrderConfirmed } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { type Cleanup } from '@odx/sim-wms/kit';
import { loadBridgeConfig, type WmsBridgeConfig } from '../../src/config.js';
import { startWmsBridge, type WmsBridge } from '../../src/bridge-service.js';
import { WEBHOOK_PATH } from '../../src/webhooks/webhook-route.js';

export { call, eventually, uniqueName, type Cleanup } from '@odx/sim-wms/kit';
export type Collected = CollectedMessage;

export const SECRET = `whsec_${Buffer.from(`wms-bridge-test-${randomUUID()}`).toString('base64')}`;
export const ADMIN = { authorization: 'Bearer sim-admin' };

export interface RunningBridge {
  rt: ServiceRuntime;
  bridge: WmsBridge;
  config: WmsBridgeConfig;
  /** Base URL of the bridge's HTTP server. */
  url: string;
  webhookUrl: string;
  topics: { orders: string; shipments: string; inventory: string; purchasing: string; returns: string; dlq: string };
  /** Publishes OrderConfirmed events to the test's orders topic. */
  publishOrders(events: OrderConfirmed[]): Promise<void>;
  /** Every message on `topic` from the beginning, decoded, kept up to date. */
  collect(topic: string): Promise<Collected[]>;
  /** Sum of the end offsets of a topic's partitions. */
  messageCount(topic: string): Promise<number>;
  /**
   * Stops this bridge (consumers drained, producer and HTTP closed, as on
   * SIGTERM) and starts another with the same settings, topics, group and
   * database: a restart. The new one listens on another port.
   */
  restart(): Promise<RunningBridge>;
}

/**
 * A wms-bridge on the real stack with its own topics, consumer group and
 * database, talking to `wmsUrl`; removed after the test.
 */
export async function startBridge(t: Cleanup, wmsUrl: string, env: Record<string, string> = {}): Promise<RunningBridge> {
  const id = randomUUID().slice(0, 8);
  const topics = {
    orders: `test.wmsb.orders-${id}`,
    shipments: `test.wmsb.shipments-${id}`,
    inventory: `test.wmsb.inventory-${id}`,
    purchasing: `test.wmsb.purchasing-${id}`,
    returns: `test.wmsb.returns-${id}`,
  };
  const group = `wmsb-${id}`;
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'wms-bridge',
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `wmsb_test_${id}`,
    ODX_LOG_LEVEL: (process.env['ODX_TEST_LOG_LEVEL'] as string | undefined) ?? 'error',
    ODX_AUTH_JWT_SECRET: TEST_JWT_SECRET,
    WMS_URL: wmsUrl,
    WMS_TIMEOUT_MS: '2000',
    WMS_WEBHOOK_SECRET: SECRET,
    WMS_WAREHOUSE_MAP: 'WH1=WH',
    WMS_CIRCUIT_RESET_MS: '1000',
    ODX_WMS_BRIDGE_GROUP: group,
    ODX_WMS_BRIDGE_ORDERS_TOPIC: topics.orders,
    ODX_WMS_BRIDGE_SHIPMENTS_TOPIC: topics.shipments,
    ODX_WMS_BRIDGE_INVENTORY_TOPIC: topics.inventory,
    ODX_WMS_BRIDGE_PURCHASING_TOPIC: topics.purchasing,
    ODX_WMS_BRIDGE_RETURNS_TOPIC: topics.returns,
    ODX_WMS_BRIDGE_RETRY_DELAYS_MS: '500,1000,2000,4000',
    ODX_WMS_BRIDGE_PROVISION_TOPICS: 'false',
    ...env,
  };
  const consumers: TopicCollector[] = [];
  const config = loadBridgeConfig(fullEnv);
  let current: { rt: ServiceRuntime; bridge: WmsBridge | undefined } | undefined;
  t.after(async () => {
    for (const c of consumers) await c.close().catch(() => undefined);
    if (!current) return;
    const { rt, bridge } = current;
    await bridge?.stop();
    // The test's topics, and the retry and DLQ topics of its groups, all carry its id.
    const created = (await rt.cluster.listTopics()).filter((name) => name.includes(id));
    await rt.cluster.deleteTopics(created).catch(() => undefined);
    await rt.db.dropDatabase().catch(() => undefined);
    await rt.shutdown('test done');
  });

  const launch = async (first: boolean): Promise<RunningBridge> => {
    const rt = await createServiceRuntime({ name: 'wms-bridge', env: fullEnv });
    rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
    current = { rt, bridge: undefined };
    if (first) {
      await ensureTopics(
        rt.cluster,
        Object.values(topics).map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })),
      );
    }
    const bridge = await startWmsBridge(rt, config);
    current.bridge = bridge;
    const server = await rt.listen();
    const addr = server.address();
    const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);
    return {
      rt,
      bridge,
      config,
      url,
      webhookUrl: `${url}${WEBHOOK_PATH}`,
      topics: { ...topics, dlq: dlqTopicName(topics.orders, group) },
      publishOrders: async (events) => {
        await rt.producer.publish(
          events.map((e) => ({ eventType: 'OrderConfirmed', key: e.order.orderId, payload: e, topic: topics.orders })),
        );
      },
      collect: (topic) => collectTopic(rt.cluster, rt.serde, topic, (c) => consumers.push(c)),
      messageCount: async (topic) => {
        return [...(await rt.cluster.watermarks(topic)).values()].reduce((sum, w) => sum + Number(w.high), 0);
      },
      restart: async () => {
        await bridge.stop();
        await rt.shutdown('restart');
        return launch(false);
      },
    };
  };
  return launch(true);
}

/** An OrderConfirmed for a fresh order id, with whole-unit lines in one warehouse. */
export function confirmedOrder(overrides: { orderId?: string; skus?: string[]; eventId?: string } = {}): OrderConfirmed {
  const orderId = overrides.orderId ?? `T-${randomUUID().slice(0, 12)}`;
  const event = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: overrides.eventId ?? randomUUID(), correlationId: orderId }) });
  const template = event.order.lines[0]!;
  event.order = {
    ...event.order,
    orderId,
    odooId: orderId,
    name: orderId,
    lines: (overrides.skus ?? ['SKU-A', 'SKU-B']).map((sku, i) => ({
      ...template,
      lineId: `${orderId}-${i + 1}`,
      lineNumber: i + 1,
      sku,
      quantity: `${i + 2}.0000`,
      uom: 'EA',
      warehouseCode: null,
    })),
  };
  return event;
}
