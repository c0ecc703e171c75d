// The whole system at a day's volume and through crashes (issue 11): every
// service and simulator is its own process, on the real local stack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MongoClient } from 'mongodb';
import { OdooShop } from '../../scripts/demo/odoo-shop.js';
import type { KpiResponse } from '../../scripts/demo/report.js';
import { startSystem, url, type RunningSystem } from './support/system-kit.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function kpis(sys: RunningSystem, since: Date): Promise<KpiResponse> {
  const res = await fetch(`${url(sys.ports.analyticsSink)}/v1/kpis?from=${since.toISOString()}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`/v1/kpis answered ${res.status}`);
  return (await res.json()) as KpiResponse;
}

/** Places `count` orders in the system's Odoo, `concurrency` at a time. */
async function placeOrders(shop: OdooShop, count: number, tag: string, from = 0, concurrency = 8): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < from + count) await shop.placeOrder(next++, tag);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Waits until the sink has seen `count` orders delivered since `since`; returns the last KPIs. */
async function untilDelivered(sys: RunningSystem, since: Date, count: number, deadline: number): Promise<KpiResponse> {
  let last: KpiResponse | undefined;
  while (Date.now() < deadline) {
    last = await kpis(sys, since).catch(() => last);
    if (last && last.orders.total >= count && last.cycleTimes.confirmedToDelivered.count >= count) return last;
    await sleep(2_000);
  }
  throw new Error(`not every order was delivered in time: ${JSON.stringify(last?.orders)} delivered ${last?.cycleTimes.confirmedToDelivered.count}; logs in ${sys.logDir} (ODX_TEST_KEEP_LOGS=1 keeps them)`);
}

async function externalRefs(base: string, path: string, field: string): Promise<string[]> {
  const res = await fetch(`${base}${path}?limit=1000`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: Array<Record<string, string>> }).items.map((i) => i[field]!);
}

/** A new client's insert, read and count, each answered within 1 s. */
async function storeAnswers(sys: RunningSystem): Promise<void> {
  const mongo = new MongoClient(process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
  try {
    await mongo.connect();
    const col = mongo.db(sys.database).collection<{ _id: string; at: Date }>('test_store_probe');
    const within = <T>(what: string, work: Promise<T>): Promise<T> =>
      Promise.race([work, sleep(1_000).then(() => { throw new Error(`the store did not answer ${what} within 1 s`); })]);
    await within('an insert', col.insertOne({ _id: `probe-${Date.now()}`, at: new Date() }));
    await within('a read', col.findOne({}));
    await within('a count', mongo.db(sys.database).collection('analytics_order_lifecycles').countDocuments());
  } finally {
    await mongo.close();
  }
}

test('500 orders flow through every service within 3 minutes, the lifecycle snapshot writes them all, and afterwards every service is ready and the store answers', { timeout: 600_000 }, async (t) => {
  const sys = await startSystem(t);
  const shop = new OdooShop(url(sys.ports.odoo));
  await shop.load();
  const since = new Date(Date.now() - 1_000);
  const started = Date.now();
  await placeOrders(shop, 500, sys.id.toUpperCase());
  t.diagnostic(`500 orders placed in Odoo in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const done = await untilDelivered(sys, since, 500, started + 180_000);
  t.diagnostic(`all 500 delivered ${((Date.now() - started) / 1000).toFixed(1)} s after the first order; confirmed -> delivered p50 ${done.cycleTimes.confirmedToDelivered.p50Ms} ms, p95 ${done.cycleTimes.confirmedToDelivered.p95Ms} ms`);

  // Each order once in the WMS and once in the TMS.
  const wms = await externalRefs(url(sys.ports.wms), '/v1/outbound-orders', 'externalRef');
  assert.equal(wms.length, 500);
  assert.equal(new Set(wms).size, 500, 'no WMS order twice');
  const tms = await externalRefs(url(sys.ports.tms), '/v1/shipments', 'orderRef');
  assert.equal(new Set(tms).size, 500, 'one booking per order');
  assert.equal(tms.length, 500, 'no booking twice');

  // The snapshot runs at its default interval (60 s) and writes 500 lifecycles in bounded commands.
  const mongo = new MongoClient(process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
  t.after(() => mongo.close());
  await mongo.connect();
  const lifecycles = mongo.db(sys.database).collection('analytics_order_lifecycles');
  const deadline = Date.now() + 90_000;
  while ((await lifecycles.countDocuments({ 'milestones.delivered': { $exists: true } }).catch(() => 0)) < 500 && Date.now() < deadline) await sleep(2_000);
  const snapshotted = await lifecycles.countDocuments();
  assert.ok(snapshotted >= 500, `the lifecycle snapshot holds ${snapshotted} of 500 orders`);

  for (const r of await sys.readiness()) assert.equal(r.status, 200, `${r.name} /readyz: ${JSON.stringify(r.body)}`);
  await storeAnswers(sys);
});

test('every service killed with SIGKILL and started again at once is ready within 60 s, and the system then carries new orders to delivery', { timeout: 600_000 }, async (t) => {
  const sys = await startSystem(t);
  const shop = new OdooShop(url(sys.ports.odoo));
  await shop.load();
  const since = new Date(Date.now() - 1_000);
  const tag = sys.id.toUpperCase();
  await placeOrders(shop, 10, tag);
  await untilDelivered(sys, since, 10, Date.now() + 120_000);

  for (const name of ['odoo-outbox-poller', 'wms-bridge', 'tms-bridge', 'edi-gateway', 'analytics-sink', 'replay-dlq']) {
    const ms = await sys.killAndRestart(name, 60_000);
    t.diagnostic(`${name}: killed with SIGKILL, ready again after ${(ms / 1000).toFixed(1)} s`);
  }
  for (const r of await sys.readiness()) assert.equal(r.status, 200, `${r.name} /readyz after the restarts: ${JSON.stringify(r.body)}`);

  await placeOrders(shop, 10, tag, 10);
  await untilDelivered(sys, since, 20, Date.now() + 120_000);
  const wms = await externalRefs(url(sys.ports.wms), '/v1/outbound-orders', 'externalRef');
  assert.deepEqual([wms.length, new Set(wms).size], [20, 20], 'each order once in the WMS');
  const tms = await externalRefs(url(sys.ports.tms), '/v1/shipments', 'orderRef');
  assert.deepEqual([tms.length, new Set(tms).size], [20, 20], 'each order booked once');
});
