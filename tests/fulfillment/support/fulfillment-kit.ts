// The fulfillment chain on the real stack: both simulators over HTTP, both
// bridges in-process with their own runtimes, sharing one set of test topics.
import { randomUUID } from 'node:crypto';
import {
  collectTopic,
  createServiceRuntime,
  ensureTopics,
  type CollectedMessage,
  type ServiceRuntime,
  type TopicCollector,
} from '@odx/runtime';
import type { OrderConfirmed } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { startTmsSimulator, TEST_TIMINGS as TMS_TIMINGS, type TmsSimulator, type TmsSimulatorOptions } from '@odx/sim-tms';
import { startWmsSimulator, TEST_TIMINGS as WMS_TIMINGS, type WmsSimulator, type WmsSimulatorOptions } from '@odx/sim-wms';
import { ADMIN, call, type Cleanup } from '@odx/sim-wms/kit';
import { loadBridgeConfig as loadTmsConfig, startTmsBridge, WEBHOOK_PATH as TMS_WEBHOOK_PATH, type TmsBridge } from '@odx/tms-bridge';
import { loadBridgeConfig as loadWmsConfig, startWmsBridge, WEBHOOK_PATH as WMS_WEBHOOK_PATH, type WmsBridge } from '@odx/wms-bridge';

const secret = (who: string): string => `whsec_${Buffer.from(`${who}-${randomUUID()}`).toString('base64')}`;

export interface RunningService<B> {
  rt: ServiceRuntime;
  bridge: B;
  url: string;
}

export interface FulfillmentStack {
  id: string;
  topics: { orders: string; shipments: string; inventory: string };
  wms: WmsSimulator;
  tms: TmsSimulator;
  wmsBridge: RunningService<WmsBridge>;
  tmsBridge: RunningService<TmsBridge>;
  publishOrders(events: OrderConfirmed[]): Promise<void>;
  /** Every message of a topic from the beginning, decoded, kept up to date. */
  collect(topic: string): Promise<CollectedMessage[]>;
  /** Topics (and their messages) of this stack whose name contains `part`, e.g. `.dlq`. */
  countMessages(part: string): Promise<number>;
}

function runtimeEnv(id: string, service: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ODX_SERVICE_NAME: service,
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `${service.replace(/-/g, '_')}_e2e_${id}`,
    ODX_LOG_LEVEL: process.env['ODX_TEST_LOG_LEVEL'] ?? 'error',
    ...extra,
  };
}

async function startService<B>(
  t: Cleanup,
  name: string,
  env: NodeJS.ProcessEnv,
  start: (rt: ServiceRuntime) => Promise<B>,
  stop: (b: B) => Promise<void>,
): Promise<RunningService<B>> {
  const rt = await createServiceRuntime({ name, env });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  let bridge: B | undefined;
  t.after(async () => {
    if (bridge !== undefined) await stop(bridge);
    await rt.db.dropDatabase().catch(() => undefined);
    await rt.shutdown('test done');
  });
  bridge = await start(rt);
  const server = await rt.listen();
  const addr = server.address();
  return { rt, bridge, url: typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr) };
}

/**
 * WMS and TMS simulators (test speed), wms-bridge and tms-bridge on shared
 * unique topics, each simulator subscribed to its bridge's webhook endpoint.
 * Everything is removed after the test (cleanups run in reverse order).
 */
export async function startFulfillmentStack(
  t: Cleanup,
  o: { wms?: WmsSimulatorOptions; tms?: TmsSimulatorOptions; wmsEnv?: Record<string, string>; tmsEnv?: Record<string, string> } = {},
): Promise<FulfillmentStack> {
  const id = randomUUID().slice(0, 8);
  const topics = {
    orders: `test.ful.orders-${id}`,
    shipments: `test.ful.shipments-${id}`,
    inventory: `test.ful.inventory-${id}`,
    purchasing: `test.ful.purchasing-${id}`,
    returns: `test.ful.returns-${id}`,
  };
  const wmsSecret = secret('wms');
  const tmsSecret = secret('tms');
  const wms = await startWmsSimulator({ port: 0, ...WMS_TIMINGS, webhookSecret: wmsSecret, ...o.wms });
  t.after(() => wms.close());
  const tms = await startTmsSimulator({ port: 0, ...TMS_TIMINGS, webhookSecret: tmsSecret, ...o.tms });
  t.after(() => tms.close());

  // The reader's runtime also owns topic creation and removal; registered first, so it is closed last.
  const readerRt = await createServiceRuntime({ name: 'fulfillment-test', env: runtimeEnv(id, 'fulfillment-test', {}) });
  readerRt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  const readers: TopicCollector[] = [];
  t.after(async () => {
    for (const c of readers) await c.close().catch(() => undefined);
    const mine = (await readerRt.cluster.listTopics()).filter((name) => name.includes(id));
    await readerRt.cluster.deleteTopics(mine).catch(() => undefined);
    await readerRt.db.dropDatabase().catch(() => undefined);
    await readerRt.shutdown('test done');
  });
  await ensureTopics(
    readerRt.cluster,
    Object.values(topics).map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })),
  );

  const wmsEnv = runtimeEnv(id, 'wms-bridge', {
    WMS_URL: wms.url,
    WMS_TIMEOUT_MS: '2000',
    WMS_WEBHOOK_SECRET: wmsSecret,
    WMS_WAREHOUSE_MAP: 'WH1=WH',
    WMS_CIRCUIT_RESET_MS: '1000',
    ODX_WMS_BRIDGE_GROUP: `wmsb-${id}`,
    ODX_WMS_BRIDGE_ORDERS_TOPIC: topics.orders,
    ODX_WMS_BRIDGE_SHIPMENTS_TOPIC: topics.shipments,
    ODX_WMS_BRIDGE_INVENTORY_TOPIC: topics.inventory,
    ODX_WMS_BRIDGE_PURCHASING_TOPIC: topics.purchasing,
    ODX_WMS_BRIDGE_RETURNS_TOPIC: topics.returns,
    ODX_WMS_BRIDGE_RETRY_DELAYS_MS: '500,1000,2000',
    ODX_WMS_BRIDGE_PROVISION_TOPICS: 'false',
    ...o.wmsEnv,
  });
  const wmsBridge = await startService(
    t,
    'wms-bridge',
    wmsEnv,
    (rt) => startWmsBridge(rt, loadWmsConfig(wmsEnv)),
    async (b) => b.stop(),
  );
  const tmsEnv = runtimeEnv(id, 'tms-bridge', {
    TMS_URL: tms.url,
    TMS_TIMEOUT_MS: '1000',
    TMS_WEBHOOK_SECRET: tmsSecret,
    TMS_CIRCUIT_RESET_MS: '1000',
    TMS_SHIP_FROM: 'WH1=DE:10115:Berlin',
    ODX_TMS_BRIDGE_GROUP: `tmsb-${id}`,
    ODX_TMS_BRIDGE_ORDERS_TOPIC: topics.orders,
    ODX_TMS_BRIDGE_SHIPMENTS_TOPIC: topics.shipments,
    ODX_TMS_BRIDGE_RETRY_DELAYS_MS: '500,1000,2000',
    ODX_TMS_BRIDGE_PROVISION_TOPICS: 'false',
    ...o.tmsEnv,
  });
  const tmsBridge = await startService(
    t,
    'tms-bridge',
    tmsEnv,
    (rt) => startTmsBridge(rt, loadTmsConfig(tmsEnv)),
    async (b) => {
      await b.watchdog.stop();
      await b.consumer.close();
    },
  );

  for (const [sim, url] of [
    [wms.url, `${wmsBridge.url}${WMS_WEBHOOK_PATH}`],
    [tms.url, `${tmsBridge.url}${TMS_WEBHOOK_PATH}`],
  ] as const) {
    const sub = await call(sim, 'POST', '/sim/admin/subscriptions', { url }, ADMIN);
    if (sub.status >= 300) throw new Error(`cannot subscribe ${url}: ${JSON.stringify(sub.body)}`);
  }

  return {
    id,
    topics,
    wms,
    tms,
    wmsBridge,
    tmsBridge,
    publishOrders: async (events) => {
      await readerRt.producer.publish(
        events.map((e) => ({ eventType: 'OrderConfirmed', key: e.order.orderId, payload: e, topic: topics.orders })),
      );
    },
    collect: (topic) => collectTopic(readerRt.cluster, readerRt.serde, topic, (c) => readers.push(c)),
    countMessages: async (part) => {
      const names = (await readerRt.cluster.listTopics()).filter((name) => name.includes(id) && name.includes(part));
      let sum = 0;
      for (const name of names) for (const w of (await readerRt.cluster.watermarks(name)).values()) sum += Number(w.high);
      return sum;
    },
  };
}

/** An OrderConfirmed from WH1 to Munich, promised in 10 days, whole-unit lines; fresh ids. */
export function orderToMunich(skus: string[] = ['SKU-A', 'SKU-B']): OrderConfirmed {
  const orderId = `E2E-${randomUUID().slice(0, 12)}`;
  const event = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
  const template = event.order.lines[0]!;
  event.order = {
    ...event.order,
    orderId,
    odooId: orderId,
    name: orderId,
    warehouseCode: 'WH1',
    serviceLevel: 'GROUND',
    shipTo: { ...event.order.shipTo, city: 'München', region: null, postalCode: '80331', countryCode: 'DE' },
    promisedDeliveryDate: new Date(Date.now() + 10 * 86_400_000),
    requestedDeliveryDate: null,
    lines: skus.map((sku, i) => ({
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
