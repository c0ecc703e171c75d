import { randomUUID } from 'node:crypto';
import {
  collectTopic,
  createServiceRuntime,
  dlqTopicName,
  ensureTopics,
  retryTopicName,
  type CollectedMessage,
  type ServiceRuntime,
  type TopicCollector,
} from '@odx/runtime';
import { TEST_JWT_SECRET } from '@odx/runtime/testing';
import type { OrderConfirmed, ShipmentPacked } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { type Cleanup } from '@odx/sim-wms/kit';
import { loadBridgeConfig, type TmsBridgeConfig } from '../../src/config.js';
import { startTmsBridge, type TmsBridge } from '../../src/bridge-service.js';
import { WEBHOOK_PATH } from '../../src/webhooks/webhook-route.js';

export { call, eventually, uniqueName, type Cleanup } from '@odx/sim-wms/kit';
export type Collected = CollectedMessage;

export const SECRET = `whsec_${Buffer.from(`tms-bridge-test-${randomUUID()}`).toString('base64')}`;
export const ADMIN = { authorization: 'Bearer sim-admin' };

export interface RunningBridge {
  rt: ServiceRuntime;
  bridge: TmsBridge;
  config: TmsBridgeConfig;
  url: string;
  webhookUrl: string;
  topics: { orders: string; shipments: string; dlq: string };
  publish(
    events: Array<{ eventType: 'OrderConfirmed'; payload: OrderConfirmed } | { eventType: 'ShipmentPacked'; payload: ShipmentPacked }>,
  ): Promise<void>;
  collect(topic: string): Promise<Collected[]>;
  messageCount(topic: string): Promise<number>;
}

/** A tms-bridge on the real stack with its own topics, consumer group and database, talking to `tmsUrl`; removed after the test. */
export async function startBridge(t: Cleanup, tmsUrl: string, env: Record<string, string> = {}): Promise<RunningBridge> {
  const id = randomUUID().slice(0, 8);
  const topics = { orders: `test.tmsb.orders-${id}`, shipments: `test.tmsb.shipments-${id}` };
  const group = `tmsb-${id}`;
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'tms-bridge',
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `tmsb_test_${id}`,
    ODX_LOG_LEVEL: (process.env['ODX_TEST_LOG_LEVEL'] as string | undefined) ?? 'error',
    ODX_AUTH_JWT_SECRET: TEST_JWT_SECRET,
    TMS_URL: tmsUrl,
    TMS_TIMEOUT_MS: '1000',
    TMS_WEBHOOK_SECRET: SECRET,
    TMS_CIRCUIT_RESET_MS: '1000',
    TMS_SHIP_FROM: 'WH1=DE:10115:Berlin',
    TMS_WATCHDOG_INTERVAL_MS: '200',
    ODX_TMS_BRIDGE_GROUP: group,
    ODX_TMS_BRIDGE_ORDERS_TOPIC: topics.orders,
    ODX_TMS_BRIDGE_SHIPMENTS_TOPIC: topics.shipments,
    ODX_TMS_BRIDGE_RETRY_DELAYS_MS: '500,1000,2000,4000',
    ODX_TMS_BRIDGE_PROVISION_TOPICS: 'false',
    ...env,
  };
  const rt = await createServiceRuntime({ name: 'tms-bridge', env: fullEnv });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  await ensureTopics(
    rt.cluster,
    Object.values(topics).map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })),
  );
  const consumers: TopicCollector[] = [];
  const config = loadBridgeConfig(fullEnv);
  const created = [
    ...Object.values(topics),
    ...Object.values(topics).flatMap((topic) => [
      ...config.consumer.retryDelaysMs.map((_, i) => retryTopicName(topic, group, i + 1)),
      dlqTopicName(topic, group),
    ]),
  ];
  let bridge: TmsBridge | undefined;
  t.after(async () => {
    for (const c of consumers) await c.close().catch(() => undefined);
    await bridge?.watchdog.stop();
    await bridge?.consumer.close();
    await rt.cluster.deleteTopics(created).catch(() => undefined);
    await rt.db.dropDatabase().catch(() => undefined);
    await rt.shutdown('test done');
  });
  bridge = await startTmsBridge(rt, config);
  const server = await rt.listen();
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);

  return {
    rt,
    bridge,
    config,
    url,
    webhookUrl: `${url}${WEBHOOK_PATH}`,
    topics: { ...topics, dlq: dlqTopicName(topics.shipments, group) },
    publish: async (events) => {
      await rt.producer.publish(
        events.map((e) =>
          e.eventType === 'OrderConfirmed'
            ? { eventType: e.eventType, key: e.payload.order.orderId, payload: e.payload, topic: topics.orders }
            : { eventType: e.eventType, key: e.payload.shipmentId, payload: e.payload, topic: topics.shipments },
        ),
      );
    },
    collect: (topic) => collectTopic(rt.cluster, rt.serde, topic, (c) => consumers.push(c)),
    messageCount: async (topic) => {
      return [...(await rt.cluster.watermarks(topic)).values()].reduce((sum, w) => sum + Number(w.high), 0);
    },
  };
}

/** An OrderConfirmed (ship-to Munich) and its ShipmentPacked (one carton from WH1), fresh ids. */
export function packedOrder(o: { promisedInDays?: number | null; serviceLevel?: string | null } = {}): {
  order: OrderConfirmed;
  packed: ShipmentPacked;
} {
  const orderId = `T-${randomUUID().slice(0, 12)}`;
  const shipmentId = `SHP-${randomUUID().slice(0, 12)}`;
  const order = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
  const promised = o.promisedInDays === null ? null : new Date(Date.now() + (o.promisedInDays ?? 10) * 86_400_000);
  order.order = {
    ...order.order,
    orderId,
    odooId: orderId,
    name: orderId,
    warehouseCode: 'WH1',
    shipTo: { ...order.order.shipTo, city: 'München', region: null, postalCode: '80331', countryCode: 'DE' },
    promisedDeliveryDate: promised,
    requestedDeliveryDate: null,
    serviceLevel: o.serviceLevel === undefined ? null : o.serviceLevel,
  };
  const packed = sampleEvent('ShipmentPacked', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
  packed.shipmentId = shipmentId;
  packed.orderId = orderId;
  packed.warehouseCode = 'WH1';
  return { order, packed };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
