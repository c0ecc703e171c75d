// Catch-up for lost WMS webhooks, on the real stack with the WMS simulator:
// the WMS gives a webhook up after its retry policy (as real products do), and
// the bridge's catch-up lists the orders changed since its cursor and
// publishes what was missed, once, with the webhook path's event ids.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '@odx/sim-wms';
import { postSignedWebhook } from '@odx/sim-wms/kit';
import { canonicalEventOf, ChangeCursorStore } from '@odx/runtime';
import { payloadOf, testAuthHeader } from '@odx/runtime/testing';
import {
  ADMIN,
  SECRET,
  call,
  confirmedOrder,
  eventually,
  startBridge,
  type Cleanup,
  type Collected,
  type RunningBridge,
} from '../support/bridge-kit.js';

/** Nothing listens there: deliveries fail until the WMS gives them up. */
const DEAD_URL = 'http://127.0.0.1:9/webhooks/wms';
const STAGE_EVENTS = ['ShipmentPicked', 'ShipmentPacked', 'ShipmentDispatched'];

interface CatchUpAnswer {
  status: number;
  body: {
    pages: number;
    records: number;
    eventsPublished: number;
    cursor: { updatedAt: string; id: string } | null;
    detail?: string;
    errorClass?: string;
  };
}

async function wmsAndBridge(
  t: Cleanup,
  env: Record<string, string>,
  options: { autoAdvance?: boolean } = {},
): Promise<{ wms: WmsSimulator; b: RunningBridge }> {
  // A short retry policy: a webhook nobody takes is given up for good within a second.
  const wms = await startWmsSimulator({
    port: 0,
    ...TEST_TIMINGS,
    delivery: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50, timeoutMs: 1_000 },
    webhookSecret: SECRET,
    ...options,
  });
  t.after(() => wms.close());
  const b = await startBridge(t, wms.url, env);
  return { wms, b };
}

async function subscribe(wms: WmsSimulator, url: string): Promise<void> {
  const res = await call(wms.url, 'PUT', '/sim/admin/subscriptions', { items: [{ url }] }, ADMIN);
  assert.ok(res.status < 300, JSON.stringify(res.body));
}

/** Waits until every webhook of the WMS was given up (failed) or answered. */
async function deliveriesSettled(
  wms: WmsSimulator,
  expectFailed: number,
): Promise<Array<{ webhookId: string; eventType: string; status: string; payload: unknown }>> {
  return eventually(
    async () => {
      const items = (await call(wms.url, 'GET', '/sim/admin/deliveries?limit=1000', undefined, ADMIN)).body.items as Array<{
        webhookId: string;
        eventType: string;
        status: string;
        payload: unknown;
      }>;
      const failed = items.filter((d) => d.status === 'failed');
      return failed.length >= expectFailed && items.every((d) => d.status !== 'scheduled') ? failed : undefined;
    },
    30_000,
    `${expectFailed} webhooks given up by the WMS`,
  );
}

const catchUp = async (b: RunningBridge, body: unknown = {}): Promise<CatchUpAnswer> =>
  (await call(b.url, 'POST', '/v1/catch-up', body, await testAuthHeader('operator'))) as CatchUpAnswer;

function stageEventsOf(messages: Collected[], orderId: string): Collected[] {
  return messages.filter((m) => m.key === orderId && STAGE_EVENTS.includes(m.eventType)).sort((x, y) => x.offset - y.offset);
}

const eventIdOf = (m: Collected): string => {
  const event = canonicalEventOf(m);
  if (!event) throw new Error(`not a canonical event: ${m.eventType}`);
  return event.payload.meta.eventId;
};

test('webhooks given up by the WMS: catch-up publishes every missing stage once, over several pages; a late webhook and a second run publish nothing', async (t) => {
  const { wms, b } = await wmsAndBridge(t, { ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS: '0', ODX_WMS_BRIDGE_CATCHUP_PAGE_SIZE: '2' });
  await subscribe(wms, DEAD_URL);
  const shipments = await b.collect(b.topics.shipments);
  const orders = Array.from({ length: 5 }, () => confirmedOrder());
  await b.publishOrders(orders);
  await eventually(
    () => (wms.orders.list({ limit: 100 }).filter((o) => o.status === 'shipped').length === 5 ? true : undefined),
    30_000,
    'five orders shipped in the WMS',
  );
  const lost = await deliveriesSettled(wms, 15);
  assert.equal(await b.messageCount(b.topics.shipments), 0, 'no webhook reached the bridge');

  const run = await catchUp(b);
  assert.equal(run.status, 200, JSON.stringify(run.body));
  assert.equal(run.body.eventsPublished, 15);
  assert.equal(run.body.records, 5);
  assert.ok(run.body.pages >= 3, `paged: ${run.body.pages} pages of 2`);
  await eventually(() => (shipments.length === 15 ? true : undefined), 15_000, '15 stage events');
  for (const o of orders) {
    const mine = stageEventsOf(shipments, o.order.orderId);
    assert.deepEqual(
      mine.map((m) => m.eventType),
      STAGE_EVENTS,
      `${o.order.orderId}: each stage once, in order`,
    );
    const dispatched = payloadOf(mine[2]!, 'ShipmentDispatched');
    assert.equal(dispatched.shipment.state, 'dispatched');
    assert.match(dispatched.shipment.bookingRef ?? '', /^BOL/);
  }
  const cursor = await new ChangeCursorStore(b.rt.db).load(`${b.config.consumer.groupId}:wms-orders`);
  const last = wms.orders
    .list({ limit: 100 })
    .sort((x, y) => (x.updatedAt === y.updatedAt ? (x.id < y.id ? -1 : 1) : x.updatedAt < y.updatedAt ? -1 : 1))
    .at(-1)!;
  assert.deepEqual(cursor, { updatedAt: last.updatedAt, id: last.id }, 'the cursor stands at the last order handled');

  // The WMS's webhooks arrive after all (a late retry, a replay): same event ids, nothing new.
  const ids = new Set(shipments.map(eventIdOf));
  for (const d of lost) {
    const late = await postSignedWebhook(b.webhookUrl, SECRET, JSON.stringify(d.payload), { id: d.webhookId });
    assert.equal(late.status, 200, JSON.stringify(late.body));
    assert.equal(late.body.status, 'stale', `${d.eventType} after catch-up`);
  }
  // A second run over the same changes (the overlap re-reads them) publishes nothing.
  const again = await catchUp(b);
  assert.equal(again.status, 200);
  assert.equal(again.body.eventsPublished, 0);
  assert.ok(again.body.records >= 1, 'the overlap re-read orders');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await b.messageCount(b.topics.shipments), 15, 'still 15 events');
  assert.equal(new Set(shipments.map(eventIdOf)).size, ids.size);

  const metrics = await (await fetch(`${b.url}/metrics`)).text();
  assert.match(metrics, /odx_catchup_events_published_total\{[^}]*feed="wms-orders"[^}]*\} 15/);
  assert.match(metrics, /odx_catchup_lag_seconds\{[^}]*feed="wms-orders"[^}]*\} \d/);
});

test('the schedule fills in what a bridge outage lost, after the stages that did arrive', async (t) => {
  const { wms, b } = await wmsAndBridge(
    t,
    { ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS: '300', ODX_WMS_BRIDGE_CATCHUP_OVERLAP_MS: '1000' },
    { autoAdvance: false },
  );
  await subscribe(wms, b.webhookUrl);
  const shipments = await b.collect(b.topics.shipments);
  const orders = Array.from({ length: 3 }, () => confirmedOrder());
  await b.publishOrders(orders);
  const wmsOrders = await eventually(
    () => {
      const found = orders.map((o) => wms.orders.list({ externalRef: o.order.orderId, limit: 1 })[0]);
      return found.every((o) => o !== undefined) ? found.map((o) => o!) : undefined;
    },
    20_000,
    'the WMS orders',
  );
  for (const o of wmsOrders) await call(wms.url, 'POST', `/sim/admin/orders/${o.id}/advance`, {}, ADMIN);
  await eventually(
    () => (shipments.filter((m) => m.eventType === 'ShipmentPicked').length === 3 ? true : undefined),
    20_000,
    'picked by webhook',
  );

  // The bridge is unreachable for the WMS from here on: packed and shipped are given up.
  await subscribe(wms, DEAD_URL);
  for (const o of wmsOrders) {
    await call(wms.url, 'POST', `/sim/admin/orders/${o.id}/advance`, {}, ADMIN);
    await call(wms.url, 'POST', `/sim/admin/orders/${o.id}/advance`, {}, ADMIN);
  }
  await eventually(() => (shipments.length === 9 ? true : undefined), 20_000, 'packed and dispatched filled in by the schedule');
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(shipments.length, 9, 'nothing twice across scheduled runs');
  for (const o of orders)
    assert.deepEqual(
      stageEventsOf(shipments, o.order.orderId).map((m) => m.eventType),
      STAGE_EVENTS,
    );
});

test('a malformed list answer is a clear 502 and leaves the cursor where it was; one order can be caught up on its own', async (t) => {
  const { wms, b } = await wmsAndBridge(t, { ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS: '0' });
  await subscribe(wms, DEAD_URL);
  const shipments = await b.collect(b.topics.shipments);
  const cursors = new ChangeCursorStore(b.rt.db);
  const cursorId = `${b.config.consumer.groupId}:wms-orders`;

  const first = [confirmedOrder()];
  await b.publishOrders(first);
  await eventually(
    () => (wms.orders.list({ externalRef: first[0]!.order.orderId, limit: 1 })[0]?.status === 'shipped' ? true : undefined),
    20_000,
    'first order shipped',
  );
  const settled = await catchUp(b);
  assert.equal(settled.body.eventsPublished, 3);
  const before = await cursors.load(cursorId);
  assert.ok(before, 'a cursor was saved');

  const more = [confirmedOrder(), confirmedOrder()];
  await b.publishOrders(more);
  await eventually(
    () => (more.every((o) => wms.orders.list({ externalRef: o.order.orderId, limit: 1 })[0]?.status === 'shipped') ? true : undefined),
    20_000,
    'two more orders shipped',
  );

  for (const mode of ['truncated', 'html']) {
    const fault = await call(
      wms.url,
      'PATCH',
      '/sim/admin/faults',
      { malformedResponses: { routes: ['GET /v1/outbound-orders'], mode, count: 1 } },
      ADMIN,
    );
    assert.equal(fault.status, 200);
    const bad = await catchUp(b);
    assert.equal(bad.status, 502, JSON.stringify(bad.body));
    assert.equal(bad.body.errorClass, 'wms.bad-response');
    assert.match(bad.body.detail ?? '', /WMS answered GET \/v1\/outbound-orders with a body that is not a JSON object/);
    assert.deepEqual(await cursors.load(cursorId), before, `${mode}: the cursor did not move`);
  }
  assert.equal(await b.messageCount(b.topics.shipments), 3, 'nothing published from an unreadable page');

  // The orchestrator asks for one order: only its stages, and the cursor stays.
  const one = await catchUp(b, { orderRef: more[0]!.order.orderId });
  assert.equal(one.status, 200, JSON.stringify(one.body));
  assert.deepEqual(one.body, { orderRef: more[0]!.order.orderId, records: 1, eventsPublished: 3 });
  assert.deepEqual(await cursors.load(cursorId), before);
  assert.equal((await catchUp(b, { orderRef: 'NO-SUCH-ORDER' })).status, 404);
  assert.equal((await catchUp(b, { orderRef: 42 })).status, 400);

  const rest = await catchUp(b);
  assert.equal(rest.status, 200);
  assert.equal(rest.body.eventsPublished, 3, 'only the order not caught up yet');
  await eventually(() => (shipments.length === 9 ? true : undefined), 15_000, 'nine events');
  for (const o of [...first, ...more])
    assert.deepEqual(
      stageEventsOf(shipments, o.order.orderId).map((m) => m.eventType),
      STAGE_EVENTS,
    );
});
