// What the system tests ask of a running system: orders placed in its Odoo,
// the analytics-sink's view of their progress, the simulators' records, and
// whether the shared store still answers.
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { errorMessage } from '@odx/runtime';
import type { OdooShop } from '../../../scripts/demo/odoo-shop.js';
import type { KpiResponse } from '../../../scripts/demo/report.js';
import { demoAuth } from '../../../scripts/demo/demo-auth.js';
import { url, type RunningSystem } from './system-kit.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function kpis(sys: RunningSystem, since: Date): Promise<KpiResponse> {
  const res = await fetch(`${url(sys.ports.analyticsSink)}/v1/kpis?from=${since.toISOString()}`, {
    headers: demoAuth('viewer'),
    signal: AbortSignal.timeout(10_000),
  });
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

/**
 * While deliveries still come in, a wait past its deadline goes on (up to `latest`): how fast a shared machine
 * delivers is measured, not asserted, but a flow that stopped delivering fails once `stallMs` pass without one.
 */
export interface StillDelivering {
  stallMs: number;
  latest: number;
}

/** Waits until the sink has seen `count` orders delivered since `since`; returns the last KPIs. */
export async function untilDelivered(
  sys: RunningSystem,
  since: Date,
  count: number,
  deadline: number,
  extend?: StillDelivering,
): Promise<KpiResponse> {
  let last: KpiResponse | undefined;
  let lastError: unknown;
  let delivered = 0;
  let lastProgress = Date.now();
  const goOn = (): boolean =>
    Date.now() < deadline || (extend !== undefined && Date.now() < extend.latest && Date.now() - lastProgress < extend.stallMs);
  while (goOn()) {
    try {
      last = await kpis(sys, since);
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (last && last.orders.total >= count && last.cycleTimes.confirmedToDelivered.count >= count) return last;
    if (last && last.cycleTimes.confirmedToDelivered.count > delivered) {
      delivered = last.cycleTimes.confirmedToDelivered.count;
      lastProgress = Date.now();
    }
    await sleep(2_000);
  }
  const seen = last
    ? `${JSON.stringify(last.orders)}, ${last.cycleTimes.confirmedToDelivered.count} delivered`
    : 'the analytics-sink never answered /v1/kpis';
  const failing = lastError === undefined ? '' : ` (last /v1/kpis call: ${errorMessage(lastError)})`;
  const stalled = extend ? `, the last delivery ${((Date.now() - lastProgress) / 1000).toFixed(0)} s before giving up` : '';
  throw new Error(
    `not every order was delivered in time: ${seen}${stalled}${failing}; logs in ${sys.logDir} (ODX_TEST_KEEP_LOGS=1 keeps them)`,
  );
}

export async function externalRefs(base: string, path: string, field: string): Promise<string[]> {
  const res = await fetch(`${base}${path}?limit=1000`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: Array<Record<string, string>> }).items.map((i) => i[field]!);
}

/**
 * A new client's insert, read and count, each answered within 5 s. The wedge this guards against stalled the store
 * for minutes; 1 s was too tight for a count on a 2-core machine still saturated by the system under test.
 */
export async function storeAnswers(sys: RunningSystem): Promise<void> {
  const mongo = new MongoClient(process.env['ODX_MONGO_URL'] ?? 'mongodb://127.0.0.1:27017/', { serverSelectionTimeoutMS: 5_000 });
  try {
    await mongo.connect();
    const col = mongo.db(sys.database).collection<{ _id: string; at: Date }>('test_store_probe');
    const within = <T>(what: string, work: Promise<T>): Promise<T> =>
      Promise.race([
        work,
        sleep(5_000).then(() => {
          throw new Error(`the store did not answer ${what} within 5 s`);
        }),
      ]);
    await within('an insert', col.insertOne({ _id: `probe-${Date.now()}`, at: new Date() }));
    await within('a read', col.findOne({}));
    await within('a count', mongo.db(sys.database).collection('analytics_order_lifecycles').countDocuments());
  } finally {
    await mongo.close();
  }
}

/**
 * Every service answers /readyz with 200 within `withinMs`; fails naming those that did not, with their last answer.
 * One probe is not enough: a readiness check that times out once (a Kafka metadata call on a machine still busy
 * with the test's load) is a blip, while the wedges these tests guard against last minutes.
 */
export async function everyServiceReady(sys: RunningSystem, when: string, withinMs = 30_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answers = await sys.readiness().catch((err: unknown) => [{ name: 'readiness', status: 0, body: String(err) }]);
    const notReady = answers.filter((r) => r.status !== 200);
    if (notReady.length === 0) return;
    if (Date.now() > deadline)
      assert.fail(
        `not ready ${when} (within ${withinMs / 1000} s): ${notReady.map((r) => `${r.name} ${r.status} ${JSON.stringify(r.body)}`).join('; ')}`,
      );
    await sleep(1_000);
  }
}

/** The simulators' admin token (their default). */
export const SIM_ADMIN = { authorization: 'Bearer sim-admin' };

/** Every record of a paged simulator list (`items`, `nextPageToken`). */
export async function listAll<T>(base: string, path: string): Promise<T[]> {
  const out: T[] = [];
  let token: string | null = null;
  do {
    const res = await fetch(`${base}${path}?limit=1000${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`GET ${base}${path} answered ${res.status}`);
    const page = (await res.json()) as { items: T[]; nextPageToken?: string | null };
    out.push(...page.items);
    token = page.nextPageToken ?? null;
  } while (token);
  return out;
}

export interface WmsOrder {
  externalRef: string;
  status: string;
}
export interface TmsShipment {
  reference: string;
  orderRef: string | null;
  status: string;
}

/** `<orderId>`, `<orderId>~<wh>` or `<orderId>#<shipmentId>` (wms-bridge's external references) -> the order id. */
export const orderOfRef = (ref: string): string => ref.split(/[#~]/)[0]!;

export const countBy = (values: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};
export const repeated = (values: string[]): string[] =>
  Object.entries(countBy(values))
    .filter(([, n]) => n > 1)
    .map(([v]) => v);

export async function givenUp(base: string): Promise<number> {
  const res = await fetch(`${base}/sim/admin/deliveries?status=failed&limit=10000`, {
    headers: SIM_ADMIN,
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`GET ${base}/sim/admin/deliveries answered ${res.status}`);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

/** Sum of a Prometheus counter's samples at `base`/metrics, by the value of one label (or '' when `by` is not given). */
export async function metric(base: string, name: string, by?: string): Promise<Record<string, number>> {
  const text = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const key = by ? (new RegExp(`${by}="([^"]*)"`).exec(m[2] ?? '')?.[1] ?? '') : '';
    out[key] = (out[key] ?? 0) + Number(m[3]);
  }
  return out;
}
