import { randomUUID } from 'node:crypto';
import { createServiceRuntime, dlqTopicName, ensureTopics, retryTopicName, type ServiceRuntime } from '@odx/runtime';
import type { OrderConfirmed } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import type { Consumer, IHeaders } from 'kafkajs';
import { loadBridgeConfig, type WmsBridgeConfig } from '../../src/config.js';
import { startWmsBridge, type WmsBridge } from '../../src/bridge-service.js';
import { WEBHOOK_PATH } from '../../src/webhooks/webhook-route.js';

/** What node:test's TestContext offers for cleanup. */
export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

export const SECRET = `whsec_${Buffer.from(`wms-bridge-test-${randomUUID()}`).toString('base64')}`;
export const ADMIN = { authorization: 'Bearer sim-admin' };

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export interface RunningBridge {
  rt: ServiceRuntime;
  bridge: WmsBridge;
  config: WmsBridgeConfig;
  /** Base URL of the bridge's HTTP server. */
  url: string;
  webhookUrl: string;
  topics: { orders: string; shipments: string; inventory: string; dlq: string };
  /** Publishes OrderConfirmed events to the test's orders topic. */
  publishOrders(events: OrderConfirmed[]): Promise<void>;
  /** Every message on `topic` from the beginning, decoded, kept up to date. */
  collect(topic: string): Promise<Collected[]>;
  /** Sum of the end offsets of a topic's partitions. */
  messageCount(topic: string): Promise<number>;
}

export interface Collected {
  key: string | null;
  eventType: string;
  payload: unknown;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

/**
 * A wms-bridge on the real stack with its own topics, consumer group and
 * database, talking to `wmsUrl`; removed after the test.
 */
export async function startBridge(t: Cleanup, wmsUrl: string, env: Record<string, string> = {}): Promise<RunningBridge> {
  const id = randomUUID().slice(0, 8);
  const topics = { orders: `test.wmsb.orders-${id}`, shipments: `test.wmsb.shipments-${id}`, inventory: `test.wmsb.inventory-${id}` };
  const group = `wmsb-${id}`;
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'wms-bridge',
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `wmsb_test_${id}`,
    ODX_LOG_LEVEL: (process.env['ODX_TEST_LOG_LEVEL'] as string | undefined) ?? 'error',
    WMS_URL: wmsUrl,
    WMS_TIMEOUT_MS: '2000',
    WMS_WEBHOOK_SECRET: SECRET,
    WMS_WAREHOUSE_MAP: 'WH1=WH',
    WMS_CIRCUIT_RESET_MS: '1000',
    ODX_WMS_BRIDGE_GROUP: group,
    ODX_WMS_BRIDGE_ORDERS_TOPIC: topics.orders,
    ODX_WMS_BRIDGE_SHIPMENTS_TOPIC: topics.shipments,
    ODX_WMS_BRIDGE_INVENTORY_TOPIC: topics.inventory,
    ODX_WMS_BRIDGE_RETRY_DELAYS_MS: '500,1000,2000,4000',
    ODX_WMS_BRIDGE_PROVISION_TOPICS: 'false',
    ...env,
  };
  const rt = await createServiceRuntime({ name: 'wms-bridge', env: fullEnv });
  rt.logger.silent = process.env['ODX_TEST_LOG_LEVEL'] === undefined;
  await ensureTopics(rt.admin, Object.values(topics).map((name) => ({ name, partitions: 3, replicationFactor: 1, config: {} })));
  const consumers: Consumer[] = [];
  const config = loadBridgeConfig(fullEnv);
  const created = [...Object.values(topics), ...config.consumer.retryDelaysMs.map((_, i) => retryTopicName(topics.orders, group, i + 1)), dlqTopicName(topics.orders, group)];
  let bridge: WmsBridge | undefined;
  t.after(async () => {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    await bridge?.consumer.close();
    await rt.admin.deleteTopics({ topics: created }).catch(() => undefined);
    await rt.db.dropDatabase().catch(() => undefined);
    await rt.shutdown('test done');
  });
  bridge = await startWmsBridge(rt, config);
  const server = await rt.listen();
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);

  return {
    rt, bridge, config, url, webhookUrl: `${url}${WEBHOOK_PATH}`,
    topics: { ...topics, dlq: dlqTopicName(topics.orders, group) },
    publishOrders: async (events) => {
      await rt.producer.publish(events.map((e) => ({ eventType: 'OrderConfirmed', key: e.order.orderId, payload: e, topic: topics.orders })));
    },
    collect: async (topic) => {
      const out: Collected[] = [];
      const consumer = rt.kafka.consumer({ groupId: uniqueName('wmsb-reader'), maxWaitTimeInMs: 100 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          const decoded = await rt.serde.decode(message.value);
          out.push({ key: message.key?.toString() ?? null, eventType: decoded.eventType, payload: decoded.payload, headers: strings(message.headers), partition, offset: Number(message.offset) });
        },
      });
      return out;
    },
    messageCount: async (topic) => {
      const offsets = await rt.admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, o) => sum + Number(o.high), 0);
    },
  };
}

function strings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? String(v[0]) : String(v);
  return out;
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
    lines: (overrides.skus ?? ['SKU-A', 'SKU-B']).map((sku, i) => ({ ...template, lineId: `${orderId}-${i + 1}`, lineNumber: i + 1, sku, quantity: `${i + 2}.0000`, uom: 'EA', warehouseCode: null })),
  };
  return event;
}

/** One HTTP call with a JSON body. */
export async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
