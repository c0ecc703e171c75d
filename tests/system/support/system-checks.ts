// What the system tests ask of a running system: orders placed in its Odoo,
// the analytics-sink's view of their progress, the simulators' records, and
// whether the shared store still answers.
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { errorMessage } from '@odx/runtime';
import type { OdooShop } from '../../../scripts/demo/odoo-shop.js';
import type { KpiResponse } from '../../../scripts/demo/report.js';
import { url, type RunningSystem } from './system-kit.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function kpis(sys: RunningSystem, since: Date): Promise<KpiResponse> {
  const res = await fetch(`${url(sys.ports.analyticsSink)}/v1/kpis?from=${since.toISOString()}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`/v1/kpis answered ${res.status}`);
  return (await res.json()) as KpiResponse;
}

/** Places `count` orders in the system's Odoo, `concurrency` at a time. */
export async function placeOrders(shop: OdooShop, count: number, tag: string, from = 0, concurrency = 8): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < from + count) await shop.placeOrder(next++, tag);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Waits until the sink has seen `count` orders delivered since `since`; returns the last KPIs. */
export async function untilDelivered(sys: RunningSystem, since: Date, count: number, deadline: number): Promise<KpiResponse> {
  let last: KpiResponse | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await kpis(sys, since);
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (last && last.orders.total >= count && last.cycleTimes.confirmedToDelivered.count >= count) return last;
    await sleep(2_000);
  }
  const seen = last
    ? `${JSON.stringify(last.orders)}, ${last.cycleTimes.confirmedToDelivered.count} delivered`
    : 'the analytics-sink never answered /v1/kpis';
  const failing = lastError === undefined ? '' : ` (last /v1/kpis call: ${errorMessage(lastError)})`;
  throw new Error(`not every order was delivered in time: ${seen}${failing}; logs in ${sys.logDir} (ODX_TEST_KEEP_LOGS=1 keeps them)`);
}

export async function externalRefs(base: string, path: string, field: string): Promise<string[]> {
  const res = await fetch(`${base}${path}?limit=1000`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: Array<Record<string, string>> }).items.map((i) => i[field]!);
}

/** A new client's insert, read and count, each answered within 1 s. */
export async function storeAnswers(sys: RunningSystem): Promise<void> {
  const mongo = new MongoClient(process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
  try {
    await mongo.connect();
    const col = mongo.db(sys.database).collection<{ _id: string; at: Date }>('test_store_probe');
    const within = <T>(what: string, work: Promise<T>): Promise<T> =>
      Promise.race([
        work,
        sleep(1_000).then(() => {
          throw new Error(`the store did not answer ${what} within 1 s`);
        }),
      ]);
    await within('an insert', col.insertOne({ _id: `probe-${Date.now()}`, at: new Date() }));
    await within('a read', col.findOne({}));
    await within('a count', mongo.db(sys.database).collection('analytics_order_lifecycles').countDocuments());
  } finally {
    await mongo.close();
  }
}
