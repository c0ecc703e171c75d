// `npm run bench:fulfillment`: orders per second through wms-bridge (Kafka ->
// bridge -> WMS simulator over HTTP at zero added latency), and the latency
// from a WMS webhook being sent to the bridge answering 2xx, which it does only
// after Kafka acknowledged the event (p50/p99, from the simulator's delivery
// log). Real stack; the bridge runs in-process with its own runtime. Prints
// the figures and the machine; asserts nothing.
//
// A third phase posts signed WMS webhooks straight at the bridge at a fixed
// rate (default 1,000/s, picked/packed/shipped for 2,000 orders released
// first) from a worker thread, as a WMS on its own machine would, and times
// each answer.
//
//   npm run bench:fulfillment -- [--orders 2000] [--latency-orders 300] [--rate 50] [--partitions 3]
//                                [--webhook-rate 1000] [--webhook-orders 2000]
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { arch, cpus, release, totalmem } from 'node:os';
import { parseCliArgs } from '@odx/runtime/cli';
import { createServiceRuntime, ensureTopics, type ServiceRuntime } from '@odx/runtime';
import type { OrderConfirmed } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '@odx/sim-wms';
import { ADMIN, call, signWebhook } from '@odx/sim-wms/kit';
import { loadBridgeConfig, startWmsBridge, WEBHOOK_PATH, type WmsBridge } from '@odx/wms-bridge';
import { endpointsEnv, stackUp } from '../stack/index.js';
import { printSummary, type SummaryFigure } from './summary.js';

const { values } = parseCliArgs('bench:fulfillment', 'orders per second through wms-bridge and the WMS webhook latency', {
  options: {
    orders: { type: 'string', default: '2000' },
    'latency-orders': { type: 'string', default: '300' },
    rate: { type: 'string', default: '50' },
    partitions: { type: 'string', default: '3' },
    'webhook-rate': { type: 'string', default: '1000' },
    'webhook-orders': { type: 'string', default: '2000' },
  },
});
const WEBHOOK_RATE = Number(values['webhook-rate']);
const WEBHOOK_ORDERS = Number(values['webhook-orders']);
const ORDERS = Number(values.orders);
const LATENCY_ORDERS = Number(values['latency-orders']);
const RATE = Number(values.rate);
const PARTITIONS = Number(values.partitions);
/** The headline figures, printed as summary lines at the end. */
const figures: SummaryFigure[] = [];
const SECRET = `whsec_${Buffer.from(`bench-${randomUUID()}`).toString('base64')}`;

function order(): OrderConfirmed {
  const orderId = `B-${randomUUID().slice(0, 12)}`;
  const e = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID(), correlationId: orderId }) });
  const template = e.order.lines[0]!;
  e.order = {
    ...e.order,
    orderId,
    odooId: orderId,
    name: orderId,
    warehouseCode: 'WH1',
    lines: ['SKU-A', 'SKU-B'].map((sku, i) => ({
      ...template,
      lineId: `${orderId}-${i + 1}`,
      lineNumber: i + 1,
      sku,
      quantity: `${i + 2}.0000`,
      uom: 'EA',
      warehouseCode: null,
    })),
  };
  return e;
}

interface Bench {
  rt: ServiceRuntime;
  bridge: WmsBridge;
  url: string;
  orders: string;
  close(): Promise<void>;
}

async function startBench(wms: WmsSimulator): Promise<Bench> {
  const id = randomUUID().slice(0, 8);
  const topics = {
    orders: `bench.ful.orders-${id}`,
    shipments: `bench.ful.shipments-${id}`,
    inventory: `bench.ful.inventory-${id}`,
    purchasing: `bench.ful.purchasing-${id}`,
    returns: `bench.ful.returns-${id}`,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODX_SERVICE_NAME: 'wms-bridge',
    ODX_HTTP_PORT: '0',
    ODX_MONGO_DB: `wmsb_bench_${id}`,
    ODX_LOG_LEVEL: 'error',
    WMS_URL: wms.url,
    WMS_WEBHOOK_SECRET: SECRET,
    WMS_WAREHOUSE_MAP: 'WH1=WH',
    WMS_RECONCILE_INTERVAL_MS: '0',
    ODX_WMS_BRIDGE_GROUP: `wmsb-bench-${id}`,
    ODX_WMS_BRIDGE_ORDERS_TOPIC: topics.orders,
    ODX_WMS_BRIDGE_SHIPMENTS_TOPIC: topics.shipments,
    ODX_WMS_BRIDGE_INVENTORY_TOPIC: topics.inventory,
    ODX_WMS_BRIDGE_PURCHASING_TOPIC: topics.purchasing,
    ODX_WMS_BRIDGE_RETURNS_TOPIC: topics.returns,
    ODX_WMS_BRIDGE_PROVISION_TOPICS: 'false',
    ODX_WMS_BRIDGE_PARTITION_CONCURRENCY: String(PARTITIONS),
  };
  const rt = await createServiceRuntime({ name: 'wms-bridge', env });
  rt.logger.silent = true;
  await ensureTopics(
    rt.cluster,
    Object.values(topics).map((name) => ({ name, partitions: PARTITIONS, replicationFactor: 1, config: {} })),
  );
  const bridge = await startWmsBridge(rt, loadBridgeConfig(env));
  const server = await rt.listen();
  const addr = server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : String(addr);
  return {
    rt,
    bridge,
    url,
    orders: topics.orders,
    close: async () => {
      await bridge.stop();
      const mine = (await rt.cluster.listTopics()).filter((n) => n.includes(id));
      await rt.cluster.deleteTopics(mine).catch(() => undefined);
      await rt.db.dropDatabase().catch(() => undefined);
      await rt.shutdown('bench done');
    },
  };
}

async function publish(b: Bench, events: OrderConfirmed[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await b.rt.producer.publish(
      events.slice(i, i + 500).map((e) => ({ eventType: 'OrderConfirmed', key: e.order.orderId, payload: e, topic: b.orders })),
    );
  }
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The webhook sender of phase 3, in a worker thread (its own event loop and core, as a WMS would be): posts
 * each pre-signed request at its slot of the rate, over keep-alive connections, and reports every latency.
 */
const WEBHOOK_SENDER = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
parentPort.once('message', async ({ url, rate, requests }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const latencies = [];
  const statuses = {};
  const post = (r) => new Promise((resolve) => {
    const sent = performance.now();
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: r.headers }, (res) => {
      res.resume();
      res.on('end', () => { latencies.push(performance.now() - sent); statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; resolve(); });
    });
    req.on('error', () => { statuses.error = (statuses.error || 0) + 1; resolve(); });
    req.end(r.body);
  });
  const began = performance.now();
  const pending = [];
  for (let i = 0; i < requests.length; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(post(requests[i]));
  }
  await Promise.all(pending);
  agent.destroy();
  parentPort.postMessage({ latencies, statuses, seconds: (performance.now() - began) / 1000 });
});
`;

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const endpoints = await stackUp({ quiet: true });
Object.assign(process.env, endpointsEnv(endpoints));
const cpu = cpus();
console.log(
  `machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform} ${release()} ${arch()}, node ${process.version}`,
);
console.log(
  `settings: ${ORDERS} orders (throughput), ${LATENCY_ORDERS} orders at ${RATE}/s (latency), ${WEBHOOK_ORDERS * 3} webhooks at ${WEBHOOK_RATE}/s (intake), ${PARTITIONS} partitions, WMS simulator in-process over HTTP, no added latency`,
);

// 1. Throughput: orders published up front; the clock runs until the WMS holds them all.
{
  const wms = await startWmsSimulator({ port: 0, autoAdvance: false });
  const b = await startBench(wms);
  try {
    // Warm-up: schema registration, group join, first WMS connection.
    await publish(b, [order()]);
    await until(() => wms.orders.list({ limit: 10 }).length === 1, 60_000, 'the warm-up order');
    const events = Array.from({ length: ORDERS }, order);
    const started = performance.now();
    await publish(b, events);
    const published = performance.now();
    await until(() => wms.orders.list({ limit: 100_000 }).length === ORDERS + 1, 600_000, `${ORDERS} orders in the WMS`);
    const seconds = (performance.now() - started) / 1000;
    figures.push({
      figure: 'orders into the WMS',
      value: ORDERS / seconds,
      unit: 'orders/s',
      note: `${ORDERS} orders, ${PARTITIONS} partitions`,
    });
    console.log(
      `throughput: ${ORDERS} orders in ${seconds.toFixed(1)} s = ${(ORDERS / seconds).toFixed(0)} orders/s into the WMS (publishing took ${((published - started) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await b.close();
    await wms.close();
  }
}

// 2. Latency: orders at a steady rate; the WMS advances them (30 ms per step) and posts picked/packed/shipped webhooks.
{
  // Orders move every 30 ms; webhook retries as a real WMS spaces them (1 s, doubling; 10 s timeout).
  const wms = await startWmsSimulator({ port: 0, steps: TEST_TIMINGS.steps, webhookSecret: SECRET });
  const b = await startBench(wms);
  try {
    const sub = await call(wms.url, 'POST', '/sim/admin/subscriptions', { url: `${b.url}${WEBHOOK_PATH}` }, ADMIN);
    if (sub.status >= 300) throw new Error(`subscription failed: ${JSON.stringify(sub.body)}`);
    const events = Array.from({ length: LATENCY_ORDERS }, order);
    const began = performance.now();
    for (let i = 0; i < events.length; i++) {
      await publish(b, [events[i]!]);
      // Paced against the start, so publishing time does not slow the rate down.
      await new Promise((r) => setTimeout(r, Math.max(0, began + ((i + 1) * 1000) / RATE - performance.now())));
    }
    await until(
      () => {
        const all = wms.webhooks.deliveries();
        return all.length >= LATENCY_ORDERS * 3 && all.every((d) => d.status !== 'scheduled');
      },
      300_000,
      'every webhook delivered',
    );
    const all = wms.webhooks.deliveries();
    const deliveries = all.filter((d) => d.status === 'succeeded');
    if (deliveries.length < all.length) console.log(`webhooks not delivered: ${all.length - deliveries.length} of ${all.length}`);
    const firstTry = deliveries
      .filter((d) => d.attempts.length === 1)
      .map((d) => d.attempts[0]!.durationMs)
      .sort((x, y) => x - y);
    const retried = deliveries.length - firstTry.length;
    figures.push({
      figure: 'webhook -> Kafka ack -> 2xx, p99',
      value: pct(firstTry, 99),
      unit: 'ms',
      note: `p50 ${pct(firstTry, 50).toFixed(1)} ms; ${firstTry.length} webhooks at ${RATE} orders/s, ${retried} retried`,
    });
    console.log(
      `latency (webhook sent -> bridge answered 2xx after the Kafka ack), ${firstTry.length} webhooks: p50 ${pct(firstTry, 50).toFixed(1)} ms, p99 ${pct(firstTry, 99).toFixed(1)} ms, max ${firstTry.at(-1)!.toFixed(1)} ms; ${retried} needed a retry`,
    );
  } finally {
    await b.close();
    await wms.close();
  }
}
// 3. Webhook intake at a fixed rate: every order released to the WMS first (no webhooks), then its picked,
// packed and shipped webhooks, signed up front, posted by a worker thread paced against the start (an open
// loop: a slow answer does not slow the sending), each timed from send to the bridge's 2xx after the Kafka ack.
{
  const wms = await startWmsSimulator({ port: 0, autoAdvance: false });
  const b = await startBench(wms);
  const sender = new Worker(WEBHOOK_SENDER, { eval: true });
  try {
    await publish(b, Array.from({ length: WEBHOOK_ORDERS }, order));
    await until(() => wms.orders.list({ limit: 100_000 }).length === WEBHOOK_ORDERS, 600_000, `${WEBHOOK_ORDERS} orders in the WMS`);
    const snapshots = wms.orders.list({ limit: 100_000 }) as unknown as Array<Record<string, unknown>>;
    const ts = Math.floor(Date.now() / 1000);
    const requests = (['picked', 'packed', 'shipped'] as const).flatMap((stage) =>
      snapshots.map((o) => {
        const at = new Date().toISOString();
        const body = JSON.stringify({
          type: `order.${stage}`,
          timestamp: at,
          data: { ...o, status: stage, pickedAt: at, packedAt: stage === 'picked' ? null : at, shippedAt: stage === 'shipped' ? at : null },
        });
        const id = `msg_${randomUUID().replace(/-/g, '')}`;
        return {
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(ts),
            'webhook-signature': signWebhook(SECRET, id, ts, body),
          },
        };
      }),
    );
    const result = await new Promise<{ latencies: number[]; statuses: Record<string, number>; seconds: number }>((resolve, reject) => {
      sender.once('message', resolve);
      sender.once('error', reject);
      sender.postMessage({ url: `${b.url}${WEBHOOK_PATH}`, rate: WEBHOOK_RATE, requests });
    });
    const sorted = result.latencies.sort((x, y) => x - y);
    const ok = Object.entries(result.statuses)
      .filter(([status]) => status.startsWith('2'))
      .reduce((n, [, c]) => n + c, 0);
    const answered = requests.length / result.seconds;
    figures.push({
      figure: `webhook intake at ${WEBHOOK_RATE}/s, p99`,
      value: pct(sorted, 99),
      unit: 'ms',
      note: `p50 ${pct(sorted, 50).toFixed(1)} ms; ${requests.length} webhooks answered at ${answered.toFixed(0)}/s, ${ok} 2xx; target p99 <= 500 ms at >= 1,000/s`,
    });
    console.log(
      `webhook intake: ${requests.length} webhooks sent at ${WEBHOOK_RATE}/s, all answered in ${result.seconds.toFixed(1)} s (${answered.toFixed(0)}/s); p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; answers ${JSON.stringify(result.statuses)}`,
    );
  } finally {
    await sender.terminate();
    await b.close();
    await wms.close();
  }
}
printSummary('fulfillment', figures);
process.exit(0);
